#!/usr/bin/env python3
"""Trains clipdex's demo CLIP on the synthetic shapes world and exports it in the Hugging Face
CLIPModel layout (config.json + fp16 model.safetensors + MODEL_CARD.md).

Run from the repository root (Debian's python3 with python3-torch and python3-numpy):

    python3 Sources/DemoModel/recipe/train_demo_clip.py --out Sources/DemoModel/clip-demo

`--eval-only Sources/DemoModel/clip-demo --eval-per-class 30 --eval-seed 7` re-scores an
exported model on a fresh held-out set.

Defaults: a ~105-minute run (`--minutes`; the learning-rate schedule follows wall-clock time,
so the run ends on time however busy the machine is), seed 0, 2 torch threads (on a machine
busy with other jobs `--threads 1` is faster). `--steps N` fixes the number of optimiser steps
instead (deterministic for a given seed and thread count); `--minutes 10` is a smoke run.
`--init DIR` continues from an exported model. The model is exported (and MODEL_CARD.md
rewritten) at every evaluation, so an interrupted run still leaves a usable model.

Recipe (see EXPERIMENTS.md for the measurements behind it):
  * world: world.py renders 1-2 shapes (9 shapes, 9 colours, 3 sizes, 3x3 positions) on
    flat/gradient/blotchy noisy backgrounds at random resolutions and aspect ratios, then
    applies CLIP's exact preprocessing (bicubic shorter side -> image_size, centre crop, norm).
  * loss: multi-positive contrastive loss (a caption is a positive of every image it is true
    of; each batch also contrasts against all 81 "a {colour} {shape}" captions), plus
    supervised auxiliary heads on the image tower from the generator's truth: colour, shape
    (weight 2), size and 3x3 cell from the pooled CLS token, a 16x16 coverage map of the
    shapes decoded from the CLS token, and a per-patch shape-class head.
    The auxiliary heads are training-only and are not exported.
  * conditioning: the vision position embeddings start from a 2D sin-cos table (CLIP's
    N(0, 0.02) init leaves a small ViT blind to positions for hundreds of steps).
  * curriculum: shapes of 30-60% of the side for the first 300 steps, then 18-60%.
  * evaluation: zero-shot over the 36 captions "a {colour} {shape}" (6 test colours x 6 test
    shapes) on a held-out set drawn by an independent PIL renderer (evalset.py); position =
    9-way choice among "a {colour} {shape} {position}" with the true colour and shape.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bpe import Tokenizer                                              # noqa: E402
from clip_model import CLIP, CLIPShape, export                         # noqa: E402
import world as W                                                      # noqa: E402
from evalset import make_eval_set                                      # noqa: E402

MERGES = os.path.join(HERE, "..", "..", "..", "..", "shared", "fixtures", "tokenizer",
                      "bpe_simple_vocab_16e6.txt.gz")


def find_merges(path_arg):
    for p in [path_arg, MERGES, "/work/shared/fixtures/tokenizer/bpe_simple_vocab_16e6.txt.gz"]:
        if p and os.path.exists(p):
            return p
    raise FileNotFoundError("bpe_simple_vocab_16e6.txt.gz not found; pass --merges")


def pad_ids(seqs):
    """List of token id lists -> LongTensor [N, L] padded with 0 (L = longest)."""
    n = max(len(s) for s in seqs)
    out = torch.zeros(len(seqs), n, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s)
    return out


# ----------------------------------------------------------------------------- data

class SceneStream(torch.utils.data.IterableDataset):
    """Endless stream of training batches, rendered in a DataLoader worker.

    Each batch: pixels [B, 3, S, S], per-patch shape labels [B, G*G], per-image truth
    (colour, shape, size, cell; -1 for two-object images) [B, 4], object lists and captions.
    """

    def __init__(self, args, merges):
        self.args, self.merges = args, merges

    def __iter__(self):
        a = self.args
        torch.set_num_threads(1)
        rng = np.random.default_rng(a.seed + 1)
        tok = Tokenizer(self.merges)
        step, parent = 0, os.getppid()
        while os.getppid() == parent:          # stop if the training process went away
            curriculum = step < a.curriculum_steps
            min_extent = 0.3 if curriculum else a.min_extent
            pix, plabels, masks, truth, scenes, caps, descs = [], [], [], [], [], [], []
            for _ in range(a.batch):
                objs = W.sample_scene(rng, min_extent=min_extent,
                                      two_prob=0.1 if curriculum else a.two_prob)
                img, ids = W.render(rng, objs, with_ids=True)
                pix.append(W.preprocess(img, a.image_size))
                plabels.append(W.patch_labels(ids, objs, a.image_size, a.patch_size))
                masks.append(W.coverage_mask(ids, MASK_GRID))
                o = objs[0]
                truth.append((o["colour"], o["shape"], o["size"], o["cell"]) if len(objs) == 1
                             else (-1, -1, -1, -1))
                text, d = W.sample_caption(rng, objs)
                scenes.append([{k: v for k, v in ob.items() if k != "params"} for ob in objs])
                caps.append(text)
                descs.append(d)
            # unique captions (several images may share one)
            uniq, udesc = [], []
            for t, d in zip(caps, descs):
                if t not in uniq:
                    uniq.append(t)
                    udesc.append(d)
            yield {
                "pixels": torch.from_numpy(np.stack(pix)),
                "patch_labels": torch.from_numpy(np.stack(plabels)),
                "masks": torch.from_numpy(np.stack(masks)),
                "truth": torch.tensor(truth),
                "ids": pad_ids([tok(t) for t in uniq]),
                "captions": uniq,
                "truth_matrix": torch.from_numpy(W.caption_truth(udesc, scenes)),
                "scenes": scenes,
            }
            step += 1


def fixed_captions():
    """All 81 "a {colour} {shape}" captions with their descriptors."""
    texts, descs = [], []
    for c, cname in enumerate(W.COLOUR_NAMES):
        for s, sname in enumerate(W.SHAPES):
            texts.append(f"{W.article(cname)} {cname} {sname}")
            descs.append([(c, s, -1, -1)])
    return texts, descs


# ----------------------------------------------------------------------------- losses

def multi_positive_nll(logits, pos):
    """-log(sum of softmax probability over the positives), rows without positives skipped.
    logits, pos: [N, M] (pos boolean)."""
    has = pos.any(1)
    logp = logits.log_softmax(1)
    lp = torch.logsumexp(logp.masked_fill(~pos, float("-inf")), 1)
    return -(lp[has]).mean()


MASK_GRID = 16


class AuxHeads(nn.Module):
    """Training-only supervised heads on the image tower.

    Besides the class heads, `mask` decodes the 16x16 coverage map of the shapes from the
    pooled CLS feature: a dense target that rewards any partial knowledge of the geometry
    (roundness, corners, spikes, holes), unlike the 9-way shape label.
    """

    def __init__(self, width, shape_weight=1.0, mask_weight=1.0):
        super().__init__()
        self.shape_weight, self.mask_weight = shape_weight, mask_weight
        self.mask = nn.Sequential(nn.Linear(width, 256), nn.GELU(), nn.Linear(256, MASK_GRID ** 2))
        self.colour = nn.Linear(width, len(W.COLOUR_NAMES))
        self.shape = nn.Linear(width, len(W.SHAPES))
        self.size = nn.Linear(width, 3)
        self.cell = nn.Linear(width, 9)
        self.patch = nn.Linear(width, 1 + len(W.SHAPES))

    def loss(self, pooled, tokens, truth, patch_labels, masks, use_dense=True):
        """pooled [B, W], tokens [B, 1+G*G, W], truth [B, 4], patch_labels [B, G*G],
        masks [B, 16*16]."""
        single = truth[:, 0] >= 0
        losses = {}
        if single.any():
            p, t = pooled[single], truth[single]
            losses["colour"] = F.cross_entropy(self.colour(p), t[:, 0])
            losses["shape"] = self.shape_weight * F.cross_entropy(self.shape(p), t[:, 1])
            losses["size"] = F.cross_entropy(self.size(p), t[:, 2])
            losses["cell"] = F.cross_entropy(self.cell(p), t[:, 3])
        if self.mask_weight > 0:
            losses["mask"] = self.mask_weight * F.binary_cross_entropy_with_logits(self.mask(pooled), masks)
        if use_dense:
            logits = self.patch(tokens[:, 1:])                         # [B, G*G, 10]
            losses["patch"] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                              patch_labels.reshape(-1))
        return losses


# ----------------------------------------------------------------------------- evaluation

class Evaluator:
    """Zero-shot scores on the held-out set drawn by evalset.py's independent renderer."""

    def __init__(self, tok, image_size, per_class, seed=1234, kind="grey"):
        x, self.colour, self.shape, self.cell = make_eval_set(seed, per_class, image_size, kind)
        self.pixels = torch.from_numpy(x)
        self.pairs = [(c, s) for c in W.TEST_COLOURS for s in W.TEST_SHAPES]
        self.ids36 = pad_ids([tok(f"a {c} {s}") for c, s in self.pairs])
        # per (colour, shape): the 9 position captions, one canonical phrase per cell
        self.pos_ids = {pair: pad_ids([tok(f"a {pair[0]} {pair[1]} {ph[0]}")
                                       for ph in W.POSITION_PHRASES]) for pair in self.pairs}

    @torch.no_grad()
    def __call__(self, model, aux=None):
        model.eval()
        emb, pooled = [], []
        for chunk in self.pixels.split(128):
            e, p, _ = model.encode_image(chunk)
            emb.append(F.normalize(e, dim=-1))
            pooled.append(p)
        img, pooled = torch.cat(emb), torch.cat(pooled)
        txt = F.normalize(model.encode_text(self.ids36), dim=-1)
        pred = (img @ txt.T).argmax(1).numpy()
        pc, ps = pred // 6, pred % 6
        res = {"colour": float((pc == self.colour).mean()), "shape": float((ps == self.shape).mean())}
        res["both"] = float(((pc == self.colour) & (ps == self.shape)).mean())
        hits, n = 0, 0
        pos_txt = {pair: F.normalize(model.encode_text(ids), dim=-1) for pair, ids in self.pos_ids.items()}
        for i in range(len(img)):
            if self.cell[i] < 0:
                continue
            pair = (W.TEST_COLOURS[self.colour[i]], W.TEST_SHAPES[self.shape[i]])
            hits += int((pos_txt[pair] @ img[i]).argmax()) == self.cell[i]
            n += 1
        res["position"] = hits / max(1, n)
        if aux is not None:   # diagnostic: does the image tower itself know the shape?
            names = [W.SHAPES.index(s) for s in W.TEST_SHAPES]
            sp = aux.shape(pooled)[:, names].argmax(1).numpy()
            res["aux_shape"] = float((sp == self.shape).mean())
        model.train()
        return res


