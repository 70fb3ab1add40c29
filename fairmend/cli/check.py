"""``fairmend check --config .fairness-lint.yml [--json]``: the fairness gate for CI and pre-commit hooks.

Exit 0 when every rule passes, 1 when any fails (each failure listed), 2 on a bad config or bad data.
"""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json


@click.command()
@click.option("--config", "config_path", default=".fairness-lint.yml", show_default=True,
              type=click.Path(dir_okay=False), help="YAML file naming the data, the model's outputs and the rules.")
@click.option("--json", "as_json", is_flag=True, help="Print every check as JSON.")
@click.pass_context
def check(ctx: click.Context, config_path: str, as_json: bool) -> None:
    """Judge a model's fairness and the data's quality against the rules in a config file (exit 1 on failure)."""
    from fairmend.check import load_config, run_check

    result = run_check(load_config(config_path))
    if as_json:
        echo_json(result.to_dict())
    else:
        for c in result.checks:
            click.echo(f"{'PASS' if c['passed'] else 'FAIL'}  {c['message']}")
        n_failed = len(result.failures)
        click.echo(f"fairness check {'passed' if result.passed else 'FAILED'}: {len(result.checks) - n_failed} "
                   f"of {len(result.checks)} checks passed on {result.n_rows} rows ({config_path})")
    if not result.passed:
        ctx.exit(1)
