"""Build the bundled, processed copies of the UCI datasets.

Run once by a maintainer (the output is committed; nothing is downloaded at run time)::

    python -m fairmend.datasets.build /path/to/raw_data_dir

``raw_data_dir`` must hold ``adult/adult.data``, ``adult/adult.test`` and ``german/german.data`` exactly as
the UCI Machine Learning Repository distributes them; their md5 checksums are verified before anything is
written. The script writes ``adult.csv.gz``, ``german.csv.gz`` and ``metadata.json`` into
``fairmend/datasets/data/`` (or into ``--out``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from fairmend.errors import DataFileError

SOURCE_MD5: dict[str, dict[str, str]] = {
    "adult": {
        "adult.data": "5d7c39d7b8804f071cdd1f2a7c460872",
        "adult.test": "35238206dfdf7f1fe215bbb874adecdc",
    },
    "german": {"german.data": "6b94c2e35480e671545e52a808a8a549"},
}

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country",
    "income",
]  # fmt: skip

GERMAN_COLUMNS = [
    "checking_status", "duration", "credit_history", "purpose", "credit_amount", "savings", "employment",
    "installment_rate", "personal_status", "other_debtors", "residence_since", "property", "age",
    "other_installment_plans", "housing", "existing_credits", "job", "num_dependents", "telephone",
    "foreign_worker", "credit",
]  # fmt: skip

# Attribute 9 ("personal status and sex") of the German data: A91 divorced/separated male, A92 female
# divorced/separated/married, A93 single male, A94 married/widowed male, A95 single female.
GERMAN_SEX = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}


def md5(path: Path) -> str:
    """Hex md5 digest of a file's bytes."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _checked(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise DataFileError(f"raw data file not found: {path}")
    found = md5(path)
    if found != expected:
        raise DataFileError(f"{path}: md5 {found} does not match the UCI release ({expected})")
    return path


def build_adult(src: Path) -> pd.DataFrame:
    """Adult train + test, whitespace stripped, rows with a ``?`` dropped (45,222 rows)."""
    parts = []
    for split, name in (("train", "adult.data"), ("test", "adult.test")):
        path = _checked(src / "adult" / name, SOURCE_MD5["adult"][name])
        frame = pd.read_csv(
            path,
            header=None,
            names=ADULT_COLUMNS,
            skipinitialspace=True,
            comment="|",  # adult.test starts with a "|1x3 Cross validator" line
            dtype=str,
            keep_default_na=False,
        )
        frame = frame.apply(lambda col: col.str.strip())
        frame = frame[frame["age"] != ""]  # trailing blank lines
        frame["income"] = frame["income"].str.rstrip(".")
        frame["source_split"] = split
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True)
    data = data[~(data == "?").any(axis=1)].reset_index(drop=True)
    unknown = set(data["income"]) - {">50K", "<=50K"}
    if unknown:
        raise DataFileError(f"unexpected Adult income values: {sorted(unknown)}")
    data["income"] = (data["income"] == ">50K").astype(int)
    for col in ("age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"):
        data[col] = data[col].astype(int)
    return data


def build_german(src: Path) -> pd.DataFrame:
    """German credit with readable column names, ``credit`` 1 = good / 0 = bad, ``sex`` and ``age_group``."""
    path = _checked(src / "german" / "german.data", SOURCE_MD5["german"]["german.data"])
    data = pd.read_csv(path, sep=r"\s+", header=None, names=GERMAN_COLUMNS, dtype=str)
    numeric = [
        "duration", "credit_amount", "installment_rate", "residence_since", "age", "existing_credits",
        "num_dependents", "credit",
    ]  # fmt: skip
    for col in numeric:
        data[col] = data[col].astype(int)
    unknown = set(data["credit"]) - {1, 2}
    if unknown:
        raise DataFileError(f"unexpected German credit values: {sorted(unknown)}")
    data["credit"] = (data["credit"] == 1).astype(int)
    unknown_status = set(data["personal_status"]) - set(GERMAN_SEX)
    if unknown_status:
        raise DataFileError(f"unexpected German personal_status codes: {sorted(unknown_status)}")
    data["sex"] = data["personal_status"].map(GERMAN_SEX)
    data["age_group"] = ["over_25" if age > 25 else "25_or_younger" for age in data["age"]]
    # label last, as in Adult
    order = [c for c in data.columns if c != "credit"] + ["credit"]
    return data[order]


def _write_gz_csv(frame: pd.DataFrame, path: Path) -> str:
    """Write a reproducible gzip CSV (mtime 0, no file name in the header); return its md5."""
    payload = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(payload)
    path.write_bytes(buffer.getvalue())
    return hashlib.md5(buffer.getvalue()).hexdigest()


def build(src: Path, out: Path) -> dict[str, dict[str, object]]:
    """Build both datasets from ``src`` into ``out`` and return the metadata written to ``metadata.json``."""
    out.mkdir(parents=True, exist_ok=True)
    metadata: dict[str, dict[str, object]] = {}
    for name, builder in (("adult", build_adult), ("german", build_german)):
        frame = builder(src)
        file_name = f"{name}.csv.gz"
        metadata[name] = {
            "file": file_name,
            "file_md5": _write_gz_csv(frame, out / file_name),
            "n_rows": int(len(frame)),
            "columns": list(frame.columns),
            "source_md5": dict(SOURCE_MD5[name]),
        }
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    return metadata


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="folder holding adult/ and german/ raw UCI files")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    metadata = build(args.src, args.out)
    for name, meta in metadata.items():
        print(f"{name}: {meta['n_rows']} rows -> {args.out / str(meta['file'])}")


if __name__ == "__main__":  # pragma: no cover
    main()
