"""Bundled real datasets: shapes, labels, groups, provenance."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from fairmend.catalog.types import Citation
from fairmend.datasets import Dataset, list_datasets, load_dataset, stratified_sample
from fairmend.errors import DataFileError

RAW = Path("/work/shared/data")
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country",
    "income",
]  # fmt: skip


def test_adult_shape_and_columns(adult: Dataset) -> None:
    assert adult.n_rows == 45_222
    assert list(adult.frame.columns) == ADULT_COLUMNS
    assert adult.label == "income" and adult.favourable_label == 1
    assert adult.protected == ("sex", "race")
    assert adult.features == ADULT_COLUMNS[:-1]
    assert not adult.frame.isna().any().any()
    assert not (adult.frame == "?").any().any()


def test_adult_labels_and_groups(adult: Dataset) -> None:
    income = adult.frame["income"]
    assert set(income.unique()) == {0, 1}
    assert income.dtype.kind == "i"
    assert income.mean() == pytest.approx(11_208 / 45_222)  # about 24.8% earn >50K
    assert 0.23 < income.mean() < 0.26
    assert adult.frame["sex"].value_counts().to_dict() == {"Male": 30_527, "Female": 14_695}
    assert set(adult.frame["race"]) == {"White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"}


def test_adult_split_kept_outside_frame(adult: Dataset) -> None:
    assert adult.split is not None
    assert adult.split.index.equals(adult.frame.index)
    assert adult.split.value_counts().to_dict() == {"train": 30_162, "test": 15_060}
    assert "split" not in adult.frame.columns and "source_split" not in adult.frame.columns
    assert "source_split" not in adult.features


def test_text_columns_are_plain_object(adult: Dataset, german: Dataset) -> None:
    for data in (adult, german):
        for column in data.frame.columns:
            dtype = data.frame[column].dtype
            assert dtype == object or dtype.kind == "i", (data.name, column, dtype)
    assert type(adult.frame["sex"].iloc[0]) is str
    assert adult.frame["workclass"].iloc[0] == "State-gov"  # whitespace stripped


def test_german_shape_labels_groups(german: Dataset) -> None:
    frame = german.frame
    assert german.n_rows == 1_000
    assert german.label == "credit" and german.protected == ("sex", "age_group")
    assert frame["credit"].value_counts().to_dict() == {1: 700, 0: 300}
    assert frame["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert frame["age_group"].value_counts().to_dict() == {"over_25": 810, "25_or_younger": 190}
    assert (frame.loc[frame["age"] > 25, "age_group"] == "over_25").all()
    assert (frame.loc[frame["age"] <= 25, "age_group"] == "25_or_younger").all()
    female = frame["personal_status"].isin(["A92", "A95"])
    assert (frame.loc[female, "sex"] == "female").all() and (frame.loc[~female, "sex"] == "male").all()
    assert frame.columns[0] == "checking_status" and german.features[-1] != "credit"
    assert german.split is None


def test_provenance(adult: Dataset, german: Dataset) -> None:
    assert adult.source_md5 == {
        "adult.data": "5d7c39d7b8804f071cdd1f2a7c460872",
        "adult.test": "35238206dfdf7f1fe215bbb874adecdc",
    }
    assert german.source_md5 == {"german.data": "6b94c2e35480e671545e52a808a8a549"}
    assert adult.license == german.license == "CC BY 4.0"
    assert isinstance(adult.citation, Citation) and adult.citation.is_complete()
    assert adult.citation.doi == "10.24432/C5XW20" and adult.citation.short() == "Becker & Kohavi 1996"
    assert german.citation.doi == "10.24432/C5NC77" and german.citation.short() == "Hofmann 1994"
    data = resources.files("fairmend.datasets").joinpath("data")
    notice = data.joinpath("NOTICE").read_text()
    assert "CC BY 4.0" in notice and "10.24432/C5XW20" in notice and "10.24432/C5NC77" in notice


def test_bundled_files_match_metadata() -> None:
    data = resources.files("fairmend.datasets").joinpath("data")
    meta = json.loads(data.joinpath("metadata.json").read_text())
    for name, entry in meta.items():
        digest = hashlib.md5(data.joinpath(entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["file_md5"], name


@pytest.mark.skipif(not RAW.is_dir(), reason="raw UCI files not available")
def test_build_reproduces_bundled_files(tmp_path: Path) -> None:
    from fairmend.datasets.build import build, md5

    for folder, files in (("adult", ["adult.data", "adult.test"]), ("german", ["german.data"])):
        for name in files:
            assert md5(RAW / folder / name) in {*load_dataset(folder).source_md5.values()}
    meta = build(RAW, tmp_path)
    bundled = json.loads(resources.files("fairmend.datasets").joinpath("data/metadata.json").read_text())
    assert meta == bundled


def test_build_rejects_wrong_checksum(tmp_path: Path) -> None:
    from fairmend.datasets.build import build

    (tmp_path / "adult").mkdir()
    (tmp_path / "adult" / "adult.data").write_text("39, State-gov, 77516\n")
    (tmp_path / "adult" / "adult.test").write_text("")
    with pytest.raises(DataFileError, match="md5"):
        build(tmp_path, tmp_path / "out")


def test_registry() -> None:
    rows = list_datasets()
    assert [r["name"] for r in rows] == ["adult", "german"]
    assert rows[0]["n_rows"] == 45_222 and rows[1]["n_rows"] == 1_000
    json.dumps(rows)
    assert load_dataset(" German ").name == "german"
    with pytest.raises(DataFileError, match="'adulte'.*Did you mean 'adult'"):
        load_dataset("adulte")


def test_loaders_return_independent_frames() -> None:
    first = load_dataset("german")
    first.frame.loc[0, "sex"] = "changed"
    assert load_dataset("german").frame.loc[0, "sex"] == "male"


def test_adult_sample_fixture(adult: Dataset, adult_sample: Dataset) -> None:
    frame = adult_sample.frame
    assert adult_sample.n_rows == 8_000
    assert frame.index.equals(pd.RangeIndex(8_000))
    assert frame["income"].mean() == pytest.approx(adult.frame["income"].mean(), abs=0.001)
    full = adult.frame.groupby(["sex", "income"]).size() / adult.n_rows
    part = frame.groupby(["sex", "income"]).size() / 8_000
    assert (part - full).abs().max() < 0.001
    assert adult_sample.split is not None and len(adult_sample.split) == 8_000
    again = stratified_sample(adult, 8_000, by=("sex", "income"), seed=0)
    assert again.frame.equals(frame)
    other = stratified_sample(adult, 8_000, by=("sex", "income"), seed=1)
    assert not other.frame.equals(frame)
