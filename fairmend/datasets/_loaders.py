"""Loaders for the datasets bundled in ``fairmend/datasets/data``.

The files are built once by :mod:`fairmend.datasets.build`; nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

import pandas as pd

from fairmend.catalog.types import Citation
from fairmend.datasets._dataset import Dataset
from fairmend.errors import DataFileError

LICENSE = "CC BY 4.0"

ADULT_CITATION = Citation(
    authors=("Becker, B.", "Kohavi, R."),
    year=1996,
    title="Adult",
    venue="UCI Machine Learning Repository",
    doi="10.24432/C5XW20",
    url="https://archive.ics.uci.edu/dataset/2/adult",
)
GERMAN_CITATION = Citation(
    authors=("Hofmann, H.",),
    year=1994,
    title="Statlog (German Credit Data)",
    venue="UCI Machine Learning Repository",
    doi="10.24432/C5NC77",
    url="https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data",
)

ADULT_DESCRIPTION = (
    "1994 US Census extract (Becker & Kohavi 1996): predict whether yearly income exceeds $50K. "
    "adult.data (train) and adult.test (test) are combined, whitespace and the test labels' trailing '.' "
    "are stripped and rows with a missing value ('?') are dropped, leaving 45,222 rows; the original "
    "split is kept in Dataset.split. income = 1 means >50K."
)
GERMAN_DESCRIPTION = (
    "Statlog German credit data (Hofmann 1994): classify 1,000 loan applicants as good or bad credit "
    "risks. Columns carry readable names, categorical values keep their UCI codes (A11, A30, ...). "
    "credit = 1 means good, 0 bad; sex is derived from attribute 9 (A91/A93/A94 male, A92/A95 female) and "
    "age_group is 'over_25' when age > 25, else '25_or_younger'."
)


@lru_cache(maxsize=1)
def _metadata() -> dict[str, Any]:
    return json.loads(resources.files("fairmend.datasets").joinpath("data/metadata.json").read_text())


@lru_cache(maxsize=4)
def _read(name: str) -> pd.DataFrame:
    meta = _metadata()[name]
    resource = resources.files("fairmend.datasets").joinpath(f"data/{meta['file']}")
    try:
        with resources.as_file(resource) as path:
            frame = pd.read_csv(path, compression="gzip", keep_default_na=False)
    except OSError as exc:  # pragma: no cover - broken installation
        raise DataFileError(f"bundled dataset {name!r} cannot be read: {exc}") from exc
    if list(frame.columns) != meta["columns"] or len(frame) != meta["n_rows"]:
        raise DataFileError(f"bundled dataset {name!r} does not match its metadata.json")
    return to_object_strings(frame)


def to_object_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose pandas string-dtype columns are cast to ``object`` dtype.

    pandas 3 reads text as its ``str`` dtype, which aif360 and some scikit-learn paths reject; fairmend
    therefore always hands text columns on as plain ``object`` holding Python ``str`` (missing values stay
    ``NaN``). ``category``, numeric, bool and existing ``object`` columns are left unchanged.
    """
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].astype(object)
    return out


def load_adult() -> Dataset:
    """Load the Adult (Census Income) dataset: 45,222 rows, label ``income``, protected ``sex``, ``race``.

    Returns
    -------
    Dataset
        ``frame`` has the 15 columns age, workclass, fnlwgt, education, education_num, marital_status,
        occupation, relationship, race, sex, capital_gain, capital_loss, hours_per_week, native_country,
        income (1 = >50K). ``split`` tells which rows came from ``adult.data`` ("train") and ``adult.test``
        ("test").

    References
    ----------
    Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning Repository. doi:10.24432/C5XW20
    """
    raw = _read("adult")
    split = raw["source_split"].rename("split")
    return Dataset(
        name="adult",
        frame=raw.drop(columns="source_split"),
        label="income",
        favourable_label=1,
        protected=("sex", "race"),
        citation=ADULT_CITATION,
        license=LICENSE,
        source_md5=dict(_metadata()["adult"]["source_md5"]),
        description=ADULT_DESCRIPTION,
        split=split.copy(),
    )


def load_german() -> Dataset:
    """Load the Statlog German Credit dataset: 1,000 rows, label ``credit``, protected ``sex``, ``age_group``.

    Returns
    -------
    Dataset
        ``frame`` has the 20 UCI attributes under readable names, the derived ``sex`` and ``age_group``
        columns, and ``credit`` (1 = good, 0 = bad) last.

    References
    ----------
    Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository. doi:10.24432/C5NC77
    """
    return Dataset(
        name="german",
        frame=_read("german").copy(),
        label="credit",
        favourable_label=1,
        protected=("sex", "age_group"),
        citation=GERMAN_CITATION,
        license=LICENSE,
        source_md5=dict(_metadata()["german"]["source_md5"]),
        description=GERMAN_DESCRIPTION,
    )


LOADERS: dict[str, Callable[[], Dataset]] = {"adult": load_adult, "german": load_german}
