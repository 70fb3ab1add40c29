"""``fairmend techniques list|show``."""

from __future__ import annotations

import click

from fairmend.catalog.types import Criterion, Stage
from fairmend.cli._common import echo_json

LIST_FIELDS = (
    "key", "name", "stage", "technique_id", "criteria", "needs_retraining",
    "needs_protected_attribute_at_inference", "model_agnostic", "supports_multiple_groups",
    "task_types", "runtime_class", "citation", "plugin", "executable",
)


@click.group()
def techniques() -> None:
    """Browse the technique catalog."""


@techniques.command("list")
@click.option("--stage", type=click.Choice([s.value for s in Stage]), help="Only this stage.")
@click.option("--criterion", type=click.Choice([c.value for c in Criterion]), help="Only techniques for this criterion.")
@click.option("--executable/--all", "executable_only", default=False, help="Only techniques fairmend can run.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(stage: str | None, criterion: str | None, executable_only: bool, as_json: bool) -> None:
    """List techniques, optionally filtered by stage or criterion."""
    from fairmend.plugins import get_catalog

    found = get_catalog().filter(stage=stage, criterion=criterion, executable=True if executable_only else None)
    if as_json:
        echo_json([{k: t.to_dict(parameters=False)[k] for k in LIST_FIELDS} for t in found])
        return
    width = max((len(t.key) for t in found), default=10)
    click.echo(f"{'key':<{width}}  {'stage':<15} {'seed id':>7}  {'run':<3}  citation")
    for t in found:
        tid = ",".join(map(str, t.technique_ids)) or "-"
        run = "run" if t.executable else "   "
        click.echo(f"{t.key:<{width}}  {t.stage.value:<15} {tid:>7}  {run}  {t.citation.short()}")
    click.echo(f"{len(found)} technique(s). seed id: the technique's number in the seed catalog (`techniques show "
               "ID`); run: fairmend can apply it (`fairmend run KEY`).", err=True)


@techniques.command("show")
@click.argument("key_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print the full entry as JSON.")
@click.option("--bibtex", is_flag=True, help="Print the citation as BibTeX.")
def show(key_or_id: str, as_json: bool, bibtex: bool) -> None:
    """Show one technique by key or seed technique_id (e.g. 69)."""
    from fairmend.catalog.docs import render_markdown
    from fairmend.plugins import get_catalog

    t = get_catalog().get(key_or_id)
    if bibtex and as_json:
        echo_json({"key": t.key, "bibtex": t.citation.bibtex(t.key), "citation": t.to_dict()["citation"]})
    elif bibtex:
        click.echo(t.citation.bibtex(t.key))
    elif as_json:
        echo_json(t.to_dict())
    else:
        click.echo(render_markdown(t))


@techniques.command("docs")
@click.option("--output", default="docs/techniques", show_default=True, type=click.Path(file_okay=False))
@click.option("--check", is_flag=True, help="Only report pages that are missing or out of date (exit 1).")
def docs(output: str, check: bool) -> None:
    """Generate docs/techniques/KEY.md for every registered technique."""
    from pathlib import Path

    from fairmend.catalog.docs import render_markdown, write_docs
    from fairmend.plugins import get_catalog

    folder = Path(output)
    found = list(get_catalog())
    if check:
        stale = [
            t.key for t in found
            if not (folder / f"{t.key}.md").is_file()
            or (folder / f"{t.key}.md").read_text(encoding="utf-8") != render_markdown(t)
        ]
        for key in stale:
            click.echo(f"out of date: {folder / (key + '.md')}", err=True)
        if stale:
            raise SystemExit(1)
        click.echo(f"{len(found)} pages up to date")
        return
    written = write_docs(found, folder)
    click.echo(f"wrote {len(written)} pages to {folder}")
