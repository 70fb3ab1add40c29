"""Shared fixtures: the bundled real datasets.

The fixtures are session-scoped and return shared :class:`fairmend.datasets.Dataset` objects; tests must
not mutate ``.frame`` in place (take ``.frame.copy()`` first). Text columns are ``object`` dtype.
"""

from __future__ import annotations

import os

# `scripts/test` runs two pytest workers on a 2-core machine: one BLAS / torch thread per worker, or
# the thread pools oversubscribe the cores (tiny torch models then train ~20x slower). Set before
# numpy or torch is first imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest

from fairmend.datasets import Dataset, load_adult, load_german, stratified_sample

ADULT_SAMPLE_ROWS = 8_000


@pytest.fixture(scope="session")
def adult() -> Dataset:
    """Full UCI Adult: 45,222 rows, label ``income`` (1 = >50K), protected ``("sex", "race")``."""
    return load_adult()


@pytest.fixture(scope="session")
def adult_sample(adult: Dataset) -> Dataset:
    """8,000 Adult rows stratified by sex x income (seed 0), RangeIndex, original row order."""
    return stratified_sample(adult, ADULT_SAMPLE_ROWS, by=("sex", "income"), seed=0)


@pytest.fixture(scope="session")
def german() -> Dataset:
    """UCI German credit: 1,000 rows, label ``credit`` (1 = good), protected ``("sex", "age_group")``."""
    return load_german()
