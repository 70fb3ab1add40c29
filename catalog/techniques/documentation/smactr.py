"""SMACTR internal audit report (Raji, Smart, White, Mitchell, Gebru, Hutchinson, Smith-Loud, Theron
& Barnes 2020, *Closing the AI Accountability Gap: Defining an End-to-End Framework for Internal
Algorithmic Auditing*, FAT*).

The framework's five stages — **S**coping, **M**apping, **A**rtifact collection, **T**esting and
**R**eflection — become the sections of one audit document. What fairmend can measure is filled in
from the data (group sizes, base rates, disparate-impact ratios), a disaggregated evaluation of the
``predictions`` column or of a logistic-regression baseline, and optional run reports
(``report.json`` files of ``fairmend run``: technique, target metric before/after, gate verdict).
Everything only the audit team can provide (stakeholder map, social impact assessment, sign-off) is
kept with an explicit "to be completed" marker instead of invented text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns
from fairmend.catalog.techniques.documentation._facts import model_facts
from fairmend.catalog.techniques.documentation._render import TODO, Document, Section, Table
from fairmend.catalog.techniques.documentation.documents import _di_text, _DocBase

from fairmend.errors import DataFileError

#: Thresholds of the risk checks in the Testing / Reflection stages.
MIN_GROUP_ROWS = 30
MAX_SELECTION_GAP = 0.10
MIN_DI_RATIO = 0.80


def load_reports(paths: list[str]) -> list[dict[str, Any]]:
    """Parse ``report.json`` files; raises :class:`DataFileError` naming an unreadable one."""
    out = []
    for p in paths:
        try:
            report = json.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"run report {p!r} cannot be read as JSON: {exc}") from exc
        if not isinstance(report, dict) or "technique" not in report:
            raise DataFileError(f"run report {p!r} is not a fairmend report.json (no 'technique')")
        out.append({"path": str(p), **report})
    return out


def _report_rows(reports: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for r in reports:
        metric = r.get("target_metric")
        gate = r.get("gate") or {}
        rows.append(
            {
                "technique": r["technique"],
                "stage": r.get("stage", ""),
                "target_metric": metric or "n/a",
                "before": (r.get("before") or {}).get(metric, float("nan")) if metric else float("nan"),
                "after": (r.get("after") or {}).get(metric, float("nan")) if metric else float("nan"),
                "gate": "n/a" if not gate else ("passed" if gate.get("passed") else "failed"),
            }
        )
    return pd.DataFrame(rows, columns=["technique", "stage", "target_metric", "before", "after", "gate"])


class SMACTRAudit(_DocBase):
    """End-to-end internal audit document in the five SMACTR stages (Raji et al. 2020).

    Parameters
    ----------
    title : str, optional
    intended_use : str, optional
        One-sentence use case for the Scoping stage (left to be completed when absent).
    reports : str, optional
        Comma-separated paths of ``report.json`` files from ``fairmend run`` (mitigation evidence).
    output_dir : str, optional
        Where ``smactr_audit.md`` and ``smactr_audit.html`` are written.
    seed : int, default 0
        Seed of the baseline split when no ``predictions`` column is given.
    """

    technique = "smactr_internal_audit"
    stem = "smactr_audit"

    def __init__(
        self,
        title: Annotated[str | None, Param('Title of the audit (default: derived from the dataset and outcome)')] = None,
        intended_use: Annotated[str | None, Param('One-sentence use case for the Scoping stage (left to be completed when absent)')] = None,
        reports: Annotated[str | None, Param('Comma-separated paths of ``report.json`` files from ``fairmend run`` (mitigation evidence)')] = None,
        output_dir: Annotated[str | None, Param('Where ``smactr_audit.md`` and ``smactr_audit.html`` are written')] = None,
        seed: Annotated[int, Param('Seed of the baseline split when no ``predictions`` column is given', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        super().__init__(title=title, output_dir=output_dir, seed=seed)
        self.intended_use = intended_use
        self.reports = reports

    def build(self, data, protected, outcome, predictions):
        reports = load_reports(as_columns(self.reports) or [])
        f = model_facts(data, protected, outcome, predictions, self.seed)
        groups, perf = f["groups"], f["performance"]
        gaps = {
            a: float(t["selection_rate"].max() - t["selection_rate"].min())
            for a, t in perf.groupby("attribute")
        }
        tpr_gaps = {a: float(t["tpr"].max() - t["tpr"].min()) for a, t in perf.groupby("attribute")}
        risks = []
        for r in groups.itertuples():
            if r.rows < MIN_GROUP_ROWS:
                risks.append(
                    f"{r.attribute}={r.group} has only {r.rows} rows (< {MIN_GROUP_ROWS}): estimates unreliable"
                )
        for a, v in f["disparate_impact"].items():
            if v < MIN_DI_RATIO:
                risks.append(f"disparate-impact ratio of the outcome for {a} is {v:.3f} (< {MIN_DI_RATIO})")
        for a, g in gaps.items():
            if g > MAX_SELECTION_GAP:
                risks.append(f"model selection-rate gap for {a} is {g:.4f} (> {MAX_SELECTION_GAP})")
        report_table = _report_rows(reports)
        passed = report_table.loc[report_table["gate"] == "passed", "technique"].tolist()
        artifacts = pd.DataFrame(
            [
                {
                    "artifact": "Dataset facts (sizes, base rates)",
                    "status": "collected",
                    "source": "this audit",
                },
                {
                    "artifact": "Disaggregated model evaluation",
                    "status": "collected",
                    "source": f["evaluated"],
                },
                {
                    "artifact": "Mitigation run reports",
                    "status": "collected" if reports else "missing",
                    "source": ", ".join(r["path"] for r in reports) or "none given",
                },
                {
                    "artifact": "Datasheet (Gebru et al. 2021)",
                    "status": "open",
                    "source": "fairmend run datasheets_for_datasets",
                },
                {
                    "artifact": "Model card (Mitchell et al. 2019)",
                    "status": "open",
                    "source": "fairmend run model_cards",
                },
                {"artifact": "Design history / requirements", "status": "open", "source": TODO},
            ]
        )
        doc = Document(
            self.title or "Internal algorithmic audit (SMACTR)",
            "Stages after Raji et al. (2020), Closing the AI Accountability Gap (FAT*).",
            [
                Section(
                    "Scoping",
                    [self.intended_use or TODO, "Social impact assessment and ethical review: " + TODO],
                    [
                        ("Outcome audited", f"{outcome} (favourable value {f['favourable_label']!r})"),
                        ("Protected attributes", ", ".join(protected)),
                        ("Rows", str(f["n_rows"])),
                        ("Overall favourable rate", f"{f['base_rate']:.4f}"),
                    ],
                ),
                Section(
                    "Mapping",
                    ["Stakeholder map and collaborator roles: " + TODO],
                    [
                        (
                            "Affected groups",
                            "; ".join(
                                f"{r.attribute}={r.group} ({r.rows} rows)" for r in groups.itertuples()
                            ),
                        )
                    ],
                    [("Data inputs", Table.of(f["columns"]))],
                ),
                Section("Artifact collection", [], [], [("Audit artifacts", Table.of(artifacts))]),
                Section(
                    "Testing",
                    [f"Evaluated: {f['evaluated']} ({f['n_evaluated']} rows); accuracy {f['accuracy']:.4f}."],
                    [
                        *_di_text(f),
                        *[(f"Selection-rate gap ({a})", f"{g:.4f}") for a, g in gaps.items()],
                        *[(f"True-positive-rate gap ({a})", f"{g:.4f}") for a, g in tpr_gaps.items()],
                    ],
                    [
                        ("Groups and outcome base rates", Table.of(groups)),
                        ("Disaggregated performance", Table.of(perf)),
                        *([("Mitigation runs", Table.of(report_table))] if reports else []),
                    ],
                ),
                Section(
                    "Reflection",
                    [
                        f"{len(risks)} risk(s) found by the automated checks."
                        if risks
                        else "No automated risk check fired.",
                        *risks,
                        (
                            f"Mitigations that passed their validation gate: {', '.join(passed)}."
                            if passed
                            else "No mitigation run has passed its validation gate yet."
                        ),
                        "Remediation plan, residual-risk acceptance and sign-off: " + TODO,
                    ],
                ),
            ],
        )
        return doc, {
            "risks": risks,
            "accuracy": f["accuracy"],
            "disparate_impact": f["disparate_impact"],
            "selection_rate_gap": gaps,
            "mitigations_passed": passed,
            "n_reports": len(reports),
        }


__all__ = ["SMACTRAudit", "load_reports"]
