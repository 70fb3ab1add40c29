"""Generated documentation: datasheet (Gebru et al. 2021), model card (Mitchell et al. 2019),
AI FactSheet (Arnold et al. 2019) and fairness checklist (Madaio et al. 2020).

Facts computable from the data (sizes, group shares, base rates, disparate-impact ratios,
disaggregated model performance) are filled in; questions only people can answer are kept with
an explicit "to be completed" marker rather than invented text.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.documentation._facts import data_facts, model_facts
from fairmend.catalog.techniques.documentation._render import (
    TODO,
    Document,
    Section,
    Table,
    to_html,
    to_markdown,
    write,
)


def _prot(protected: Any) -> list[str]:
    return [protected] if isinstance(protected, str) else list(protected)


def _di_text(facts: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (
            f"Disparate-impact ratio ({a})",
            f"{v:.3f}" + (" (below the 0.80 four-fifths threshold)" if v < 0.8 else ""),
        )
        for a, v in facts["disparate_impact"].items()
    ]


class _DocBase:
    technique = ""
    stem = ""

    def __init__(self, title: Annotated[str | None, Param('Document title')] = None, output_dir: Annotated[str | None, Param('Folder for the Markdown and HTML files')] = None, seed: Annotated[int, Param('Seed of the baseline split (model documents)', range=(0.0, 2147483647.0))] = 0) -> None:
        self.title = title
        self.output_dir = output_dir
        self.seed = seed

    def build(
        self, data: pd.DataFrame, protected: list[str], outcome: str, predictions: str | None
    ) -> tuple[Document, dict]:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        doc, summary = self.build(data, _prot(protected), outcome, predictions)
        artifacts = write(doc, self.output_dir, self.stem)
        summary = {**summary, "markdown": to_markdown(doc), "html": to_html(doc)}
        return AnalysisResult(technique=self.technique, summary=summary, artifacts=artifacts)


class Datasheet(_DocBase):
    """Datasheet for a dataset (Gebru et al. 2021, *Datasheets for Datasets*, CACM 64(12)).

    Parameters
    ----------
    title : str, optional
    output_dir : str, optional
        Where ``datasheet.md`` and ``datasheet.html`` are written.
    seed : int, default 0
    """

    technique = "datasheets_for_datasets"
    stem = "datasheet"

    def build(self, data, protected, outcome, predictions):
        f = data_facts(data, protected, outcome)
        doc = Document(
            self.title or "Datasheet",
            "Structure after Gebru et al. (2021), Datasheets for Datasets.",
            [
                Section("Motivation", [TODO]),
                Section(
                    "Composition",
                    [f"{f['n_rows']} instances (rows) and {f['n_columns']} columns."],
                    [
                        ("Outcome", f"{outcome} (favourable value {f['favourable_label']!r})"),
                        ("Overall favourable rate", f"{f['base_rate']:.4f}"),
                        ("Protected attributes", ", ".join(protected)),
                        *_di_text(f),
                    ],
                    [
                        ("Groups: sizes and favourable-outcome base rates", Table.of(f["groups"])),
                        ("Columns", Table.of(f["columns"])),
                    ],
                ),
                Section("Collection process", [TODO]),
                Section(
                    "Preprocessing / cleaning / labeling",
                    [
                        f"Missing values per column are listed under Composition ({int(f['columns']['missing'].sum())} in total).",
                        TODO,
                    ],
                ),
                Section("Uses", [TODO]),
                Section("Distribution", [TODO]),
                Section("Maintenance", [TODO]),
            ],
        )
        return doc, {
            "n_rows": f["n_rows"],
            "groups": f["groups"].to_dict(orient="records"),
            "disparate_impact": f["disparate_impact"],
        }


class ModelCard(_DocBase):
    """Model card with disaggregated results (Mitchell et al. 2019, *Model Cards for Model Reporting*, FAT*).

    Evaluates the ``predictions`` column, or a logistic-regression baseline on a test split.

    Parameters
    ----------
    title : str, optional
    output_dir : str, optional
        Where ``model_card.md`` and ``model_card.html`` are written.
    seed : int, default 0
    """

    technique = "model_cards"
    stem = "model_card"

    def build(self, data, protected, outcome, predictions):
        f = model_facts(data, protected, outcome, predictions, self.seed)
        perf = f["performance"]
        doc = Document(
            self.title or "Model card",
            "Structure after Mitchell et al. (2019), Model Cards for Model Reporting.",
            [
                Section("Model details", [f"Evaluated: {f['evaluated']}.", TODO]),
                Section("Intended use", [TODO]),
                Section("Factors", [f"Results are disaggregated by {', '.join(protected)}."]),
                Section(
                    "Metrics",
                    ["Accuracy, selection rate, true-positive rate and false-positive rate per group."],
                ),
                Section("Evaluation data", [f"{f['n_evaluated']} rows."]),
                Section(
                    "Training data",
                    [f"{f['n_rows']} rows; overall favourable rate {f['base_rate']:.4f}."],
                    _di_text(f),
                    [("Training groups and base rates", Table.of(f["groups"]))],
                ),
                Section(
                    "Quantitative analyses",
                    [f"Overall accuracy {f['accuracy']:.4f}."],
                    [],
                    [("Disaggregated performance", Table.of(perf))],
                ),
                Section("Ethical considerations", [TODO]),
                Section("Caveats and recommendations", [TODO]),
            ],
        )
        return doc, {
            "evaluated": f["evaluated"],
            "accuracy": f["accuracy"],
            "performance": perf.to_dict(orient="records"),
        }


class AIFactsheet(_DocBase):
    """AI FactSheet (Arnold et al. 2019, *FactSheets: Increasing Trust in AI Services through Supplier's
    Declarations of Conformity*, IBM J. Res. Dev. 63(4/5)): purpose, data, performance, bias, safety.

    Parameters as :class:`ModelCard`; files ``factsheet.md`` / ``factsheet.html``.
    """

    technique = "ai_factsheets"
    stem = "factsheet"

    def build(self, data, protected, outcome, predictions):
        f = model_facts(data, protected, outcome, predictions, self.seed)
        perf = f["performance"]
        gaps = {
            a: float(t["selection_rate"].max() - t["selection_rate"].min())
            for a, t in perf.groupby("attribute")
        }
        doc = Document(
            self.title or "AI FactSheet",
            "Questions after Arnold et al. (2019), FactSheets.",
            [
                Section("Purpose and intended domain", [TODO]),
                Section(
                    "Training data",
                    [f"{f['n_rows']} rows, {f['n_columns']} columns; outcome {outcome}."],
                    _di_text(f),
                    [("Groups", Table.of(f["groups"]))],
                ),
                Section(
                    "Performance",
                    [
                        f"Evaluated: {f['evaluated']}; accuracy {f['accuracy']:.4f} on {f['n_evaluated']} rows."
                    ],
                    [],
                    [("By group", Table.of(perf))],
                ),
                Section("Bias", [], [(f"Selection-rate gap ({a})", f"{g:.4f}") for a, g in gaps.items()]),
                Section("Robustness, explainability, lineage and safety", [TODO]),
            ],
        )
        return doc, {"accuracy": f["accuracy"], "selection_rate_gap": gaps}


CHECKLIST = [
    ("Envision", "Intended uses and affected groups are documented", None),
    ("Define", "Protected attributes are identified", "protected"),
    ("Define", "Group sizes were checked (every group has at least 30 rows)", "sizes"),
    ("Prototype", "Favourable-outcome base rates were compared across groups", "rates"),
    ("Prototype", "Disparate-impact ratio is at least 0.80 for every attribute", "di"),
    ("Build", "Fairness criteria and mitigation were chosen with stakeholders", None),
    ("Launch", "Disaggregated evaluation was reviewed before launch", None),
    ("Evolve", "Fairness metrics are monitored after deployment", None),
]


class FairnessChecklist(_DocBase):
    """Fairness checklist (Madaio et al. 2020, *Co-Designing Checklists to Understand Organizational
    Challenges and Opportunities around Fairness in AI*, CHI): items checkable from the data are
    marked pass/fail with the evidence; the others are left for the team.

    Parameters as :class:`Datasheet`; files ``fairness_checklist.md`` / ``.html``.
    """

    technique = "fairness_checklist"
    stem = "fairness_checklist"

    def build(self, data, protected, outcome, predictions):
        f = data_facts(data, protected, outcome)
        g = f["groups"]
        evidence = {
            "protected": ("pass", ", ".join(protected)),
            "sizes": (
                "pass" if g["rows"].min() >= 30 else "fail",
                f"smallest group has {int(g['rows'].min())} rows",
            ),
            "rates": (
                "pass",
                "; ".join(f"{r.attribute}={r.group}: {r.base_rate:.3f}" for r in g.itertuples()),
            ),
            "di": (
                "pass" if min(f["disparate_impact"].values()) >= 0.8 else "fail",
                ", ".join(f"{a}: {v:.3f}" for a, v in f["disparate_impact"].items()),
            ),
        }
        rows = [
            {
                "stage": s,
                "item": item,
                "status": evidence[k][0] if k else "open",
                "evidence": evidence[k][1] if k else TODO,
            }
            for s, item, k in CHECKLIST
        ]
        table = pd.DataFrame(rows)
        doc = Document(
            self.title or "Fairness checklist",
            "Items after Madaio et al. (2020).",
            [Section("Checklist", [], [], [("Items", Table.of(table))])],
        )
        return doc, {"items": rows, "failed": [r["item"] for r in rows if r["status"] == "fail"]}


__all__ = ["AIFactsheet", "Datasheet", "FairnessChecklist", "ModelCard"]
