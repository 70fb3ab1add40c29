"""``fairmend demo``: the whole workflow on the bundled Adult data (sex and race)."""

from __future__ import annotations

import click


def demo_policy():  # type: ignore[no-untyped-def]
    """The seed-001 thresholds unchanged; one candidate per stage so the demo stays within minutes."""
    from fairmend.pipeline import Policy

    return Policy.from_dict({
        "candidates_per_stage": 1,
        "candidates": {
            "pre": ["reweighing_kamiran_calders"],
            "in": ["exponentiated_gradient_reduction"],
            "post": ["threshold_optimizer_equalized_odds_hardt", "group_specific_platt_scaling"],
        },
        "params": {"exponentiated_gradient_reduction": {"max_iter": 15}},
        "n_boot": 500,
        "n_permutations": 1000,
    })


@click.command()
@click.option("--output", default="fairmend-demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace an earlier demo's output folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--favourable-label", type=click.Choice(["0", "1"]), default="1", show_default=True,
              help="Which income class counts as favourable (1: >50K).")
def demo(output: str, overwrite: bool, quiet: bool, favourable_label: str) -> None:
    """Run the intervention pipeline on UCI Adult (protected: sex, race) and write the report."""
    import shutil
    import time
    from pathlib import Path

    from fairmend.cli.pipeline import run_and_report, summary_lines
    from fairmend.datasets import load_adult
    from fairmend.errors import OutputExistsError

    out = Path(output)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise OutputExistsError(f"{out} already holds a demo; pass --overwrite or choose another --output")
        if not (out / "audit_log.jsonl").exists():
            raise OutputExistsError(f"{out} holds files fairmend did not write; --overwrite replaces only an "
                                    "earlier demo's folder")
        shutil.rmtree(out)
    adult = load_adult()
    meaning = ">50K" if favourable_label == "1" else "<=50K"
    click.echo(f"UCI Adult: {adult.n_rows:,} rows; protected sex, race; outcome income, favourable = "
               f"{favourable_label} ({meaning}). "
               f"{adult.citation.short()}, CC BY 4.0")
    start = time.perf_counter()
    result, paths = run_and_report("adult", ["sex", "race"], "income", demo_policy(), str(out), False, quiet,
                                   favourable_label=int(favourable_label))
    for line in summary_lines(result):
        click.echo(line)
    click.echo(f"report (open in a browser; summary first): {paths['report_html']}  "
               f"({time.perf_counter() - start:.0f} s)")
    for name in ("validation_report", "model_card", "implementation_guide"):
        click.echo(f"{name.replace('_', ' ')}: {paths[name]}")
    click.echo(f"audit log: {out / 'audit_log.jsonl'}")
