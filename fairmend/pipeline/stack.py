"""Moved to :mod:`fairmend.engine.stack` (kept for one release)."""

from fairmend.engine.stack import *
