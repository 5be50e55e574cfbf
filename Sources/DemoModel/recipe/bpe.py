"""CLIP's byte-level BPE tokenizer (OpenAI's algorithm), standard library only.

ids = [49406] + bpe(clean(text)) + [49407], cut to 77 tokens with the end token kept last.

Differences from the reference: no ftfy (mojibake repair, ligatures...), and the split
pattern's \\p{L} / \\p{N} classes are approximated by str.isalpha / str.isnumeric.
Plain-ASCII text (all the shapes world uses) tokenizes exactly like OpenAI's tokenizer.
"""

import gzip
import html
import re

START, END, CONTEXT = 49406, 49407, 77
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")
_SPECIALS = ("<|startoftext|>", "<|endoftext|>")


def byte_symbols() -> list:
    """GPT-2's map of the 256 bytes to printable characters, in vocabulary order.

    Printable Latin-1 bytes map to themselves; the other bytes map to chr(256 + k) in order.
    Returns a list whose position = vocabulary id and whose entry = (byte, symbol).
    """
    keep = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
            + list(range(ord("®"), ord("ÿ") + 1)))
    pairs, extra = [(b, chr(b)) for b in keep], 0
    for b in range(256):
        if b not in keep:
            pairs.append((b, chr(256 + extra)))
            extra += 1
    return pairs


def split_words(text: str) -> list:
    """Splits cleaned text like CLIP's regex: specials, contractions, letter runs,
    single digits, runs of other non-space characters."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        special = next((s for s in _SPECIALS if text.startswith(s, i)), None)
        contraction = next((c for c in _CONTRACTIONS if text.startswith(c, i)), None)
        if special or contraction:
            piece = special or contraction
        elif ch.isspace():
            i += 1
            continue
        elif ch.isalpha():
            j = i
            while j < n and text[j].isalpha():
                j += 1
            piece = text[i:j]
        elif ch.isnumeric():
            piece = ch
        else:
            j = i
            while j < n and not (text[j].isspace() or text[j].isalpha() or text[j].isnumeric()):
                j += 1
            piece = text[i:j]
        out.append(piece)
        i += len(piece)
    return out


class Tokenizer:
    def __init__(self, merges_path: str):
        with gzip.open(merges_path, "rt", encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
        symbols = byte_symbols()
        self.byte_to_symbol = {b: s for b, s in symbols}
        vocab = [s for _, s in symbols]
        vocab += [s + "</w>" for s in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += list(_SPECIALS)
        self.encoder = {tok: i for i, tok in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache = {s: [s] for s in _SPECIALS}

    @staticmethod
    def clean(text: str) -> str:
        text = html.unescape(html.unescape(text)).strip()
        return re.sub(r"\s+", " ", text).strip().lower()

    def bpe(self, word: str) -> list:
        """Merges the symbols of one word (already byte-mapped), lowest merge rank first."""
        if word in self.cache:
            return self.cache[word]
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), k) for k, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, _ = min(pairs)
            if rank == 1 << 30:
                break
            first, second = next((parts[k], parts[k + 1]) for r, k in pairs if r == rank)
            merged, k = [], 0
            while k < len(parts):
                if k + 1 < len(parts) and parts[k] == first and parts[k + 1] == second:
                    merged.append(first + second)
                    k += 2
                else:
                    merged.append(parts[k])
                    k += 1
            parts = merged
        self.cache[word] = parts
        return parts

    def encode(self, text: str) -> list:
        """BPE ids without start/end tokens."""
        ids = []
        for piece in split_words(self.clean(text)):
            if piece in _SPECIALS:
                ids.append(self.encoder[piece])
                continue
            mapped = "".join(self.byte_to_symbol[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[p] for p in self.bpe(mapped))
        return ids

    def __call__(self, text: str, context: int = CONTEXT) -> list:
        """[START] + ids + [END], cut to `context` tokens keeping END last (no padding)."""
        ids = [START] + self.encode(text) + [END]
        if len(ids) > context:
            ids = ids[:context - 1] + [END]
        return ids
