"""Hook specifications. Third-party packages implement these under the entry-point group ``fairmend``."""

from __future__ import annotations

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("fairmend")
hookimpl = HookimplMarker("fairmend")


@hookspec
def fairmend_register_techniques(register):  # type: ignore[no-untyped-def]
    """Call ``register(technique)`` once per :class:`~fairmend.catalog.Technique` this plugin provides."""
