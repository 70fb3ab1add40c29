"""Plugin loading: one code path for built-ins and third parties; broken plugins are reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fairmend.catalog import hookimpl
from fairmend.errors import CatalogError
from fairmend.plugins import (
    DEFAULT_PLUGINS,
    get_catalog,
    get_plugin_manager,
    plugin_report,
    register_plugin,
    reset,
    unregister_plugin,
)

FAIRMEND = [sys.executable, "-m", "fairmend"]


@pytest.fixture(autouse=True)
def fresh_state():
    reset()
    yield
    reset()


def _some_builtin():
    return next(iter(get_catalog()))


def test_builtins_register_through_the_hook():
    pm = get_plugin_manager()
    impl_names = {impl.plugin_name for impl in pm.hook.fairmend_register_techniques.get_hookimpls()}
    assert set(DEFAULT_PLUGINS) <= impl_names
    records = {r.name: r for r in plugin_report()}
    total = sum(len(records[name].techniques) for name in DEFAULT_PLUGINS)
    assert total == len([t for t in get_catalog() if t.plugin in DEFAULT_PLUGINS]) > 0
    for t in get_catalog():
        assert t.plugin, t.key


def test_hook_fairmend_register_techniques_in_process():
    base = _some_builtin()
    new = replace(base, key="inprocess_test_technique", plugin="")

    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self, register):
            register(new)

    register_plugin(Plugin(), name="inprocess")
    try:
        t = get_catalog().get("inprocess_test_technique")
        assert t.plugin == "inprocess"
        assert {r.name for r in plugin_report()} >= {"inprocess"}
    finally:
        unregister_plugin("inprocess")
    assert "inprocess_test_technique" not in get_catalog()


def test_hook_with_fewer_arguments_is_allowed():
    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self):
            pass

    register_plugin(Plugin(), name="noargs")
    try:
        assert {r.name: r for r in plugin_report()}["noargs"].ok
    finally:
        unregister_plugin("noargs")


def test_duplicate_key_names_both_plugins():
    base = _some_builtin()

    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self, register):
            register(replace(base, plugin=""))

    register_plugin(Plugin(), name="dupe")
    try:
        record = {r.name: r for r in plugin_report()}["dupe"]
        assert not record.ok
        assert base.plugin in record.error and "dupe" in record.error and base.key in record.error
        assert get_catalog().get(base.key).plugin == base.plugin  # the built-in is kept
    finally:
        unregister_plugin("dupe")


def test_raising_hook_is_recorded_and_the_rest_loads():
    n_before = len(get_catalog())

    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self, register):
            raise RuntimeError("boom")

    register_plugin(Plugin(), name="raiser")
    try:
        assert len(get_catalog()) == n_before
        record = {r.name: r for r in plugin_report()}["raiser"]
        assert "boom" in record.error and "RuntimeError" in record.error
    finally:
        unregister_plugin("raiser")


def test_register_rejects_non_techniques():
    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self, register):
            register({"key": "not-a-technique"})

    register_plugin(Plugin(), name="badtype")
    try:
        assert "expects a Technique" in {r.name: r for r in plugin_report()}["badtype"].error
    finally:
        unregister_plugin("badtype")


def test_misspelled_hook_is_reported():
    class Plugin:
        @hookimpl
        def fairmend_register_technique(self, register):  # missing "s"
            pass

    register_plugin(Plugin(), name="typo")
    try:
        assert "unknown hook" in {r.name: r for r in plugin_report()}["typo"].error
    finally:
        unregister_plugin("typo")


def test_builtin_duplicate_is_a_hard_error(monkeypatch):
    base = _some_builtin()
    reset()
    from fairmend.plugins import manager

    class Clash:
        @hookimpl
        def fairmend_register_techniques(self, register):
            register(base)

    pm = get_plugin_manager()
    pm.register(Clash(), name="clash")
    manager._state["records"]["clash"] = manager.PluginRecord(name="clash", builtin=True)
    with pytest.raises(CatalogError, match="both plugin"):
        get_catalog()


def _installed_broken_plugin(tmp_path: Path) -> dict[str, str]:
    """A real installed distribution whose entry point raises on import."""
    (tmp_path / "broken_fairmend_plugin.py").write_text("raise ImportError('this plugin is broken on purpose')\n")
    dist = tmp_path / "broken_fairmend_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-fairmend-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[fairmend]\nbroken = broken_fairmend_plugin\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FAIRMEND_LOAD_PLUGINS", None)
    return env


def test_broken_installed_plugin_is_reported_and_builtins_still_list(tmp_path):
    env = _installed_broken_plugin(tmp_path)
    listed = subprocess.run(FAIRMEND + ["techniques", "list", "--json"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    keys = {t["key"] for t in json.loads(listed.stdout)}
    assert len(keys) >= 100
    plugins = subprocess.run(FAIRMEND + ["plugins", "--json"], env=env, capture_output=True, text=True)
    assert plugins.returncode == 0, plugins.stderr
    broken = [p for p in json.loads(plugins.stdout) if p["name"] == "broken"]
    assert broken and broken[0]["ok"] is False
    assert "broken on purpose" in broken[0]["error"]
    assert broken[0]["distribution"] == "broken-fairmend-plugin"


def test_env_var_empty_loads_builtins_only(tmp_path):
    env = _installed_broken_plugin(tmp_path)
    env["FAIRMEND_LOAD_PLUGINS"] = ""
    out = subprocess.run(FAIRMEND + ["techniques", "list", "--json"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    plugins = {t["plugin"] for t in json.loads(out.stdout)}
    assert plugins <= set(DEFAULT_PLUGINS)
    report = subprocess.run(FAIRMEND + ["plugins", "--json"], env=env, capture_output=True, text=True)
    listed = json.loads(report.stdout)
    assert [p for p in listed if not p["builtin"]] == []
    assert {p["name"] for p in listed} == set(DEFAULT_PLUGINS)  # built-ins are always listed, with counts
    assert sum(len(p["techniques"]) for p in listed) >= 100


def test_env_var_list_loads_only_named(tmp_path):
    env = _installed_broken_plugin(tmp_path)
    env["FAIRMEND_LOAD_PLUGINS"] = "fairmend-example"
    report = subprocess.run(FAIRMEND + ["plugins", "--json"], env=env, capture_output=True, text=True)
    names = {p["name"] for p in json.loads(report.stdout) if not p["builtin"]}
    assert "broken" not in names
    assert names == {"example"}


def test_example_plugin_is_listed():
    """The example package from docs/plugins/ is installed by scripts/setup-env."""
    t = get_catalog().get("example_group_recalibration_in_the_large")
    assert t.plugin == "example" and t.executable
    assert t.citation.is_complete()


def test_hook_calling_sys_exit_is_isolated():
    n_before = len(get_catalog())

    class Plugin:
        @hookimpl
        def fairmend_register_techniques(self, register):
            sys.exit(3)

    register_plugin(Plugin(), name="quitter")
    try:
        assert len(get_catalog()) == n_before
        record = {r.name: r for r in plugin_report()}["quitter"]
        assert "sys.exit(3)" in record.error
    finally:
        unregister_plugin("quitter")


def test_installed_plugin_calling_sys_exit_at_import_is_isolated(tmp_path):
    env = _installed_broken_plugin(tmp_path)
    (tmp_path / "broken_fairmend_plugin.py").write_text("import sys\nsys.exit(3)\n")
    for args in (["techniques", "list", "--json"], ["plugins", "--json"], ["recommend", "--help"]):
        out = subprocess.run(FAIRMEND + args, env=env, capture_output=True, text=True)
        assert out.returncode == 0, (args, out.stderr)
    report = json.loads(subprocess.run(FAIRMEND + ["plugins", "--json"], env=env, capture_output=True,
                                       text=True).stdout)
    broken = next(p for p in report if p["name"] == "broken")
    assert "sys.exit(3)" in broken["error"]