# ----------------------------------------------------------------------------- training

def lr_at(step, progress, base, warmup):
    """Linear warmup over `warmup` steps, then cosine decay to 2% as progress goes 0 -> 1."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def make_optimizer(model, aux, lr, wd):
    decay, no_decay = [], []
    for name, p in list(model.named_parameters()) + list(aux.named_parameters()):
        if p.dim() < 2 or "embedding" in name or name == "logit_scale":
            no_decay.append(p)
        else:
            decay.append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.98))


def write_model_card(out, args, shape, scores, steps, images, minutes):
    s = shape
    text = f"""# clip-demo — a tiny CLIP trained on the synthetic shapes world

This is **not** OpenAI's CLIP. It is a small model with CLIP's architecture, in the Hugging Face
`CLIPModel` layout (fp16 safetensors), trained from scratch by
`Sources/DemoModel/recipe/train_demo_clip.py` on rendered pictures of the shapes world
(`recipe/WORLD.md`). It understands only that world: colours, shapes, sizes, positions.

## Architecture
- vision: {s.image_size}x{s.image_size} px, patch {s.patch_size}, width {s.vision_width}, {s.vision_layers} layers, {s.vision_heads} heads
- text: width {s.text_width}, {s.text_layers} layers, {s.text_heads} heads, CLIP's BPE vocabulary (49408), context 77
- projection {s.projection_dim}, quick_gelu, pre-LN, causal text mask, pooled text at token 49407
- preprocessing: CLIP's (bicubic shorter side -> {s.image_size}, centre crop, CLIP mean/std)

