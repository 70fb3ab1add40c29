"""Moved to :mod:`fairmend.engine.split` (kept for one release)."""

from fairmend.engine.split import *
