"""A held-out evaluation set drawn by an *independent* renderer (PIL ImageDraw, hard edges),
mimicking how an outside check would draw "one solid shape on a noisy background":
224x224 or 320x240 canvases, pure colours, shape extent 20-50% of the short side, gaussian
noise of varying strength. Training never sees this renderer, so its scores estimate
robustness to an unknown renderer.
"""

import math
import os

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


def eval_pictures(seed=1234, per_class=10, kind="grey"):
    """Yields (RGB uint8 array, colour id, shape id, cell (-1 if the centre falls outside the
    visible square)) for every colour x shape, `per_class` each. Ids index TEST_COLOURS /
    TEST_SHAPES. `kind` picks the background (see `background`); 'grey' is the training-time set."""
    rng = np.random.default_rng(seed)
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
                ox, oy = (w - short) / 2, (h - short) / 2
                u, v = (cx - ox) / short, (cy - oy) / short
                yield arr, ci, si, (cell_of(u, v) if 0 <= u < 1 and 0 <= v < 1 else -1)


def make_eval_set(seed=1234, per_class=10, size=48, kind="grey"):
    """The pictures of `eval_pictures` preprocessed for the model: (pixels [N, 3, size, size]
    float32, colour ids, shape ids, cells)."""
    xs, cols, shps, cells = [], [], [], []
    for arr, ci, si, cell in eval_pictures(seed, per_class, kind):
        xs.append(preprocess(arr, size))
        cols.append(ci)
        shps.append(si)
        cells.append(cell)
    return np.stack(xs), np.array(cols), np.array(shps), np.array(cells)


def write_pictures(out, seed, per_class, kind):
    """Writes the pictures as PNGs plus `stills.csv` (image,colour,shape,cell) for
    `clipdex eval --stills`."""
    os.makedirs(out, exist_ok=True)
    rows = ["image,colour,shape,cell"]
    for i, (arr, ci, si, cell) in enumerate(eval_pictures(seed, per_class, kind)):
        name = f"{i:04d}.png"
        Image.fromarray(arr).save(os.path.join(out, name))
        rows.append(f"{name},{TEST_COLOURS[ci]},{TEST_SHAPES[si]},{cell}")
    with open(os.path.join(out, "stills.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="Write the held-out pictures as PNGs + stills.csv")
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--per-class", type=int, default=10)
    p.add_argument("--background", default="grey", choices=["grey", "uniform", "blotchy"])
    a = p.parse_args()
    write_pictures(a.out, a.seed, a.per_class, a.background)