## Training data
Rendered on the fly: 1 shape (or 2 with probability {args.two_prob}) of 9 shapes
({", ".join(W.SHAPES)}) in 9 colours ({", ".join(W.COLOUR_NAMES)}), extent
{args.min_extent:.0%}-60% of the visible square, anywhere in it, on flat / gradient / blotchy backgrounds with gaussian or uniform
noise of varying strength, anti-aliased or hard-edged, small rotations, canvases 48-256 px of
aspect ratios 3:4 to 16:9. Captions name a random subset of colour, shape, size (small / medium /
large) and position (3x3 grid: "on the left", "at the top right", "in the centre", ...), e.g.
"a small red circle on the left and a blue star".

## Training
{steps} steps of batch {args.batch} ({images} images, {minutes:.0f} min on 2 CPU cores),
AdamW lr {args.lr}, cosine schedule. Loss: multi-positive contrastive (a caption is a positive of
every image it is true of; all 81 "a {{colour}} {{shape}}" captions contrasted in every batch) plus
training-only supervised heads on the image tower (colour, shape, size, cell and a 16x16 coverage
map from the CLS token; shape class per patch); large shapes only for the first
{args.curriculum_steps} steps; 2D sin-cos init of the vision position embeddings. Seed {args.seed}.

## Measured (zero-shot, held-out images drawn by an independent PIL renderer)
360 images (224x224, 320x240, 240x320; one hard-edged shape, 20-50% of the short side, grey
background, gaussian noise sigma 3-40); argmax over the 36 captions "a {{colour}} {{shape}}"
(colours red, green, blue, yellow, white, black; shapes circle, square, triangle, star, ring, cross):

