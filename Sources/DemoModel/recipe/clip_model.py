"""A plain-torch CLIP in the Hugging Face `CLIPModel` layout, plus a safetensors writer.

Parameter names match transformers' CLIPModel exactly, so `state_dict()` can be written
as-is to `model.safetensors` and loaded by clipdex's Swift engine (or by transformers).

Architecture (as in OpenAI CLIP / HF):
  vision: conv patch embedding (no bias) -> [CLS] + patches + position embedding
          -> pre_layrnorm -> N pre-LN blocks -> post_layernorm(CLS) -> visual_projection
  text:   token + position embedding -> N pre-LN blocks with a causal mask
          -> final_layer_norm -> hidden state at the end token (id 49407) -> text_projection
  blocks: x + attn(ln1(x)); x + mlp(ln2(x)); mlp = fc2(quick_gelu(fc1(x)))
  logits = exp(logit_scale) * cosine(image_embeds, text_embeds)
"""

import json
import math
import struct
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

END_TOKEN = 49407
VOCAB_SIZE = 49408
CONTEXT = 77


@dataclass
class CLIPShape:
    """Sizes of both towers (what goes into config.json)."""
    image_size: int = 48
    patch_size: int = 4
    vision_width: int = 96
    vision_layers: int = 4
    vision_heads: int = 4
    text_width: int = 64
    text_layers: int = 3
    text_heads: int = 4
    projection_dim: int = 64

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """Multi-head self-attention with HF names q_proj/k_proj/v_proj/out_proj."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, mask: torch.Tensor = None) -> torch.Tensor:
        b, n, w = x.shape                                   # x: [B, N, W]
        hd = w // self.heads

        def split(t):                                       # [B, N, W] -> [B, H, N, hd]
            return t.view(b, n, self.heads, hd).transpose(1, 2)

        q = split(self.q_proj(x)) * (hd ** -0.5)
        k, v = split(self.k_proj(x)), split(self.v_proj(x))
        att = q @ k.transpose(-1, -2)                       # [B, H, N, N]
        if mask is not None:
            att = att + mask
        out = att.softmax(-1) @ v                           # [B, H, N, hd]
        return self.out_proj(out.transpose(1, 2).reshape(b, n, w))


class MLP(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class Block(nn.Module):
    """Pre-LN residual transformer block (HF CLIPEncoderLayer)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width, eps=1e-5)
        self.self_attn = Attention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = MLP(width)

    def forward(self, x, mask=None):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.layers = nn.ModuleList([Block(width, heads) for _ in range(layers)])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


class VisionEmbeddings(nn.Module):
    def __init__(self, s: CLIPShape):
        super().__init__()
        w = s.vision_width
        self.class_embedding = nn.Parameter(torch.randn(w) * w ** -0.5)
        self.patch_embedding = nn.Conv2d(3, w, s.patch_size, stride=s.patch_size, bias=False)
        self.position_embedding = nn.Embedding(s.grid ** 2 + 1, w)

    def forward(self, pixels):                              # pixels: [B, 3, S, S]
        p = self.patch_embedding(pixels).flatten(2).transpose(1, 2)   # [B, G*G, W]
        cls = self.class_embedding.expand(p.shape[0], 1, -1)
        return torch.cat([cls, p], 1) + self.position_embedding.weight  # [B, 1+G*G, W]


class VisionTransformer(nn.Module):
    def __init__(self, s: CLIPShape):
        super().__init__()
        self.embeddings = VisionEmbeddings(s)
        self.pre_layrnorm = nn.LayerNorm(s.vision_width, eps=1e-5)   # sic: HF's spelling
        self.encoder = Encoder(s.vision_width, s.vision_layers, s.vision_heads)
        self.post_layernorm = nn.LayerNorm(s.vision_width, eps=1e-5)

    def forward(self, pixels):
        """Returns (pooled [B, W], all tokens after post_layernorm [B, 1+G*G, W])."""
        h = self.encoder(self.pre_layrnorm(self.embeddings(pixels)))
        tokens = self.post_layernorm(h)
        return tokens[:, 0], tokens


class TextEmbeddings(nn.Module):
    def __init__(self, s: CLIPShape):
        super().__init__()
        self.token_embedding = nn.Embedding(VOCAB_SIZE, s.text_width)
        self.position_embedding = nn.Embedding(CONTEXT, s.text_width)

    def forward(self, ids):                                 # ids: [B, L]
        n = ids.shape[1]
        return self.token_embedding(ids) + self.position_embedding.weight[:n]


class TextTransformer(nn.Module):
    def __init__(self, s: CLIPShape):
        super().__init__()
        self.embeddings = TextEmbeddings(s)
        self.encoder = Encoder(s.text_width, s.text_layers, s.text_heads)
        self.final_layer_norm = nn.LayerNorm(s.text_width, eps=1e-5)

    def forward(self, ids):
        """ids: [B, L] padded with 0 after the end token; returns pooled [B, W]."""
        n = ids.shape[1]
        mask = torch.full((n, n), float("-inf")).triu(1)    # causal: no looking ahead
        h = self.final_layer_norm(self.encoder(self.embeddings(ids), mask))
        end = (ids == END_TOKEN).int().argmax(1)            # first end token per row
        return h[torch.arange(ids.shape[0]), end]


