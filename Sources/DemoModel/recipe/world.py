"""The synthetic "shapes world": scene sampling, numpy rendering, captions, CLIP preprocessing.

A scene is one or two solid shapes on a background (flat, gradient or blotchy, with noise).
Geometry is defined relative to the *visible square* (what CLIP's centre crop keeps), see
WORLD.md for the exact definitions shared with clipdex's Swift video generator.

Attribute ids (used as supervised targets and in caption truth tests):
  colour: index into COLOURS, shape: index into SHAPES,
  size: 0 small / 1 medium / 2 large, cell: 3*row + col of the 3x3 grid (row 0 = top).
"""

import math

import numpy as np
from PIL import Image

# ----------------------------------------------------------------------------- vocabulary

# name -> canonical RGB variants (the first is the canonical one used in WORLD.md)
COLOURS = {
    "red":    [(220, 30, 30), (255, 0, 0), (200, 0, 0), (240, 60, 50)],
    "green":  [(30, 170, 40), (0, 255, 0), (0, 128, 0), (60, 200, 60), (34, 139, 34)],
    "blue":   [(30, 70, 230), (0, 0, 255), (0, 0, 180), (40, 110, 255)],
    "yellow": [(250, 220, 20), (255, 255, 0), (240, 230, 60), (255, 210, 0)],
    "white":  [(245, 245, 245), (255, 255, 255), (230, 230, 230)],
    "black":  [(15, 15, 15), (0, 0, 0), (35, 35, 35)],
    "orange": [(255, 140, 0), (255, 165, 0), (240, 120, 20)],
    "purple": [(140, 40, 180), (128, 0, 128), (160, 80, 220)],
    "pink":   [(255, 120, 190), (255, 105, 180), (250, 150, 200)],
}
COLOUR_NAMES = list(COLOURS)
SHAPES = ["circle", "square", "triangle", "star", "ring", "cross", "diamond", "heart", "hexagon"]
SIZE_WORDS = ["small", "medium", "large"]
# 3x3 cells, row-major from the top left; each entry lists the phrases that name the cell
POSITION_PHRASES = [
    ["at the top left", "in the top left corner"],
    ["at the top", "at the top centre"],
    ["at the top right", "in the top right corner"],
    ["on the left"],
    ["in the centre", "in the center", "in the middle"],
    ["on the right"],
    ["at the bottom left", "in the bottom left corner"],
    ["at the bottom", "at the bottom centre"],
    ["at the bottom right", "in the bottom right corner"],
]
SMALL_MAX, LARGE_MIN = 0.25, 0.40      # size classes by extent / visible side

TEST_COLOURS = ["red", "green", "blue", "yellow", "white", "black"]
TEST_SHAPES = ["circle", "square", "triangle", "star", "ring", "cross"]


def size_class(extent: float) -> int:
    """extent = shape's bounding extent / side of the visible square."""
    return 0 if extent < SMALL_MAX else (2 if extent >= LARGE_MIN else 1)


def cell_of(cx: float, cy: float) -> int:
    """cx, cy in [0, 1] over the visible square -> 3x3 cell id (row-major, top left = 0)."""
    col = min(2, max(0, int(cx * 3)))
    row = min(2, max(0, int(cy * 3)))
    return 3 * row + col


# ----------------------------------------------------------------------------- geometry

