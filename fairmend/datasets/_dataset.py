"""The :class:`Dataset` record returned by every bundled-data loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fairmend.catalog.contracts import group_labels
from fairmend.catalog.types import Citation


@dataclass(frozen=True)
class Dataset:
    """A bundled real dataset with the facts needed to audit it.

    Attributes
    ----------
    name : str
        Registry name (``"adult"``, ``"german"``).
    frame : pandas.DataFrame
        Features, protected attributes and the label. Numeric columns are ``int64``; every text column is
        ``object`` dtype holding plain Python ``str`` values (never pandas' ``str``/``string`` dtype nor
        ``category``), so aif360, scikit-learn and fairlearn all accept it unchanged.
    label : str
        Name of the binary outcome column (``int`` 0/1).
    favourable_label : int
        Value of ``label`` that is the favourable outcome.
    protected : tuple of str
        Protected-attribute columns.
    citation : Citation
        How to cite the data.
    license : str
        Licence of the data (both bundled datasets are CC BY 4.0).
    source_md5 : dict
        ``{raw file name: md5}`` of the UCI files the bundled copy was built from.
    description : str
        One paragraph on what the data are and how they were processed.
    split : pandas.Series or None
        Original train/test membership (``"train"``/``"test"``) aligned with ``frame``'s index, or ``None``
        when the source has no split. It is deliberately not a column of ``frame``.
    """

    name: str
    frame: pd.DataFrame
    label: str
    favourable_label: int
    protected: tuple[str, ...]
    citation: Citation
    license: str
    source_md5: dict[str, str]
    description: str
    split: pd.Series | None = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        """Number of rows in :attr:`frame`."""
        return int(len(self.frame))

    @property
    def features(self) -> list[str]:
        """All columns of :attr:`frame` except the label (protected attributes included)."""
        return [c for c in self.frame.columns if c != self.label]

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - conventional name
        """``frame[features]`` (a copy)."""
        return self.frame[self.features].copy()

    @property
    def y(self) -> pd.Series:
        """The label column (a copy)."""
        return self.frame[self.label].copy()

    def metadata(self) -> dict[str, Any]:
        """JSON-ready description of the dataset (no data)."""
        label_counts = self.frame[self.label].value_counts().sort_index()
        return {
            "name": self.name,
            "n_rows": self.n_rows,
            "n_columns": int(self.frame.shape[1]),
            "label": self.label,
            "favourable_label": self.favourable_label,
            "favourable_rate": float((self.frame[self.label] == self.favourable_label).mean()),
            "label_counts": {str(k): int(v) for k, v in label_counts.items()},
            "protected": list(self.protected),
            "groups": {
                col: {str(k): int(v) for k, v in self.frame[col].value_counts().sort_index().items()}
                for col in self.protected
            },
            "features": self.features,
            "license": self.license,
            "citation": self.citation.to_dict(),
            "source_md5": dict(self.source_md5),
            "description": self.description,
        }


def stratified_sample(
    dataset: Dataset, n: int, *, by: tuple[str, ...] | None = None, seed: int = 0
) -> Dataset:
    """Return a copy of ``dataset`` with ``n`` rows drawn without replacement, stratified on ``by``.

    Parameters
    ----------
    dataset : Dataset
        The dataset to subsample.
    n : int
        Rows to keep (``0 < n < dataset.n_rows``).
    by : tuple of str, optional
        Columns whose joint values are the strata; default: the first protected attribute and the label.
    seed : int
        Random seed (the draw is deterministic for a given seed).

    Returns
    -------
    Dataset
        Same metadata; ``frame`` (and ``split``) restricted to the sampled rows in their original order,
        with a fresh ``RangeIndex``.
    """
    from dataclasses import replace

    from sklearn.model_selection import train_test_split

    if not 0 < n < dataset.n_rows:
        raise ValueError(f"n must be between 1 and {dataset.n_rows - 1}, got {n}")
    columns = list(by) if by is not None else [dataset.protected[0], dataset.label]
    strata = group_labels(dataset.frame[columns])
    keep, _ = train_test_split(dataset.frame.index, train_size=n, stratify=strata, random_state=seed)
    keep = sorted(keep)
    split = None if dataset.split is None else dataset.split.loc[keep].reset_index(drop=True)
    return replace(dataset, frame=dataset.frame.loc[keep].reset_index(drop=True), split=split)
