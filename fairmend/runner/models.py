"""Moved to :mod:`fairmend.engine.models` (kept for one release)."""

from fairmend.engine.models import *
