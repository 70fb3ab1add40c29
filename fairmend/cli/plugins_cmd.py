"""``fairmend plugins``."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--all", "show_all", is_flag=True, help="Include the built-in plugins.")
def plugins(as_json: bool, show_all: bool) -> None:
    """List installed plugins, their techniques, and any that failed to load."""
    from fairmend.plugins import plugin_report

    records = [r for r in plugin_report() if show_all or not r.builtin]
    if as_json:
        echo_json([r.to_dict() for r in records])
        return
    if not records:
        click.echo("No third-party plugins installed.")
    for r in records:
        origin = "built-in" if r.builtin else f"{r.distribution or '?'} {r.version or ''}".strip()
        status = f"{len(r.techniques)} technique(s)" if r.ok else f"FAILED: {r.error}"
        click.echo(f"{r.name}  ({origin})  {status}")
