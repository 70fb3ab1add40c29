"""Moved to :mod:`fairmend.engine.user_model` (kept for one release)."""

from fairmend.engine.user_model import *