class CLIP(nn.Module):
    def __init__(self, s: CLIPShape):
        super().__init__()
        self.shape = s
        self.vision_model = VisionTransformer(s)
        self.text_model = TextTransformer(s)
        self.visual_projection = nn.Linear(s.vision_width, s.projection_dim, bias=False)
        self.text_projection = nn.Linear(s.text_width, s.projection_dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self._init_weights()

    def _init_weights(self):
        """CLIP-style init: small normal weights, zero biases, unit LayerNorms."""
        for name, p in self.named_parameters():
            if name == "logit_scale" or name.endswith("class_embedding"):
                continue
            if p.dim() == 1:
                nn.init.ones_(p) if "norm" in name and name.endswith("weight") else nn.init.zeros_(p)
            elif "embedding" in name:
                nn.init.normal_(p, std=0.02)
            else:
                fan_in = p[0].numel()
                nn.init.normal_(p, std=fan_in ** -0.5)

    def init_vision_positions(self, scale: float = 1.0):
        """Initialises the (learned) vision position embeddings with a 2D sin-cos pattern.

        With the default N(0, 0.02) init the patch positions are ~50x weaker than the patch
        contents, and a small ViT needs many steps before it can tell where anything is.
        Half the channels encode the row, half the column, at geometric frequencies; [CLS]
        keeps a zero position. -> position_embedding.weight [1 + G*G, W]
        """
        g, w = self.shape.grid, self.shape.vision_width
        quarter = w // 4
        freqs = 1.0 / (g ** (torch.arange(quarter) / max(1, quarter - 1)))   # 1 ... 1/g
        pos = torch.arange(g, dtype=torch.float32)[:, None] * freqs[None] * math.pi  # [G, W/4]
        enc = torch.cat([pos.sin(), pos.cos()], 1)                            # [G, W/2]
        rows = enc[:, None, :].expand(g, g, -1)
        cols = enc[None, :, :].expand(g, g, -1)
        table = torch.cat([rows, cols], -1).reshape(g * g, -1)                # [G*G, <=W]
        weight = torch.zeros(g * g + 1, w)
        weight[1:, :table.shape[1]] = table * scale
        with torch.no_grad():
            self.vision_model.embeddings.position_embedding.weight.copy_(weight)

    def encode_image(self, pixels):
        pooled, tokens = self.vision_model(pixels)
        return self.visual_projection(pooled), pooled, tokens

    def encode_text(self, ids):
        return self.text_projection(self.text_model(ids))


# ----------------------------------------------------------------------------- export

def hf_config(s: CLIPShape) -> dict:
    """config.json in the layout transformers writes for CLIPModel."""
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": s.projection_dim,
        "logit_scale_init_value": 2.6592,
        "initializer_factor": 1.0,
        "text_config": {
            "model_type": "clip_text_model",
            "hidden_size": s.text_width,
            "intermediate_size": 4 * s.text_width,
            "num_hidden_layers": s.text_layers,
            "num_attention_heads": s.text_heads,
            "max_position_embeddings": CONTEXT,
            "vocab_size": VOCAB_SIZE,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5,
            "bos_token_id": 49406,
            "eos_token_id": END_TOKEN,
            "pad_token_id": 1,
        },
        "vision_config": {
            "model_type": "clip_vision_model",
            "hidden_size": s.vision_width,
            "intermediate_size": 4 * s.vision_width,
            "num_hidden_layers": s.vision_layers,
            "num_attention_heads": s.vision_heads,
            "image_size": s.image_size,
            "patch_size": s.patch_size,
            "num_channels": 3,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5,
        },
        "torch_dtype": "float16",
    }


def write_safetensors(path: str, tensors: dict, metadata: dict = None):
    """Writes a safetensors file: u64 LE header length, JSON header, raw little-endian data.

    Tensors are written in sorted-name order, each as F16 (float tensors) or as-is.
    """
    dtype_names = {torch.float16: "F16", torch.float32: "F32", torch.int32: "I32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype_names[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)                 # align data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path: str) -> dict:
    """Reads a safetensors file written as above (F16/F32) into float32 tensors."""
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dt = {"F16": np.float16, "F32": np.float32}[info["dtype"]]
        arr = np.frombuffer(data[a:b], dtype=dt).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out


def export(model: CLIP, out_dir: str, metadata: dict = None):
    """Writes config.json and fp16 model.safetensors (HF CLIPModel names) into out_dir."""
    import os
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(hf_config(model.shape), f, indent=2)
        f.write("\n")
    state = {k: v.to(torch.float16) for k, v in model.state_dict().items()}
    meta = {"format": "pt"}
    meta.update(metadata or {})
    write_safetensors(os.path.join(out_dir, "model.safetensors"), state, meta)


def shape_from_config(cfg: dict) -> CLIPShape:
    v, t = cfg["vision_config"], cfg["text_config"]
    return CLIPShape(image_size=v["image_size"], patch_size=v["patch_size"],
                     vision_width=v["hidden_size"], vision_layers=v["num_hidden_layers"],
                     vision_heads=v["num_attention_heads"], text_width=t["hidden_size"],
                     text_layers=t["num_hidden_layers"], text_heads=t["num_attention_heads"],
                     projection_dim=cfg["projection_dim"])