def polygon_inside(x, y, vx, vy):
    """Even-odd point-in-polygon for arrays of points x, y and vertices vx, vy."""
    inside = np.zeros(x.shape, bool)
    n = len(vx)
    for i in range(n):
        x1, y1, x2, y2 = vx[i], vy[i], vx[(i + 1) % n], vy[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        xcross = (x2 - x1) * (y - y1) / (y2 - y1) + x1
        inside ^= crosses & (x < xcross)
    return inside


def regular_polygon(k, radius, start_angle):
    a = start_angle + 2 * math.pi * np.arange(k) / k
    return radius * np.cos(a), radius * np.sin(a)


def shape_mask(shape: str, x, y, params: dict):
    """Inside test in shape-local coordinates (unit extent: the shape spans about [-0.5, 0.5]
    on its longer axis; y points down). Returns a boolean array like x."""
    if shape == "circle":
        return x * x + y * y <= 0.25
    if shape == "ring":
        r2 = x * x + y * y
        inner = 0.5 * params.get("ring_inner", 0.6)
        return (r2 <= 0.25) & (r2 >= inner * inner)
    if shape == "square":
        return (np.abs(x) <= 0.5) & (np.abs(y) <= 0.5)
    if shape == "diamond":
        return np.abs(x) / (0.5 * params.get("diamond_width", 0.75)) + np.abs(y) / 0.5 <= 1
    if shape == "cross":
        t = 0.5 * params.get("cross_arm", 0.34)
        ax, ay = np.abs(x), np.abs(y)
        return ((ax <= t) & (ay <= 0.5)) | ((ay <= t) & (ax <= 0.5))
    if shape == "triangle":
        # upward triangle, base width 1, height sqrt(3)/2, centred on its bounding box
        h = math.sqrt(3) / 2
        return polygon_inside(x, y, np.array([0.0, 0.5, -0.5]), np.array([-h / 2, h / 2, h / 2]))
    if shape == "hexagon":
        vx, vy = regular_polygon(6, 0.5, 0.0)
        return polygon_inside(x, y, vx, vy)
    if shape == "star":
        inner = params.get("star_inner", 0.45)
        a = -math.pi / 2 + math.pi * np.arange(10) / 5
        r = np.where(np.arange(10) % 2 == 0, 0.5, 0.5 * inner)
        # a 5-point star's tips span 0.95 of its height; shift it down to centre the box
        return polygon_inside(x, y, r * np.cos(a), r * np.sin(a) + 0.5 * (1 - math.cos(math.pi / 5)) / 2)
    if shape == "heart":
        # classic implicit heart (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, y up; box ~[-1.14,1.14]x[-1,1.24]
        hx, hy = x * 2.28, -(y * 2.24) + 0.12
        return (hx * hx + hy * hy - 1) ** 3 - hx * hx * hy ** 3 <= 0
    raise ValueError(shape)


# ----------------------------------------------------------------------------- scenes

def sample_shape_params(rng) -> dict:
    """Per-object geometric variations (the unknown renderer may draw shapes differently)."""
    return {
        "ring_inner": rng.uniform(0.42, 0.72),
        "cross_arm": rng.uniform(0.26, 0.44),
        "star_inner": rng.uniform(0.35, 0.55),
        "diamond_width": rng.uniform(0.6, 0.9),
        "rotation": rng.normal(0, 6) if rng.random() < 0.6 else 0.0,   # degrees
    }


def sample_colour(rng, name: str, jitter: float = 18.0):
    variants = COLOURS[name]
    base = np.array(variants[0] if rng.random() < 0.4 else variants[rng.integers(len(variants))], float)
    return np.clip(base + rng.normal(0, jitter, 3), 0, 255)


def sample_scene(rng, min_extent=0.12, max_extent=0.6, two_prob=0.25):
    """Samples the scene truth: a list of objects with colour, shape, extent, centre (all
    relative to the visible square), plus per-object geometry parameters."""
    n = 2 if rng.random() < two_prob else 1
    objects = []
    for attempt in range(50):
        hi = max_extent if n == 1 else min(max_extent, 0.42)
        extent = rng.uniform(min_extent, max(min_extent + 0.01, hi))
        lo_c = 0.5 * extent * 0.85 + 0.02                    # mostly inside the visible square
        cx, cy = rng.uniform(lo_c, 1 - lo_c, 2)
        if any(math.hypot(cx - o["cx"], cy - o["cy"]) < 0.5 * (extent + o["extent"]) + 0.03
               for o in objects):
            continue
        colour = int(rng.integers(len(COLOUR_NAMES)))
        shape = int(rng.integers(len(SHAPES)))
        if objects and colour == objects[0]["colour"] and shape == objects[0]["shape"]:
            continue
        objects.append({"colour": colour, "shape": shape, "extent": extent, "cx": cx, "cy": cy,
                        "size": size_class(extent), "cell": cell_of(cx, cy),
                        "params": sample_shape_params(rng)})
        if len(objects) == n:
            break
    return objects


# ----------------------------------------------------------------------------- rendering

def sample_canvas(rng):
    """Canvas (height, width): varied aspect ratios and resolutions, mostly small for speed."""
    u = rng.random()
    short = int(rng.integers(48, 97)) if u < 0.55 else (int(rng.integers(97, 161)) if u < 0.85
                                                         else int(rng.integers(161, 257)))
    aspect = [1.0, 1.0, 4 / 3, 16 / 9, 3 / 4, 1.5][rng.integers(6)]
    if aspect >= 1:
        return short, int(round(short * aspect))
    return int(round(short / aspect)), short


def render_background(rng, h, w, avoid):
    """Flat, gradient or blotchy background far enough (in RGB) from the shape colours."""
    for _ in range(20):
        kind = rng.random()
        if rng.random() < 0.5:
            base = np.full(3, rng.uniform(40, 215))                  # grey
        else:
            base = rng.uniform(20, 235, 3)
        if all(np.linalg.norm(base - c) > 90 for c in avoid):
            break
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    if kind < 0.3:                                                    # linear gradient
        other = np.clip(base + rng.normal(0, 40, 3), 0, 255)
        ang = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx * math.cos(ang) + yy * math.sin(ang)) / max(h, w)
        t = (t - t.min()) / max(1e-6, t.max() - t.min())
        img += t[..., None] * (other - base)[None, None].astype(np.float32)
    elif kind < 0.5:                                                  # blotchy texture
        gh, gw = int(rng.integers(2, 8)), int(rng.integers(2, 8))
        blot = rng.normal(0, rng.uniform(8, 30), (gh, gw, 3)).astype(np.float32)
        big = np.asarray(Image.fromarray(blot[..., 0]).resize((w, h), Image.BILINEAR))
        img += big[..., None] if rng.random() < 0.5 else np.stack(
            [np.asarray(Image.fromarray(blot[..., c]).resize((w, h), Image.BILINEAR)) for c in range(3)], -1)
    return img


