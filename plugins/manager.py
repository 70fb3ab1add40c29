"""Plugin manager: entry-point discovery, registration through the hook, failure records."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from fairmend.catalog import hookspecs
from fairmend.catalog.catalog import Catalog
from fairmend.catalog.types import Technique
from fairmend.errors import CatalogError

DEFAULT_PLUGINS: tuple[str, ...] = (
    "fairmend.plugins.builtin.causal",
    "fairmend.plugins.builtin.pre_processing",
    "fairmend.plugins.builtin.in_processing",
    "fairmend.plugins.builtin.post_processing",
    "fairmend.plugins.builtin.evaluation",
    "fairmend.plugins.builtin.monitoring",
    "fairmend.plugins.builtin.documentation",
)

ENV_VAR = "FAIRMEND_LOAD_PLUGINS"


@dataclass
class PluginRecord:
    """What happened to one plugin: its techniques, or the error that made fairmend skip it."""

    name: str
    builtin: bool
    distribution: str | None = None
    version: str | None = None
    techniques: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "builtin": self.builtin,
            "distribution": self.distribution,
            "version": self.version,
            "techniques": list(self.techniques),
            "ok": self.ok,
            "error": self.error,
        }


_state: dict[str, Any] = {}


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager with built-ins and allowed entry points loaded."""
    if "pm" not in _state:
        _load()
    return _state["pm"]


def get_catalog() -> Catalog:
    """The catalog assembled from every loaded plugin (cached; :func:`reset` rebuilds it)."""
    if "catalog" not in _state:
        _collect(get_plugin_manager())
    return _state["catalog"]


def plugin_report() -> list[PluginRecord]:
    """One record per plugin, built-in or installed, including the ones that failed."""
    get_catalog()
    return list(_state["records"].values())


def reset() -> None:
    """Forget the loaded state so the next call reloads plugins (tests and long-lived processes)."""
    _state.clear()


def _allowed() -> set[str] | None:
    raw = os.environ.get(ENV_VAR)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def _load() -> None:
    pm = pluggy.PluginManager("fairmend")
    pm.add_hookspecs(hookspecs)
    records: dict[str, PluginRecord] = {}
    for module_name in DEFAULT_PLUGINS:
        module = importlib.import_module(module_name)
        pm.register(module, name=module_name)
        records[module_name] = PluginRecord(name=module_name, builtin=True)
    allowed = _allowed()
    for ep in metadata.entry_points(group="fairmend"):
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else None
        if allowed is not None and ep.name not in allowed and dist_name not in allowed:
            continue
        record = PluginRecord(
            name=ep.name, builtin=False, distribution=dist_name, version=dist.version if dist else None
        )
        records[ep.name] = record
        try:
            plugin = ep.load()
        except (Exception, SystemExit) as exc:  # a broken plugin is reported, never crashes the catalog
            record.error = f"import failed: {_describe(exc)}"
            continue
        if not pm.is_registered(plugin):
            pm.register(plugin, name=ep.name)
            record.error = _unknown_hooks(pm, ep.name)
            if record.error:
                pm.unregister(name=ep.name)
    pm.check_pending()
    _state["pm"] = pm
    _state["records"] = records


def _unknown_hooks(pm: pluggy.PluginManager, name: str) -> str | None:
    """A misspelled hook name would otherwise be ignored silently."""
    plugin = pm.get_plugin(name)
    known = {n for n in dir(hookspecs) if n.startswith("fairmend_")}
    bad = [
        n for n in dir(plugin)
        if n.startswith("fairmend_") and n not in known and pm.parse_hookimpl_opts(plugin, n) is not None
    ]
    return f"unknown hook(s): {', '.join(bad)} (known: {', '.join(sorted(known))})" if bad else None


def register_plugin(plugin: object, name: str) -> None:
    """Register a plugin object in-process (tests, notebooks); the catalog is rebuilt on next use."""
    pm = get_plugin_manager()
    pm.register(plugin, name=name)
    _state["records"][name] = PluginRecord(name=name, builtin=False, error=_unknown_hooks(pm, name))
    if _state["records"][name].error:
        pm.unregister(name=name)
    _state.pop("catalog", None)


def unregister_plugin(name: str) -> None:
    """Undo :func:`register_plugin`."""
    pm = get_plugin_manager()
    if pm.get_plugin(name) is not None:
        pm.unregister(name=name)
    _state["records"].pop(name, None)
    _state.pop("catalog", None)


def _collect(pm: pluggy.PluginManager) -> None:
    """Call every hook implementation on its own, so that one raising does not stop the others."""
    records: dict[str, PluginRecord] = _state["records"]
    catalog = Catalog()
    # get_hookimpls() is in registration order: built-ins first, so a third party cannot shadow them.
    for impl in pm.hook.fairmend_register_techniques.get_hookimpls():
        name = impl.plugin_name
        record = records.setdefault(name, PluginRecord(name=name, builtin=False))
        collected: list[Technique] = []

        def register(technique: Technique, _bucket: list[Technique] = collected) -> None:
            if not isinstance(technique, Technique):
                raise CatalogError(f"register() expects a Technique, got {type(technique).__name__}")
            _bucket.append(technique)

        try:
            impl.function(**{arg: register for arg in impl.argnames})
        except (Exception, SystemExit) as exc:  # sys.exit() in a plugin must not end the caller's process
            if record.builtin:  # a broken built-in catalog is a bug, not a plugin to skip
                raise CatalogError(f"built-in plugin {name} failed: {_describe(exc)}") from exc
            record.error = f"hook failed: {_describe(exc)}"
            continue
        staged = Catalog(list(catalog))
        try:
            for t in collected:
                staged.add(_with_plugin(t, name))
        except CatalogError as exc:
            if record.builtin:
                raise
            record.error = str(exc)
            continue
        catalog = staged
        record.techniques = [t.key for t in collected]
    _state["catalog"] = catalog


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"the plugin called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def _with_plugin(technique: Technique, plugin: str) -> Technique:
    if technique.plugin == plugin:
        return technique
    from dataclasses import replace

    return replace(technique, plugin=plugin)
