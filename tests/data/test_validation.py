"""fairmend.validation.validate: every bad input gets a typed error naming the column or value."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fairmend.datasets import Dataset
from fairmend.errors import ColumnNotFoundError, DataError, LabelError, SingleGroupError, SmallGroupWarning
from fairmend.validation import ValidatedData, validate


def _frame(n: int = 100, **extra: object) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "Sex": np.where(np.arange(n) % 2 == 0, "F", "M").astype(object),
            "race": np.where(np.arange(n) % 4 == 0, "A", "B").astype(object),
            "score": rng.normal(size=n),
            "label": np.arange(n) % 3 == 0,
        }
    )
    for key, value in extra.items():
        frame[key] = value
    return frame


def test_adult_validates(adult_sample: Dataset) -> None:
    frame = adult_sample.frame
    before = frame.copy()
    with pytest.warns(SmallGroupWarning) as caught:
        out = validate(frame, protected=["sex", "race"], outcome="income")
    assert isinstance(out, ValidatedData)
    assert out.y.dtype.kind == "i" and set(np.unique(out.y)) == {0, 1}
    assert out.y.mean() == pytest.approx(frame["income"].mean())
    assert out.favourable_label == 1
    assert out.groups["sex"] == frame["sex"].value_counts().to_dict()
    assert sum(out.intersections.values()) == len(frame)
    assert out.sensitive_features.shape == (len(frame), 2)
    assert out.features == [c for c in frame.columns if c != "income"]
    # 8,000-row sample: only intersections such as ('Female', 'Other') are small, named with their size
    messages = [str(w.message) for w in caught]
    assert any("'Female' & 'Other'" in m for m in messages)
    small = {k: n for k, n in out.intersections.items() if n < 30}
    assert small and all(f"({n} rows)" in " ".join(messages) for n in small.values())
    pd.testing.assert_frame_equal(frame, before)


def test_german_validates_without_warning(german: Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = validate(german.frame, protected=list(german.protected), outcome="credit")
    assert out.y.sum() == 700 and out.groups["sex"] == {"female": 310, "male": 690}


def test_missing_protected_column_suggests_case_insensitive_match() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"'sex' not found; did you mean 'Sex'") as info:
        validate(_frame(), protected=["sex"], outcome="label")
    assert "protected attribute" in str(info.value)


def test_missing_outcome_column_suggests_near_match() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"outcome column 'labels' not found; did you mean 'label'"):
        validate(_frame(), protected=["Sex"], outcome="labels")
    with pytest.raises(ColumnNotFoundError, match=r"'zzz' not found \(columns: 'Sex'"):
        validate(_frame(), protected=["zzz"], outcome=None)


def test_single_group_names_column_and_value() -> None:
    frame = _frame(Sex="F")
    with pytest.raises(SingleGroupError, match=r"'Sex' has a single group \('F'\)"):
        validate(frame, protected=["Sex"], outcome="label")


def test_unused_categories_are_not_groups() -> None:
    frame = _frame(Sex=pd.Categorical(["F"] * 100, categories=["F", "M"]))
    with pytest.raises(SingleGroupError, match=r"'Sex' has a single group \('F'\)"):
        validate(frame, protected=["Sex"], outcome="label")
    frame = _frame()
    frame["Sex"] = pd.Categorical(frame["Sex"], categories=["F", "M", "unused"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = validate(frame, protected=["Sex", "race"], outcome="label", min_group_size=25)
    assert out.groups["Sex"] == {"F": 50, "M": 50}


def test_nan_in_protected_column() -> None:
    frame = _frame()
    frame.loc[[3, 7], "race"] = np.nan
    with pytest.raises(DataError, match=r"'race' has 2 missing values, first at rows 3, 7"):
        validate(frame, protected=["Sex", "race"], outcome="label")


def test_nan_labels_count_and_rows() -> None:
    frame = _frame()
    frame["label"] = frame["label"].astype(float)
    frame.loc[[5, 11, 12, 20, 30, 40, 50], "label"] = np.nan
    expected = r"'label' has 7 missing \(NaN\) labels, first at rows 5, 11, 12, 20, 30, \.\.\."
    with pytest.raises(LabelError, match=expected):
        validate(frame, protected=["Sex"], outcome="label")


def test_non_binary_labels_list_values() -> None:
    frame = _frame(label=np.arange(100) % 3)
    with pytest.raises(LabelError, match=r"must be binary but has 3 values: 0, 1, 2"):
        validate(frame, protected=["Sex"], outcome="label")
    frame = _frame(label="yes")
    with pytest.raises(LabelError, match=r"only one value: 'yes'"):
        validate(frame, protected=["Sex"], outcome="label")


def test_non_binary_allowed_when_not_required() -> None:
    frame = _frame(label=np.arange(100) % 3)
    out = validate(frame, protected=["Sex"], outcome="label", binary_outcome=False)
    assert out.favourable_label is None and list(out.y[:4]) == [0, 1, 2, 0]


@pytest.mark.parametrize(
    ("values", "favourable"),
    [
        ([">50K", "<=50K"], ">50K"),
        ([">50K.", "<=50K."], ">50K."),
        (["yes", "no"], "yes"),
        (["No", "Yes"], "Yes"),
        (["denied", "approved"], "approved"),
        ([True, False], True),
        ([0, 1], 1),
        ([0.0, 1.0], 1.0),
        ([1, 2], 2),
    ],
)
def test_default_favourable_rule(values: list[object], favourable: object) -> None:
    labels = [values[i % 2] for i in range(100)]
    out = validate(_frame(label=labels), protected=["Sex"], outcome="label")
    assert out.favourable_label == favourable
    assert list(out.y[:2]) == [int(values[0] == favourable), int(values[1] == favourable)]


def test_ambiguous_strings_warn_and_pick_last() -> None:
    labels = ["cat" if i % 2 else "dog" for i in range(100)]
    with pytest.warns(UserWarning, match=r"taking 'dog' as the favourable label"):
        out = validate(_frame(label=labels), protected=["Sex"], outcome="label")
    assert out.y[0] == 1 and out.y[1] == 0


def test_explicit_favourable_label() -> None:
    labels = ["good" if i % 2 else "bad" for i in range(100)]
    out = validate(_frame(label=labels), protected=["Sex"], outcome="label", favourable_label="bad")
    assert out.favourable_label == "bad" and out.y[0] == 1
    frame = _frame(label=np.arange(100) % 2)
    ints = validate(frame, protected=["Sex"], outcome="label", favourable_label="0")
    assert ints.favourable_label == 0 and ints.y[0] == 1
    with pytest.raises(LabelError, match=r"favourable label 'maybe' is not a value.*'bad', 'good'"):
        validate(_frame(label=labels), protected=["Sex"], outcome="label", favourable_label="maybe")


def test_small_groups_warn_per_attribute_and_intersection() -> None:
    frame = _frame(n=200)
    frame.loc[:9, "Sex"] = "X"  # 10-row group
    with pytest.warns(SmallGroupWarning) as caught:
        validate(frame, protected=["Sex", "race"], outcome="label")
    messages = [str(w.message) for w in caught]
    assert any("protected attribute 'Sex'" in m and "'X' (10 rows)" in m for m in messages)
    joint = [m for m in messages if "intersection of 'Sex' x 'race'" in m]
    assert len(joint) == 1 and "'X' & 'A' (3 rows)" in joint[0] and "'X' & 'B' (7 rows)" in joint[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate(frame, protected=["Sex", "race"], outcome="label", min_group_size=3)


def test_no_outcome_and_other_misuse() -> None:
    out = validate(_frame(), protected="Sex", outcome=None)  # type: ignore[arg-type]
    assert out.y is None and out.protected == ["Sex"]
    with pytest.raises(DataError, match="at least one protected"):
        validate(_frame(), protected=[], outcome="label")
    with pytest.raises(DataError, match="both the outcome and a protected"):
        validate(_frame(), protected=["Sex", "label"], outcome="label")
