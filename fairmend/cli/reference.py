"""Render the CLI reference (docs/cli.md) from the commands' own ``--help``.

Regenerate with ``python -m fairmend.cli.reference > docs/cli.md``; a test keeps it in sync.
"""

from __future__ import annotations

import click

from fairmend.cli import COMMANDS, cli


def _help(command: click.Command, path: list[str]) -> str:
    ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
    return command.get_help(ctx)


def render() -> str:
    out = ["# CLI reference", "", "Generated from `--help` by `python -m fairmend.cli.reference`.", ""]
    ctx = click.Context(cli, info_name="fairmend")
    for name in sorted(COMMANDS):
        cmd = cli.get_command(ctx, name)
        if cmd is None:
            continue
        out += [f"## fairmend {name}", "", "```", _help(cmd, ["fairmend", name]), "```", ""]
        if isinstance(cmd, click.Group):
            for sub in cmd.list_commands(ctx):
                out += [f"### fairmend {name} {sub}", "", "```",
                        _help(cmd.get_command(ctx, sub), ["fairmend", name, sub]), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