def add_noise(rng, img):
    """Pixel noise of varying strength: gaussian (colour or grey) or uniform.

    The drawn strength is scaled by min(1, short side / 128): CLIP's downscaling to 48 px
    averages pixel noise away on big frames but not on small ones, so without the scaling
    small canvases would be far noisier (at model resolution) than any real frame.
    """
    strength = rng.choice([0.0, rng.uniform(2, 15), rng.uniform(10, 40), rng.uniform(30, 70)],
                          p=[0.1, 0.3, 0.4, 0.2])
    h, w, _ = img.shape
    strength *= min(1.0, min(h, w) / 128)
    if strength == 0:
        return img
    if rng.random() < 0.7:
        shape3 = (h, w, 3) if rng.random() < 0.7 else (h, w, 1)
        noise = rng.standard_normal(shape3, dtype=np.float32) * strength
    else:
        noise = (rng.random((h, w, 3), dtype=np.float32) - 0.5) * (2 * 1.7 * strength)
    return img + noise


def paint_object(img, obj, rgb, side, ox, oy, antialias, ids=None, label=0):
    """Paints one shape into img [H, W, 3] (float). The visible square of `side` pixels starts
    at (ox, oy) in canvas pixels. If ids is given, writes `label` where the shape covers."""
    h, w, _ = img.shape
    size_px = obj["extent"] * side
    cx, cy = ox + obj["cx"] * side, oy + obj["cy"] * side
    half = 0.75 * size_px + 2
    x0, x1 = max(0, int(cx - half)), min(w, int(cx + half) + 1)
    y0, y1 = max(0, int(cy - half)), min(h, int(cy + half) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    ss = 3 if antialias else 1
    offs = (np.arange(ss) + 0.5) / ss
    xs = (np.arange(x0, x1)[:, None] + offs[None]).reshape(-1)          # sub-pixel centres
    ys = (np.arange(y0, y1)[:, None] + offs[None]).reshape(-1)
    px, py = np.meshgrid(xs, ys)
    a = math.radians(obj["params"]["rotation"])
    dx, dy = (px - cx) / size_px, (py - cy) / size_px
    lx, ly = math.cos(a) * dx + math.sin(a) * dy, -math.sin(a) * dx + math.cos(a) * dy
    inside = shape_mask(SHAPES[obj["shape"]], lx, ly, obj["params"]).astype(np.float32)
    cover = inside.reshape(y1 - y0, ss, x1 - x0, ss).mean((1, 3))[..., None]   # [h, w, 1]
    region = img[y0:y1, x0:x1]
    region += cover * (rgb[None, None].astype(np.float32) - region)
    if ids is not None:
        ids[y0:y1, x0:x1][cover[..., 0] >= 0.5] = label


def render(rng, objects, canvas=None, with_ids=False):
    """Renders a scene on a random canvas. Returns uint8 [H, W, 3] (and optionally an id map
    uint8 [H, W]: 0 background, k = object k-1)."""
    h, w = canvas or sample_canvas(rng)
    side = min(h, w)
    ox, oy = (w - side) / 2, (h - side) / 2
    colours = [sample_colour(rng, COLOUR_NAMES[o["colour"]]) for o in objects]
    img = render_background(rng, h, w, colours)
    noise_on_shape = rng.random() < 0.5          # noise over everything, or a noisy background only
    if not noise_on_shape:
        img = add_noise(rng, img)
    ids = np.zeros((h, w), np.uint8) if with_ids else None
    antialias = rng.random() < 0.6
    for k, (o, rgb) in enumerate(zip(objects, colours)):
        paint_object(img, o, rgb, side, ox, oy, antialias, ids, k + 1)
    if noise_on_shape:
        img = add_noise(rng, img)
    img = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    return (img, ids) if with_ids else img


# ----------------------------------------------------------------------------- preprocessing

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)


def clip_resize_crop(img: Image.Image, size: int, resample=Image.BICUBIC) -> Image.Image:
    """CLIP's geometry: bicubic resize of the shorter side to `size`, centre crop size x size."""
    w, h = img.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    img = img.resize((nw, nh), resample)
    left, top = int(round((nw - size) / 2)), int(round((nh - size) / 2))
    return img.crop((left, top, left + size, top + size))


