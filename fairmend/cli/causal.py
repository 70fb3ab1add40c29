"""``fairmend causal --data F --protected A --outcome Y [--dag FILE] [--output DIR] [--json]``."""

from __future__ import annotations

from typing import Any

import click

from fairmend.cli._common import echo_json


def causal_report(
    data: Any,
    protected: str,
    outcome: str,
    *,
    dag: str | None = None,
    resolving: str | None = None,
    output: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Run the causal analyses in sequence and return one JSON-ready report (files go to ``output``)."""
    from fairmend.catalog.techniques.causal.counterfactual import CounterfactualFairness
    from fairmend.catalog.techniques.causal.intervention import BackdoorIdentification
    from fairmend.catalog.techniques.causal.sensitivity import EValueSensitivity, OmittedVariableSensitivity

    ident = BackdoorIdentification(edges=dag, resolving=resolving, seed=seed, output_dir=output).run(
        data, protected=protected, outcome=outcome
    )
    s = ident.summary
    adjust = ",".join(s["adjustment_sets"][0]) if s["adjustment_sets"] else None
    evalue = EValueSensitivity(covariates=adjust, n_boot=100, seed=seed).run(
        data, protected=protected, outcome=outcome
    )
    rv = OmittedVariableSensitivity(covariates=adjust).run(data, protected=protected, outcome=outcome)
    cf = CounterfactualFairness(edges=dag, seed=seed).run(data, protected=protected, outcome=outcome)
    report = {
        "identification": s,
        "proxies": ident.tables["proxies"].to_dict(orient="records"),
        "sensitivity": {"e_value": evalue.summary, "robustness_value": rv.summary},
        "counterfactual_fairness": cf.summary,
        "artifacts": dict(ident.artifacts),
    }
    if output:
        from pathlib import Path

        from fairmend.io import write_json_atomic

        path = write_json_atomic(Path(output) / "causal_analysis.json", report)
        report["artifacts"]["causal_analysis"] = str(path)
    return report


@click.command()
@click.option(
    "--data", required=True, type=click.Path(dir_okay=False), help="CSV/Parquet table."
)
@click.option("--protected", required=True, help="Protected attribute column (one).")
@click.option("--outcome", required=True, help="Binary outcome column.")
@click.option("--dag", type=click.Path(dir_okay=False), help="YAML/JSON file of DAG edges.")
@click.option("--resolving", help="Comma-separated resolving variables.")
@click.option("--output", type=click.Path(file_okay=False), help="Folder for the DAG (DOT, JSON) and report.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def causal(
    data: str,
    protected: str,
    outcome: str,
    dag: str | None,
    resolving: str | None,
    output: str | None,
    seed: int,
    as_json: bool,
) -> None:
    """Causal analysis: DAG, confounders/mediators/proxies, sensitivity, counterfactual gap, stage decision."""
    from fairmend.io import read_table

    report = causal_report(
        read_table(data), protected, outcome, dag=dag, resolving=resolving, output=output, seed=seed
    )
    if as_json:
        echo_json(report)
        return
    s = report["identification"]
    ev, rv = report["sensitivity"]["e_value"], report["sensitivity"]["robustness_value"]
    cf = report["counterfactual_fairness"]
    lines = [
        f"Causal analysis of {s['treatment']} on {outcome} ({s['n_rows']} rows)",
        f"DAG ({s['dag_source']}): {len(s['edges'])} edges",
        f"  confounders: {', '.join(s['confounders']) or '-'}",
        f"  mediators:   {', '.join(s['mediators']) or '-'} (biased: {', '.join(s['biased_mediators']) or '-'})",
        f"  proxies:     {', '.join(s['proxies']) or '-'}",
        f"  resolving:   {', '.join(s['resolving']) or '-'}",
        f"  adjustment sets: {s['adjustment_sets']}",
        (
            f"Outcome rates: {s['rate_privileged']:.3f} vs {s['rate_others']:.3f} "
            f"(disparate impact {s['disparate_impact']:.3f})"
        ),
    ]
    if s["mediation"]:
        m = s["mediation"]
        lines.append(f"Mediation: NDE {m['nde']:+.3f}, NIE {m['nie']:+.3f}, total {m['total_effect']:+.3f}")
    lines += [
        (
            f"E-value {ev['e_value']:.2f} (CI bound {ev['e_value_ci']:.2f}; risk ratio {ev['risk_ratio']:.2f}); "
            f"robustness value {rv['robustness_value']:.3f}"
        ),
        (
            f"Counterfactual gap: unaware model {cf['unaware_baseline']['mean_abs_counterfactual_gap']:.3f}, "
            f"counterfactually fair model {cf['counterfactually_fair']['mean_abs_counterfactual_gap']:.3f}"
        ),
        "Recommended stages: " + (", ".join(s["decision"]["stages"]) or "none"),
    ]
    lines += [f"  {f['rule']}: {f['text']} [{f['because']}]" for f in s["decision"]["rules_fired"]]
    if s["decision"]["note"]:
        lines.append(f"  {s['decision']['note']}")
    for name, path in report["artifacts"].items():
        lines.append(f"Wrote {name}: {path}")
    click.echo("\n".join(lines))
