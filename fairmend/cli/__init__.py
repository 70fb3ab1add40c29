"""The ``fairmend`` command line. Each command lives in its own module and is imported only
when invoked, so ``fairmend techniques list`` never pays for heavy imports."""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import Any

import click

from fairmend import __version__
from fairmend.errors import FairmendError

# command name -> "module:attribute"; modules are imported lazily.
COMMANDS: dict[str, str] = {
    "techniques": "fairmend.cli.techniques:techniques",
    "plugins": "fairmend.cli.plugins_cmd:plugins",
    "datasets": "fairmend.cli.datasets_cmd:datasets",
    "audit": "fairmend.cli.audit:audit",
    "run": "fairmend.cli.run_cmd:run",
    "recommend": "fairmend.cli.recommend:recommend",
    "causal": "fairmend.cli.causal:causal",
    "monitor": "fairmend.cli.monitor:monitor",
    "pipeline": "fairmend.cli.pipeline:pipeline",
    "demo": "fairmend.cli.demo:demo",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name].partition(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not self._available(cmd_name):
            return None
        module_name, _, attr = target.partition(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FairmendError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    click.echo(f"Warning: {message}", err=True)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="fairmend")
def cli() -> None:
    """fairmend: choose, apply and validate fairness interventions."""
    warnings.showwarning = _show_warning


def main() -> None:
    cli(prog_name="fairmend")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