| colour | shape | both | position (9-way) |
|---|---|---|---|
| {scores['colour']:.3f} | {scores['shape']:.3f} | {scores['both']:.3f} | {scores['position']:.3f} |

Position: among "a {{colour}} {{shape}} {{position}}" for the 9 cells, with the true colour and shape.

## Limits
Knows nothing outside the shapes world; unknown words get untrained embeddings. Positions refer
to the centre-cropped square CLIP sees, so on wide frames the left and right edges are cut off.
"""
    with open(os.path.join(out, "MODEL_CARD.md"), "w") as f:
        f.write(text)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="Sources/DemoModel/clip-demo", help="export directory")
    p.add_argument("--minutes", type=float, default=105.0, help="training time budget")
    p.add_argument("--steps", type=int, default=0, help="fixed number of steps (overrides --minutes)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch threads for training")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--wd", type=float, default=0.05)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--image-size", type=int, default=48)
    p.add_argument("--patch-size", type=int, default=6)
    p.add_argument("--vision-width", type=int, default=64)
    p.add_argument("--vision-layers", type=int, default=4)
    p.add_argument("--text-width", type=int, default=64)
    p.add_argument("--text-layers", type=int, default=3)
    p.add_argument("--projection", type=int, default=64)
    p.add_argument("--two-prob", type=float, default=0.25, help="share of two-shape scenes")
    p.add_argument("--curriculum-steps", type=int, default=300, help="steps with large shapes only")
    p.add_argument("--aux-weight", type=float, default=1.0, help="weight of the supervised heads")
    p.add_argument("--pos-init", type=float, default=1.0,
                   help="scale of the 2D sin-cos init of the vision position embeddings (0: CLIP's N(0, 0.02))")
    p.add_argument("--min-extent", type=float, default=0.18, help="smallest shape after the curriculum")
    p.add_argument("--shape-weight", type=float, default=2.0, help="weight of the CLS shape head")
    p.add_argument("--mask-weight", type=float, default=1.0, help="weight of the CLS coverage-map head")
    p.add_argument("--init", metavar="DIR", default=None, help="start from an exported model in DIR")
    p.add_argument("--no-dense", action="store_true", help="drop the per-patch shape head")
    p.add_argument("--eval-every", type=float, default=5.0, help="minutes between evaluations")
    p.add_argument("--eval-per-class", type=int, default=10)
    p.add_argument("--merges", default=None, help="path of bpe_simple_vocab_16e6.txt.gz")
    p.add_argument("--eval-only", metavar="DIR", default=None,
                   help="only score the exported model in DIR (with --eval-per-class, --eval-seed)")
    p.add_argument("--eval-background", default="grey", choices=["grey", "uniform", "blotchy"],
                   help="background of the held-out pictures for --eval-only (see evalset.background)")
    p.add_argument("--eval-seed", type=int, default=1234, help="seed of the held-out set for --eval-only")
    return p.parse_args(argv)


def evaluate_exported(directory, tok, per_class, seed, kind="grey"):
    """Scores an exported model (config.json + fp16 model.safetensors) like the training evals."""
    from clip_model import read_safetensors, shape_from_config
    with open(os.path.join(directory, "config.json")) as f:
        shape = shape_from_config(json.load(f))
    model = CLIP(shape)
    model.load_state_dict(read_safetensors(os.path.join(directory, "model.safetensors")))
    scores = Evaluator(tok, shape.image_size, per_class, seed, kind)(model)
    print(f"{directory} ({kind} backgrounds): " + " ".join(f"{k} {v:.3f}" for k, v in scores.items()), flush=True)
    return scores


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    merges = find_merges(args.merges)
    tok = Tokenizer(merges)
    if args.eval_only:
        evaluate_exported(args.eval_only, tok, args.eval_per_class, args.eval_seed, args.eval_background)
        return
    shape = CLIPShape(image_size=args.image_size, patch_size=args.patch_size,
                      vision_width=args.vision_width, vision_layers=args.vision_layers,
                      vision_heads=max(1, args.vision_width // 32), text_width=args.text_width,
                      text_layers=args.text_layers, text_heads=max(1, args.text_width // 16),
                      projection_dim=args.projection)
    model = CLIP(shape)
    if args.pos_init > 0:
        model.init_vision_positions(args.pos_init)
    if args.init:
        from clip_model import read_safetensors
        model.load_state_dict(read_safetensors(os.path.join(args.init, "model.safetensors")))
        print(f"initialised from {args.init}", flush=True)
    aux = AuxHeads(args.vision_width, args.shape_weight, args.mask_weight)
    opt = make_optimizer(model, aux, args.lr, args.wd)
    evaluator = Evaluator(tok, args.image_size, args.eval_per_class)
    fixed_text, fixed_desc = fixed_captions()
    fixed_ids = pad_ids([tok(t) for t in fixed_text])
    print(f"config {json.dumps(vars(args))}", flush=True)
    print(f"model {shape} params {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M", flush=True)

    loader = torch.utils.data.DataLoader(SceneStream(args, merges), batch_size=None, num_workers=1,
                                         prefetch_factor=4, persistent_workers=True)
    start = time.time()
    last_eval, step, scores = start, 0, None
    budget = args.minutes * 60 - 60               # keep a minute for the final eval and export

    def progress():
        """Fraction of training done: by steps with --steps, else by wall-clock time (so the
        schedule ends on time however busy the shared machine is)."""
        return step / args.steps if args.steps else (time.time() - start) / budget

    for batch in loader:
        if progress() >= 1:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress(), args.lr, args.warmup)

        img_emb, pooled, tokens = model.encode_image(batch["pixels"])
        # text side: the batch's unique captions followed by the 81 fixed captions
        # (encoded separately: the short fixed captions need no padding to the batch's length)
        txt_emb = torch.cat([model.encode_text(batch["ids"]), model.encode_text(fixed_ids)])
        truth = torch.cat([batch["truth_matrix"],
                           torch.from_numpy(W.caption_truth(fixed_desc, batch["scenes"]))], 1)
        scale = model.logit_scale.clamp(max=math.log(100)).exp()
        logits = scale * F.normalize(img_emb, dim=-1) @ F.normalize(txt_emb, dim=-1).T   # [B, T]
        loss_i2t = multi_positive_nll(logits, truth)
        loss_t2i = multi_positive_nll(logits.T, truth.T)
        aux_losses = aux.loss(pooled, tokens, batch["truth"], batch["patch_labels"],
                                batch["masks"], not args.no_dense)
        loss = 0.5 * (loss_i2t + loss_t2i) + args.aux_weight * sum(aux_losses.values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(model.parameters()) + list(aux.parameters()), 1.0)
        opt.step()
        step += 1

        if step % 25 == 0:
            el = time.time() - start
            parts = " ".join(f"{k} {v.item():.3f}" for k, v in aux_losses.items())
            print(f"step {step} {el / 60:.1f}min lr {opt.param_groups[0]['lr']:.2e} loss {loss.item():.3f} "
                  f"i2t {loss_i2t.item():.3f} t2i {loss_t2i.item():.3f} {parts} "
                  f"scale {scale.item():.1f} {step * args.batch / el:.0f} img/s", flush=True)
        if time.time() - last_eval > args.eval_every * 60:
            scores = evaluator(model, aux)
            last_eval = time.time()
            print(f"eval step {step} {(last_eval - start) / 60:.1f}min " +
                  " ".join(f"{k} {v:.3f}" for k, v in scores.items()), flush=True)
            save(model, args, shape, scores, step, (last_eval - start) / 60)
    scores = evaluator(model, aux)
    print("final " + " ".join(f"{k} {v:.3f}" for k, v in scores.items()), flush=True)
    save(model, args, shape, scores, step, (time.time() - start) / 60)
    print(f"exported to {args.out}", flush=True)


def save(model, args, shape, scores, step, minutes):
    if not args.out:
        return
    export(model, args.out, {"recipe": "shapes-world", "step": str(step),
                             "scores": json.dumps({k: round(v, 4) for k, v in scores.items()})})
    write_model_card(args.out, args, shape, scores, step, step * args.batch, minutes)


if __name__ == "__main__":
    main()
