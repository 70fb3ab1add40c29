"""Fine-tune the upper layers of all-MiniLM-L6-v2 on the constraint reader's labelled clauses (build time).

A frozen sentence embedding scores "we can retrain" and "we cannot retrain" almost alike: mean pooling
over mostly shared words blurs the one word that matters. So at build time the top :data:`LAYERS`
encoder layers are trained further, jointly with one linear head per reader head (see
:data:`fairmend.recommender.reader.HEADS`), on the hand-written exemplars and the generated clauses.
The lower layers stay as shipped: their outputs are computed once by the numpy embedder, and the
torch forward pass below is the same arithmetic as :meth:`MiniLMEmbedder._layers` (exact-erf GELU,
the model's layer-norm epsilon), with padding masked out of the attention.

Only the fine-tuned layers' weights are shipped, as float16 arrays inside ``data/reader_model.npz``;
at run time :meth:`MiniLMEmbedder.with_weights` puts them in place of the originals and the reader's
logistic regressions read the resulting embeddings. torch is needed here only, never at run time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LAYERS = 2  # fine-tuned upper layers (2 and 3 were within a point out of fold; 2 ships half the bytes)
EPOCHS = 4
BATCH = 32
LR_LAYERS = 4e-5
LR_HEADS = 2e-3
SEED = 0
_NAMES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm",
)


def layer_keys(first: int, last: int) -> list[str]:
    """Weight names of encoder layers ``first`` to ``last - 1``."""
    return [
        f"encoder.layer.{i}.{n}.{p}" for i in range(first, last) for n in _NAMES for p in ("weight", "bias")
    ]


def _layer(torch: Any, params: Any, i: int, h: Any, mask: Any, heads: int, eps: float) -> Any:
    f = torch.nn.functional

    def p(name: str) -> Any:
        return params[f"encoder__layer__{i}__{name}".replace(".", "__")]

    def lin(x: Any, name: str) -> Any:
        return x @ p(name + ".weight").T + p(name + ".bias")

    b, t, d = h.shape
    hd = d // heads

    def split(x: Any) -> Any:
        return x.reshape(b, t, heads, hd).transpose(1, 2)

    q, k, v = (split(lin(h, f"attention.self.{n}")) for n in ("query", "key", "value"))
    scores = (q @ k.transpose(-1, -2)) / float(np.sqrt(hd)) + (1.0 - mask)[:, None, None, :] * -1e9
    ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
    norm = "attention.output.LayerNorm"
    h = f.layer_norm(
        lin(ctx, "attention.output.dense") + h, (d,), p(norm + ".weight"), p(norm + ".bias"), eps
    )
    inter = f.gelu(lin(h, "intermediate.dense"))  # exact (erf) GELU, as BERT and the numpy forward
    norm = "output.LayerNorm"
    return f.layer_norm(lin(inter, "output.dense") + h, (d,), p(norm + ".weight"), p(norm + ".bias"), eps)


def padded(torch: Any, states: list[np.ndarray]) -> tuple[Any, Any]:
    """Sequences of token states as one zero-padded (texts x tokens x dim) tensor and its 0/1 mask."""
    longest = max(s.shape[0] for s in states)
    h = torch.zeros(len(states), longest, states[0].shape[1])
    mask = torch.zeros(len(states), longest)
    for row, s in enumerate(states):
        h[row, : s.shape[0]] = torch.from_numpy(s)
        mask[row, : s.shape[0]] = 1.0
    return h, mask


def finetune(
    embedder: Any, texts: list[str], targets: dict[str, tuple[np.ndarray, np.ndarray, int]]
) -> dict[str, np.ndarray]:
    """Fine-tuned weights of the top :data:`LAYERS` layers of ``embedder`` (a MiniLMEmbedder), rounded to
    float16. ``targets[head] = (class index per text, mask of texts that train the head, classes)``."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - build time only
        from fairmend.errors import MissingDependencyError

        raise MissingDependencyError(
            "fine-tuning the reader needs torch (install fairmend[recommender])"
        ) from exc
    torch.manual_seed(SEED)
    first = embedder.num_layers - LAYERS
    states = embedder.token_states(texts, first)
    h0, mask = padded(torch, states)
    keys = layer_keys(first, embedder.num_layers)
    params = torch.nn.ParameterDict(
        {
            k.replace(".", "__"): torch.nn.Parameter(torch.from_numpy(embedder._weights[k].copy()))
            for k in keys
        }
    )
    heads = torch.nn.ModuleDict({h: torch.nn.Linear(embedder.dim, n) for h, (_, _, n) in targets.items()})
    y = {h: (torch.from_numpy(t), torch.from_numpy(m)) for h, (t, m, _) in targets.items()}
    opt = torch.optim.AdamW(
        [{"params": params.parameters(), "lr": LR_LAYERS}, {"params": heads.parameters(), "lr": LR_HEADS}],
        weight_decay=0.01,
    )
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(states), generator=gen).split(BATCH):
            m = mask[batch]
            length = int(m.sum(1).max())
            h, m = h0[batch, :length], m[:, :length]
            for i in range(first, embedder.num_layers):
                h = _layer(torch, params, i, h, m, embedder.num_heads, embedder.eps)
            pooled = (h * m[:, :, None]).sum(1) / m.sum(1, keepdim=True)
            loss = torch.zeros(())
            for head, (target, trains) in y.items():
                sel = trains[batch]
                if bool(sel.any()):
                    loss = loss + torch.nn.functional.cross_entropy(
                        heads[head](pooled[sel]), target[batch][sel]
                    )
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {k: params[k.replace(".", "__")].detach().numpy().astype(np.float16) for k in keys}
