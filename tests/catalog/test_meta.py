"""Meta-tests: every technique is complete, documented, and every hook and command is tested."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from fairmend.catalog import hookspecs
from fairmend.catalog.docs import render_markdown
from fairmend.cli import COMMANDS, cli
from fairmend.plugins import get_catalog, reset

ROOT = Path(__file__).resolve().parents[2]
SEED_IDS = [8, 13, 17, 20, 31, 36, 45, 48, 49, 50, 53, 56, 69, 76, 104, 109, 112, 113, 6, 29, 68, 71]
STAGES = {"causal", "pre_processing", "in_processing", "post_processing", "evaluation", "monitoring", "documentation"}


@pytest.fixture(scope="module")
def catalog():
    reset()
    return get_catalog()


def test_every_technique_has_a_complete_citation(catalog):
    for t in catalog:
        assert t.citation.is_complete(), t.key
        assert all(re.match(r"^[^,]+, ", a) for a in t.citation.authors), (t.key, t.citation.authors)


def test_every_technique_has_an_up_to_date_docs_page(catalog):
    """Regenerate with: fairmend techniques docs"""
    folder = ROOT / "docs" / "techniques"
    for t in catalog:
        page = folder / f"{t.key}.md"
        assert page.is_file(), f"missing {page}; run `fairmend techniques docs`"
        assert page.read_text(encoding="utf-8") == render_markdown(t), f"{page} is stale; run `fairmend techniques docs`"


def test_no_orphan_docs_pages(catalog):
    keys = set(catalog.keys())
    for page in (ROOT / "docs" / "techniques").glob("*.md"):
        assert page.stem in keys, f"{page} documents no registered technique"


def test_every_hook_has_a_test():
    hooks = [n for n in dir(hookspecs) if n.startswith("fairmend_")]
    tests = (ROOT / "tests" / "catalog" / "test_plugins.py").read_text()
    for hook in hooks:
        assert f"def test_hook_{hook}" in tests, f"hook {hook} has no test_hook_{hook}"


def test_every_hook_is_documented():
    guide = (ROOT / "docs" / "plugins.md").read_text()
    for hook in [n for n in dir(hookspecs) if n.startswith("fairmend_")]:
        assert f"{hook}(register)" in guide


def test_listing_contract(catalog):
    result = CliRunner().invoke(cli, ["techniques", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) >= 100
    assert {r["stage"] for r in rows} == STAGES
    need = {"key", "name", "stage", "technique_id", "criteria", "needs_retraining",
            "needs_protected_attribute_at_inference", "model_agnostic", "supports_multiple_groups",
            "task_types", "citation", "plugin", "executable"}
    for r in rows:
        assert need <= set(r), r["key"]
        assert {"authors", "year", "title", "venue"} <= set(r["citation"])
    ids = [i for r in rows for i in ([r["technique_id"]] if isinstance(r["technique_id"], int) else r["technique_id"] or [])]
    for sid in SEED_IDS:
        assert ids.count(sid) == 1, f"seed id {sid} appears {ids.count(sid)} times"


def test_show_69_is_feldman():
    result = CliRunner().invoke(cli, ["techniques", "show", "69"])
    assert result.exit_code == 0
    assert "Feldman" in result.output and "2015" in result.output
    bib = CliRunner().invoke(cli, ["techniques", "show", "69", "--bibtex"])
    assert "Feldman, M." in bib.output and "year = {2015}" in bib.output


def test_show_unknown_is_one_line_exit_2():
    result = CliRunner().invoke(cli, ["techniques", "show", "reweighing_kamiran"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "did you mean" in result.stderr


def test_listing_filters():
    runner = CliRunner()
    rows = json.loads(runner.invoke(cli, ["techniques", "list", "--stage", "post_processing", "--json"]).stdout)
    assert rows and all(r["stage"] == "post_processing" for r in rows)
    rows = json.loads(runner.invoke(cli, ["techniques", "list", "--criterion", "equal_opportunity", "--json"]).stdout)
    assert rows and all("equal_opportunity" in r["criteria"] for r in rows)


def test_every_cli_command_is_importable_and_documented():
    ref = (ROOT / "docs" / "cli.md").read_text()
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"## fairmend {name}" in ref, f"docs/cli.md lacks `fairmend {name}`"


def test_listing_imports_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from fairmend.cli import cli; "
        "r = CliRunner().invoke(cli, ['techniques', 'list', '--json']); assert r.exit_code == 0, r.output; "
        "print(','.join(m for m in ('torch', 'sentence_transformers', 'fairlearn', 'aif360', 'sklearn', 'faiss') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"listing imported: {out.stdout}"


def test_cli_reference_is_in_sync():
    """Regenerate with: python -m fairmend.cli.reference > docs/cli.md"""
    from fairmend.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render()
