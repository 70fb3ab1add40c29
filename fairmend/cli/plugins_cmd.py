"""``fairmend plugins``."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--third-party", is_flag=True, help="Only installed third-party plugins.")
@click.option("--all", "show_all", is_flag=True, hidden=True, help="Kept for compatibility: built-ins are listed by default.")
def plugins(as_json: bool, third_party: bool, show_all: bool) -> None:
    """List every plugin (built-in and installed), its technique count, and any that failed to load."""
    from fairmend.plugins import plugin_report

    records = [r for r in plugin_report() if not (third_party and r.builtin)]
    if as_json:
        echo_json([r.to_dict() for r in records])
        return
    if not records:
        click.echo("No third-party plugins installed.")
        return
    width = max(len(r.name) for r in records)
    click.echo(f"{'plugin':<{width}}  {'origin':<24}  techniques")
    for r in records:
        origin = "built-in" if r.builtin else f"{r.distribution or '?'} {r.version or ''}".strip()
        status = str(len(r.techniques)) if r.ok else f"FAILED: {r.error}"
        click.echo(f"{r.name:<{width}}  {origin:<24}  {status}")
    failed = sum(not r.ok for r in records)
    total = sum(len(r.techniques) for r in records)
    click.echo(f"{len(records)} plugin(s), {total} technique(s)" + (f", {failed} failed to load" if failed else ""),
               err=True)
