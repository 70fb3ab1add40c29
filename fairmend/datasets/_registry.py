"""Name-based access to the bundled datasets."""

from __future__ import annotations

import difflib
from typing import Any

from fairmend.datasets._dataset import Dataset
from fairmend.datasets._loaders import (
    ADULT_CITATION,
    ADULT_DESCRIPTION,
    GERMAN_CITATION,
    GERMAN_DESCRIPTION,
    LICENSE,
    LOADERS,
    _metadata,
)
from fairmend.errors import DataFileError

_STATIC = {
    "adult": {"label": "income", "protected": ["sex", "race"], "citation": ADULT_CITATION,
              "description": ADULT_DESCRIPTION},
    "german": {"label": "credit", "protected": ["sex", "age_group"], "citation": GERMAN_CITATION,
               "description": GERMAN_DESCRIPTION},
}  # fmt: skip


def list_datasets() -> list[dict[str, Any]]:
    """Metadata of every bundled dataset (without loading the data), sorted by name."""
    meta = _metadata()
    rows = []
    for name in sorted(LOADERS):
        static = _STATIC[name]
        rows.append(
            {
                "name": name,
                "n_rows": int(meta[name]["n_rows"]),
                "label": static["label"],
                "favourable_label": 1,
                "protected": list(static["protected"]),
                "license": LICENSE,
                "citation": static["citation"].to_dict(),
                "citation_short": static["citation"].short(),
                "source_md5": dict(meta[name]["source_md5"]),
                "description": static["description"],
            }
        )
    return rows


def load_dataset(name: str) -> Dataset:
    """Load a bundled dataset by name (``"adult"`` or ``"german"``, case-insensitive).

    Raises
    ------
    DataFileError
        No bundled dataset has that name; the message lists the known names.
    """
    key = name.strip().lower()
    if key not in LOADERS:
        close = difflib.get_close_matches(key, list(LOADERS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(LOADERS))
        raise DataFileError(f"no bundled dataset named {name!r}; available: {known}.{hint}")
    return LOADERS[key]()
