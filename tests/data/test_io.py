"""fairmend.io: reading tables and atomic writes."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairmend.errors import DataFileError, OutputExistsError
from fairmend.io import check_can_write, read_table, write_atomic, write_csv_atomic, write_json_atomic


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({"sex": ["F", "M", "F"], "score": [0.5, 1.5, 2.0], "y": [1, 0, 1]})


@pytest.mark.parametrize("name", ["t.csv", "t.CSV", "t.csv.gz", "t.parquet", "t.pq"])
def test_read_formats_round_trip(tmp_path: Path, small: pd.DataFrame, name: str) -> None:
    path = tmp_path / name
    if name.lower().endswith((".parquet", ".pq")):
        small.to_parquet(path)
    else:
        small.to_csv(path, index=False, compression="gzip" if name.endswith(".gz") else None)
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, small.astype({"sex": object}))
    assert frame["sex"].dtype == object
    assert read_table(str(path)).shape == (3, 3)


def test_dataframe_is_copied_never_mutated(small: pd.DataFrame) -> None:
    before = small.copy()
    frame = read_table(small)
    frame.loc[0, "sex"] = "X"
    pd.testing.assert_frame_equal(small, before)
    assert frame is not small


def test_unknown_suffix_names_it(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("a\n1\n")
    with pytest.raises(DataFileError, match=r"'\.xlsx'"):
        read_table(path)
    (tmp_path / "data").write_text("a\n1\n")
    with pytest.raises(DataFileError, match="no suffix"):
        read_table(tmp_path / "data")
    with pytest.raises(DataFileError, match="bundled dataset"):  # no such file and no such bundled dataset
        read_table(tmp_path / "dta")


def test_missing_file_names_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(DataFileError, match="not found.*nope.csv"):
        read_table(path)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(DataFileError, match="folder.csv"):
        read_table(folder)


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(DataFileError, match="empty"):
        read_table(path)


def test_header_only_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("sex,y\n")
    with pytest.raises(DataFileError, match="no data rows"):
        read_table(path)
    with pytest.raises(DataFileError, match="no rows"):
        read_table(pd.DataFrame({"sex": [], "y": []}))


def test_unreadable_content(tmp_path: Path) -> None:
    gz = tmp_path / "bad.csv.gz"
    gz.write_bytes(b"this is not gzip")
    with pytest.raises(DataFileError, match="bad.csv.gz"):
        read_table(gz)
    parquet = tmp_path / "bad.parquet"
    parquet.write_text("not parquet")
    with pytest.raises(DataFileError, match="bad.parquet"):
        read_table(parquet)
    with pytest.raises(DataFileError, match="list"):
        read_table([1, 2])  # type: ignore[arg-type]


def test_write_atomic_and_overwrite_check(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    assert check_can_write(target, overwrite=False) == target
    write_atomic(target, "héllo")
    assert target.read_text(encoding="utf-8") == "héllo"
    with pytest.raises(OutputExistsError, match="out.txt.*--overwrite"):
        check_can_write(target, overwrite=False)
    check_can_write(target, overwrite=True)
    write_atomic(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert sorted(os.listdir(target.parent)) == ["out.txt"]  # no temp files left behind
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0o600


def test_write_atomic_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_write_json_and_csv(tmp_path: Path, small: pd.DataFrame) -> None:
    payload = {"n": np.int64(3), "rate": np.float64(0.25), "bad": float("nan"), "arr": np.arange(2),
               "nan_arr": np.array([np.nan, 1.0])}
    write_json_atomic(tmp_path / "r.json", payload)
    expected = {"n": 3, "rate": 0.25, "bad": None, "arr": [0, 1], "nan_arr": [None, 1.0]}
    assert json.loads((tmp_path / "r.json").read_text()) == expected
    write_csv_atomic(tmp_path / "f.csv", small)
    pd.testing.assert_frame_equal(read_table(tmp_path / "f.csv"), read_table(small))
    write_csv_atomic(tmp_path / "f.csv.gz", small)
    assert gzip.decompress((tmp_path / "f.csv.gz").read_bytes()).decode().startswith("sex,score,y\n")
    pd.testing.assert_frame_equal(read_table(tmp_path / "f.csv.gz"), read_table(small))