def preprocess(rgb: np.ndarray, size: int) -> np.ndarray:
    """uint8 [H, W, 3] -> float32 [3, size, size], exactly CLIP's preprocessing."""
    img = np.asarray(clip_resize_crop(Image.fromarray(rgb), size), np.float32) / 255.0
    return ((img - CLIP_MEAN) / CLIP_STD).transpose(2, 0, 1)


def patch_labels(ids: np.ndarray, objects, size: int, patch: int) -> np.ndarray:
    """Shape class per patch (0 = background, 1 + shape id) from the id map, after the same
    resize/crop as the image (nearest neighbour, sampled at the patch centre). -> [G*G] int"""
    small = np.asarray(clip_resize_crop(Image.fromarray(ids), size, Image.NEAREST))
    c = patch // 2
    grid = small[c::patch, c::patch]
    lut = np.array([0] + [1 + o["shape"] for o in objects], np.int64)
    return lut[grid].reshape(-1)


def coverage_mask(ids: np.ndarray, grid: int) -> np.ndarray:
    """Where any shape is, as a grid x grid boolean map of the visible square (nearest
    neighbour after CLIP's resize/crop). -> [grid*grid] float32"""
    small = np.asarray(clip_resize_crop(Image.fromarray(ids), grid, Image.NEAREST))
    return (small > 0).astype(np.float32).reshape(-1)


# ----------------------------------------------------------------------------- captions

def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def describe(rng, obj, p_colour=0.9, p_shape=0.85, p_size=0.35, p_pos=0.4):
    """A noun phrase naming a random subset of the object's attributes.
    Returns (text, descriptor) with descriptor = (colour, shape, size, cell), -1 = unspecified."""
    colour = obj["colour"] if rng.random() < p_colour else -1
    shape = obj["shape"] if rng.random() < p_shape else -1
    size = obj["size"] if rng.random() < p_size else -1
    cell = obj["cell"] if rng.random() < p_pos else -1
    if colour < 0 and shape < 0 and size < 0:
        colour = obj["colour"]
    words = []
    if size >= 0:
        words.append(SIZE_WORDS[size])
    if colour >= 0:
        words.append(COLOUR_NAMES[colour])
    words.append(SHAPES[shape] if shape >= 0 else "shape")
    text = article(words[0]) + " " + " ".join(words)
    if cell >= 0:
        phrases = POSITION_PHRASES[cell]
        text += " " + phrases[rng.integers(len(phrases))]
    return text, (colour, shape, size, cell)


PREFIXES = ["", "", "", "", "", "a picture of ", "a photo of ", "an image of "]


def sample_caption(rng, objects):
    """A caption true for the scene. Returns (text, descriptors) where descriptors lists one
    (colour, shape, size, cell) tuple per described object."""
    prefix = PREFIXES[rng.integers(len(PREFIXES))]
    if len(objects) == 2 and rng.random() < 0.7:
        order = [0, 1] if rng.random() < 0.5 else [1, 0]
        t1, d1 = describe(rng, objects[order[0]])
        t2, d2 = describe(rng, objects[order[1]])
        return prefix + t1 + " and " + t2, [d1, d2]
    obj = objects[rng.integers(len(objects))]
    text, d = describe(rng, obj)
    return prefix + text, [d]


def caption_truth(descriptors_list, scenes) -> np.ndarray:
    """truth[i, j] = caption j is true of scene i: every descriptor matches a distinct object.
    descriptors_list: per caption a list of 1-2 (colour, shape, size, cell) tuples (-1 = any)."""
    # objects as [B, 2, 4] with -9 padding (never matches a specified attribute)
    objs = np.full((len(scenes), 2, 4), -9, np.int64)
    for i, sc in enumerate(scenes):
        for k, o in enumerate(sc):
            objs[i, k] = (o["colour"], o["shape"], o["size"], o["cell"])
    desc = np.full((len(descriptors_list), 2, 4), -1, np.int64)
    two = np.zeros(len(descriptors_list), bool)
    for j, ds in enumerate(descriptors_list):
        for k, d in enumerate(ds):
            desc[j, k] = d
        two[j] = len(ds) == 2

    def match(dk, ok):            # descriptor slot dk vs object slot ok -> [B, C]
        d, o = desc[None, :, dk, :], objs[:, None, ok, :]
        return np.all((d < 0) | (d == o), -1) & (objs[:, None, ok, 0] >= 0)

    m00, m01, m10, m11 = match(0, 0), match(0, 1), match(1, 0), match(1, 1)
    single = m00 | m01
    double = (m00 & m11) | (m01 & m10)
    return np.where(two[None], double, single)
