"""Stratified train / validation / test split by group × label."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split


@dataclass
class Split:
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def stratified_split(
    y: np.ndarray, groups: np.ndarray, *, test_size: float = 0.3, validation_size: float = 0.2, seed: int = 0
) -> Split:
    """Row indices for train / validation / test, each keeping the group × label mix.

    ``validation_size`` is the share of the *non-test* rows held out to fit post-processors.
    Strata too small to split are merged into one "rare" stratum rather than dropped.
    """
    strata = pd.Series(groups.astype(str)) + "|" + pd.Series(y.astype(str))
    counts = strata.value_counts()
    rare = counts[counts < 6].index
    strata = _splittable(strata.where(~strata.isin(rare), "__rare__").to_numpy())
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=test_size, random_state=seed, stratify=strata)
    train, val = train_test_split(rest, test_size=validation_size, random_state=seed,
                                  stratify=_splittable(strata[rest]))
    return Split(np.sort(train), np.sort(val), np.sort(test))


def _splittable(strata: np.ndarray) -> np.ndarray:
    """Fold strata of a single row (which stratified splitting cannot place) into the largest one."""
    values, counts = np.unique(strata, return_counts=True)
    lonely = values[counts < 2]
    if len(lonely) == 0:
        return strata
    return np.where(np.isin(strata, lonely), values[np.argmax(counts)], strata)
