from __future__ import annotations

import pytest

from fairmend.recommender import HashingEmbedder, Recommender


@pytest.fixture(scope="session")
def catalog_techniques():
    from fairmend.plugins import get_catalog

    return list(get_catalog())


@pytest.fixture(scope="session")
def fake_recommender(catalog_techniques, tmp_path_factory):
    """The real catalog with a deterministic hashing embedder (no model needed)."""
    return Recommender(catalog_techniques, embedder=HashingEmbedder(),
                       cache_directory=tmp_path_factory.mktemp("cache"))
