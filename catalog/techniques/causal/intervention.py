"""Back-door identification, intervention points and the seed-001 stage decision.

Roles come from the DAG (Pearl 1995, *Causal diagrams for empirical research*, Biometrika 82(4)):
confounders (common ancestors of A and Y), mediators (on a directed path A → … → Y), back-door
adjustment sets; proxies are features that predict A (cross-fitted AUC ≥ ``proxy_auc``). A
mediator is *biased* when A shifts its distribution (Cramér's V ≥ ``min_association``) and the
user has not declared it *resolving* (Kilbertus et al. 2017: influence of A through a resolving
variable is accepted as non-discriminatory).

Decision rules (seed 001, "Decision Point: Which Intervention Types?"), evaluated in order:

* R1 pre_processing — a biased (non-resolving) mediator, or a disparate-impact ratio < 0.80 of
  the outcome: repair the data.
* R2 in_processing — proxies of A among the non-resolving features: constrain the model.
* R3 post_processing — base rates differ but the disparity is legitimate: every mediator is
  resolving or the natural direct effect is not significant, so adjust thresholds.
* R4 hybrid — more than one of R1–R3 fired.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal.dag import construct, roles, write_dag
from fairmend.catalog.techniques.causal.proxy import proxy_scores

RULES = {
    "R1": "biased mediator or disparate impact < 0.80 (data collection bias) -> pre_processing",
    "R2": "proxy variables of the protected attribute identified -> in_processing",
    "R3": "base rates differ but the disparity runs through resolving variables (no significant direct effect) "
    "-> post_processing",
    "R4": "multiple pathways identified -> hybrid (stages combined)",
}


def decide(
    *,
    biased_mediators: list[str],
    disparate_impact: float,
    proxies: list[str],
    rate_gap: float,
    rate_gap_p: float,
    nde_significant: bool | None,
    unresolved_mediators: list[str],
) -> dict[str, Any]:
    """Apply the seed-001 decision rules; return stages, the rules that fired and why."""
    fired: list[dict[str, str]] = []
    if biased_mediators or disparate_impact < 0.8:
        why = []
        if biased_mediators:
            why.append("biased mediators: " + ", ".join(biased_mediators))
        if disparate_impact < 0.8:
            why.append(f"disparate impact ratio {disparate_impact:.3f} < 0.80")
        fired.append(
            {"rule": "R1", "stage": "pre_processing", "text": RULES["R1"], "because": "; ".join(why)}
        )
    if proxies:
        fired.append(
            {
                "rule": "R2",
                "stage": "in_processing",
                "text": RULES["R2"],
                "because": "proxies: " + ", ".join(proxies),
            }
        )
    if rate_gap_p < 0.05 and not unresolved_mediators and not nde_significant:
        fired.append(
            {
                "rule": "R3",
                "stage": "post_processing",
                "text": RULES["R3"],
                "because": f"base-rate gap {rate_gap:+.3f} (p={rate_gap_p:.3g}) with no unresolved pathway",
            }
        )
    stages = [f["stage"] for f in fired]
    if len(fired) > 1:
        fired.append(
            {
                "rule": "R4",
                "stage": "hybrid",
                "text": RULES["R4"],
                "because": f"{len(stages)} rules fired: {', '.join(stages)}",
            }
        )
    return {
        "stages": stages,
        "hybrid": len(stages) > 1,
        "rules_fired": fired,
        "note": None if fired else "no rule fired: no biased pathway, proxy or base-rate gap was found",
    }


def _association(frame: pd.DataFrame, a: np.ndarray, column: str) -> float:
    from fairmend.catalog.techniques.causal._common import discretise
    from scipy.stats.contingency import association

    table = pd.crosstab(discretise(frame[column], 5), a).to_numpy()
    return float(association(table, method="cramer")) if table.shape[0] > 1 else 0.0


class BackdoorIdentification:
    """Confounders, mediators, proxies, back-door adjustment sets and recommended intervention stages.

    Parameters
    ----------
    edges : str, optional
        DAG file (YAML/JSON, may list ``resolving`` variables) or inline ``"a->b, ..."``; default: discovered.
    resolving : str, optional
        Comma-separated resolving variables (added to those in the DAG file).
    discover : bool, default True
        Run PC discovery (as :class:`~fairmend.catalog.techniques.causal.dag.CausalDAGConstruction`).
    proxy_auc : float, default 0.7
        A feature is a proxy when its cross-fitted AUC for the attribute reaches this.
    min_association : float, default 0.1
        Cramér's V between A and a mediator above which the mediator counts as shifted by A.
    mediation_method : {"g_formula", "product"}, default "product"
    n_boot : int, default 50
        Bootstrap replicates of the natural direct effect's interval (R3).
    privileged : str, optional
    seed : int, default 0
    output_dir : str, optional
        Where the DAG (DOT, JSON) and ``intervention_points.json`` are written.
    """

    technique = "backdoor_identification_intervention_points"

    def __init__(
        self,
        edges: Annotated[str | None, Param('DAG file or inline edges; default: discovered')] = None,
        resolving: Annotated[str | None, Param('Comma-separated resolving variables')] = None,
        discover: Annotated[bool, Param('Run PC discovery')] = True,
        proxy_auc: Annotated[float, Param('Cross-fitted AUC from which a feature is a proxy', range=(0.5, 1.0))] = 0.7,
        min_association: Annotated[float, Param("Cramer's V from which A shifts a mediator", range=(0.0, 1.0))] = 0.1,
        mediation_method: Annotated[str, Param('NDE/NIE estimator', choices=('product', 'g_formula'))] = "product",
        n_boot: Annotated[int, Param('Bootstrap replicates of the NDE interval', range=(0.0, 2000.0))] = 50,
        privileged: Annotated[str | None, Param('Protected value coded 1 (default: highest outcome rate)')] = None,
        seed: Annotated[int, Param('Seed', range=(0.0, 2147483647.0))] = 0,
        output_dir: Annotated[str | None, Param('Folder for the DAG and intervention_points.json')] = None,
    ) -> None:
        self.edges = edges
        self.resolving = resolving
        self.discover = discover
        self.proxy_auc = proxy_auc
        self.min_association = min_association
        self.mediation_method = mediation_method
        self.n_boot = n_boot
        self.privileged = privileged
        self.seed = seed
        self.output_dir = output_dir

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        from fairmend.catalog.techniques.causal._common import as_columns, check_columns, prepare
        from fairmend.catalog.techniques.causal.mediation import MediationAnalysis

        built = construct(
            data, protected, outcome, edges=self.edges, discover_edges=self.discover, seed=self.seed
        )
        dag = built["dag"]
        prep = prepare(data, protected, outcome, self.privileged)
        A = prep.protected
        resolving = sorted(set(built["resolving"]) | set(as_columns(self.resolving) or []))
        check_columns(data, resolving, "resolving")
        r = roles(dag, A, outcome)
        proxy_table = proxy_scores(data, prep.a, prep.features, seed=self.seed)
        proxy_table["proxy"] = proxy_table["auc"] >= self.proxy_auc
        proxies = [f for f in proxy_table.loc[proxy_table["proxy"], "feature"] if f not in resolving]
        assoc = {m: _association(data, prep.a, m) for m in r["mediators"]}
        unresolved = [m for m in r["mediators"] if m not in resolving]
        biased = [m for m in unresolved if assoc[m] >= self.min_association]
        y, a = prep.y, prep.a
        r1, r0 = float(y[a == 1].mean()), float(y[a == 0].mean())
        di = min(r1, r0) / max(r1, r0) if max(r1, r0) > 0 else 1.0
        from scipy.stats import chi2_contingency

        gap_p = float(chi2_contingency(pd.crosstab(a, y).to_numpy())[1]) if len(set(y)) > 1 else 1.0
        mediation = None
        nde_sig: bool | None = None
        if r["mediators"]:
            med = MediationAnalysis(
                mediators=",".join(r["mediators"]),
                confounders=",".join(r["confounders"]) or None,
                method=self.mediation_method,
                n_boot=self.n_boot,
                seed=self.seed,
            )
            mediation, _, _ = med.estimate(prep)
            ci = mediation.get("nde_ci")
            nde_sig = bool(ci[0] > 0 or ci[1] < 0) if ci else None
        decision = decide(
            biased_mediators=biased,
            disparate_impact=di,
            proxies=proxies,
            rate_gap=r1 - r0,
            rate_gap_p=gap_p,
            nde_significant=nde_sig,
            unresolved_mediators=unresolved,
        )
        summary = {
            **prep.describe(),
            "dag_source": built["source"],
            "edges": [list(e) for e in dag.edges],
            **r,
            "resolving": resolving,
            "biased_mediators": biased,
            "mediator_association": assoc,
            "proxies": proxies,
            "rate_privileged": r1,
            "rate_others": r0,
            "disparate_impact": di,
            "rate_gap_p_value": gap_p,
            "mediation": mediation,
            "decision": decision,
            "intervention_points": {
                "pre_processing": [f"repair the distribution of {m} across {A} groups" for m in biased],
                "in_processing": [f"constrain the model's use of {p} (proxy of {A})" for p in proxies],
                "post_processing": ["group-specific thresholds on the model's scores"]
                if "post_processing" in decision["stages"]
                else [],
            },
            "citation": "Pearl 1995",
        }
        artifacts = {}
        if self.output_dir:
            from pathlib import Path

            from fairmend.io import write_json_atomic

            styles = {
                A: "lightcoral",
                outcome: "lightblue",
                **{m: "khaki" for m in r["mediators"]},
                **{c: "palegreen" for c in r["confounders"]},
                **{p: "orange" for p in proxies if p in dag.nodes},
            }
            artifacts = write_dag(
                self.output_dir, dag, dag.to_dict(), styles=styles, dashed=built["suggested_new_edges"]
            )
            artifacts["intervention_points"] = str(
                write_json_atomic(Path(self.output_dir) / "intervention_points.json", summary)
            )
        return AnalysisResult(
            technique=self.technique, summary=summary, tables={"proxies": proxy_table}, artifacts=artifacts
        )


__all__ = ["RULES", "BackdoorIdentification", "decide"]
