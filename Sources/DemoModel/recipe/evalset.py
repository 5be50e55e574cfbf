"""A held-out evaluation set drawn by an *independent* renderer (PIL ImageDraw, hard edges),
mimicking how an outside check would draw "one solid shape on a noisy background":
224x224 or 320x240 canvases, pure colours, shape extent 20-50% of the short side, gaussian
noise of varying strength. Training never sees this renderer, so its scores estimate
robustness to an unknown renderer.
"""

import math

import numpy as np
from PIL import Image, ImageDraw

from world import TEST_COLOURS, TEST_SHAPES, cell_of, preprocess

PURE = {"red": [(255, 0, 0)], "green": [(0, 255, 0), (0, 128, 0), (0, 200, 0)],
        "blue": [(0, 0, 255)], "yellow": [(255, 255, 0)], "white": [(255, 255, 255)],
        "black": [(0, 0, 0)]}


def draw_shape(draw, shape, cx, cy, d, fill):
    """Draws a shape of bounding extent d centred at (cx, cy) with ImageDraw."""
    r = d / 2
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "triangle":
        h = d * math.sqrt(3) / 2
        draw.polygon([(cx, cy - h / 2), (cx + r, cy + h / 2), (cx - r, cy + h / 2)], fill=fill)
    elif shape == "star":
        pts = []
        for k in range(10):
            rad = r if k % 2 == 0 else r * 0.4
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
        draw.polygon(pts, fill=fill)
    elif shape == "ring":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=fill, width=max(2, int(r * 0.35)))
    elif shape == "cross":
        t = d / 6
        draw.rectangle([cx - r, cy - t, cx + r, cy + t], fill=fill)
        draw.rectangle([cx - t, cy - r, cx + t, cy + r], fill=fill)


def background(rng, kind, h, w):
    """A canvas of the given kind: 'grey' (flat, 70-185), 'uniform' (every pixel and channel
    uniform in 0-255), 'blotchy' (a random grey level plus smooth large blotches)."""
    if kind == "uniform":
        return rng.uniform(0, 255, (h, w, 3)).astype(np.float32)
    grey = rng.uniform(70, 185)
    bg = np.full((h, w, 3), grey, np.float32)
    if kind == "blotchy":
        small = rng.normal(0, 35, (4, 4, 3)).astype(np.float32)
        bg += np.asarray(Image.fromarray(small[..., 0]).resize((w, h), Image.BICUBIC))[..., None]
    return np.clip(bg, 0, 255)


def make_eval_set(seed=1234, per_class=10, size=48, kind="grey"):
    """Returns (pixels [N, 3, size, size] float32, colour ids, shape ids, cells (-1 if the
    centre falls outside the visible square)). Ids index TEST_COLOURS / TEST_SHAPES.
    `kind` picks the background (see `background`); 'grey' is the set used during training."""
    rng = np.random.default_rng(seed)
    xs, cols, shps, cells = [], [], [], []
    for ci, cname in enumerate(TEST_COLOURS):
        for si, sname in enumerate(TEST_SHAPES):
            for _ in range(per_class):
                w, h = [(224, 224), (320, 240), (240, 320)][rng.integers(3)]
                short = min(w, h)
                d = rng.uniform(0.2, 0.5) * short
                margin = 0.05 * short
                cx = rng.uniform(margin + d / 2, w - margin - d / 2)
                cy = rng.uniform(margin + d / 2, h - margin - d / 2)
                bg = background(rng, kind, h, w)
                img = Image.fromarray(bg.astype(np.uint8))
                rgb = PURE[cname][rng.integers(len(PURE[cname]))]
                draw_shape(ImageDraw.Draw(img), sname, cx, cy, d, rgb)
                arr = np.asarray(img, np.float32)
                sigma = rng.choice([3.0, 12.0, 25.0, 40.0])
                arr = np.clip(arr + rng.normal(0, sigma, arr.shape), 0, 255).astype(np.uint8)
                xs.append(preprocess(arr, size))
                cols.append(ci)
                shps.append(si)
                ox, oy = (w - short) / 2, (h - short) / 2
                u, v = (cx - ox) / short, (cy - oy) / short
                cells.append(cell_of(u, v) if 0 <= u < 1 and 0 <= v < 1 else -1)
    return np.stack(xs), np.array(cols), np.array(shps), np.array(cells)
