"""Helpers shared by the evaluation-stage tests."""

from __future__ import annotations


def silence_aif360() -> None:
    import logging
    import warnings

    logging.getLogger().setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="aif360")
