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
    "apply": "fairmend.cli.apply_cmd:apply",
    "benchmark": "fairmend.cli.benchmark:benchmark",
    "run": "fairmend.cli.run_cmd:run",
    "recommend": "fairmend.cli.recommend:recommend",
    "causal": "fairmend.cli.causal:causal",
    "monitor": "fairmend.cli.monitor:monitor",
    "pipeline": "fairmend.cli.pipeline:pipeline",
    "demo": "fairmend.cli.demo:demo",
    "check": "fairmend.cli.check:check",
    "tune": "fairmend.cli.tune:tune",
    "mlflow": "fairmend.cli.mlflow_cmd:mlflow",
    "serve": "fairmend.cli.serve:serve",
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
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        as_json = "--json" in argv
        try:
            return super().invoke(ctx)
        except FairmendError as exc:
            _fail(ctx, type(exc).__name__, str(exc), exc.exit_code, as_json)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(ctx, "UsageError", exc.format_message() + hint, 2, as_json)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the CLI boundary: one line, the traceback goes to a file
            log = _crash_log()
            _fail(ctx, type(exc).__name__,
                  f"unexpected {type(exc).__name__}: {_first_line(exc)} (a bug in fairmend; details in {log})",
                  1, as_json)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no message"


def _crash_log() -> str:
    """Write the current traceback to a crash-log file and return its path."""
    import os
    import tempfile
    import traceback

    folder = os.environ.get("FAIRMEND_CRASH_DIR") or tempfile.gettempdir()
    os.makedirs(folder, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="fairmend-crash-", suffix=".log", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"fairmend {__version__}\nargv: {sys.argv!r}\n\n")
        fh.write(traceback.format_exc())
    return path


def _fail(ctx: click.Context, kind: str, message: str, code: int, as_json: bool) -> None:
    """One line on stderr (and, under ``--json``, ``{"error": {...}}`` on stdout), then exit ``code``."""
    message = " ".join(message.split())
    if as_json:
        import json

        click.echo(json.dumps({"error": {"type": kind, "message": message, "exit_code": code}}))
    click.echo(f"Error: {message}", err=True)
    ctx.exit(code)


_SHOWN: set[str] = set()


def _roots() -> tuple[str, ...]:
    """Folders of fairmend's own code (catalog, plugins and recommender may sit outside fairmend/)."""
    import os

    import fairmend

    roots = {os.path.dirname(fairmend.__file__)}
    for name in ("catalog", "plugins", "recommender"):
        spec = importlib.util.find_spec(f"fairmend.{name}")
        if spec is not None and spec.submodule_search_locations:
            roots.update(spec.submodule_search_locations)
    return tuple(sorted(os.path.join(r, "") for r in roots))


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    """One line per distinct warning that concerns the user: fairmend's own (small groups, a guessed
    favourable label, ...). Libraries' internal warnings (deprecations inside fairlearn, ...) are not the
    user's to act on; ``FAIRMEND_SHOW_WARNINGS=1`` shows them too."""
    import os

    ours = str(getattr(category, "__module__", "")).startswith("fairmend") or str(filename).startswith(_roots())
    if not ours and os.environ.get("FAIRMEND_SHOW_WARNINGS") != "1":
        return
    text = " ".join(str(message).split())
    if text not in _SHOWN:
        _SHOWN.add(text)
        click.echo(f"Warning: {text}", err=True)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="fairmend")
def cli() -> None:
    """fairmend: choose, apply and validate fairness interventions."""
    warnings.showwarning = _show_warning


def main() -> None:
    cli(prog_name="fairmend")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
