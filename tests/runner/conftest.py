from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def adult_csv(adult_sample, tmp_path_factory):
    """The 8,000-row Adult sample written as a user's CSV file."""
    path = tmp_path_factory.mktemp("data") / "adult_sample.csv"
    adult_sample.frame.to_csv(path, index=False)
    return path
