"""Causal DAG construction from user-given edges, with data-driven suggestions from causal discovery.

References: Kusner, Loftus, Russell & Silva (2017), *Counterfactual Fairness*, NeurIPS (the causal
model as the basis of a fairness analysis); Spirtes, Glymour & Scheines (2000), *Causation,
Prediction, and Search* (the PC algorithm); Chickering (2002), *Optimal Structure Identification
With Greedy Search*, JMLR (GES). Discovery runs through ``causal-learn``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, prepare
from fairmend.catalog.techniques.causal._dag import DAG
from fairmend.catalog.techniques.causal.discovery import discover, orient

from fairmend.errors import DataError, DataFileError


def parse_edges(source: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """Edges and resolving variables from a YAML/JSON file, a mapping, a list or ``"a->b, b->c"``.

    Accepted shapes: ``{"edges": [["a", "b"], "b -> c", {"from": "c", "to": "d"}], "resolving": [...]}``
    or just the list of edges.
    """
    if source is None:
        return [], []
    obj = source
    if isinstance(source, (str, Path)):
        text = str(source)
        path = Path(text)
        if "->" in text and not path.suffix.lower() in {".yaml", ".yml", ".json"}:
            obj = [e for e in text.replace(";", ",").split(",") if e.strip()]
        else:
            if not path.is_file():
                raise DataFileError(f"DAG file not found: {path}")
            import yaml  # JSON is a subset of YAML

            try:
                obj = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise DataFileError(f"{path} is not valid YAML/JSON: {exc}") from exc
    resolving: list[str] = []
    if isinstance(obj, dict):
        resolving = [str(r) for r in obj.get("resolving", []) or []]
        obj = obj.get("edges", [])
    if not isinstance(obj, list):
        raise DataFileError("a DAG specification must be a list of edges or a mapping with 'edges'")
    edges: list[tuple[str, str]] = []
    for e in obj:
        if isinstance(e, str) and "->" in e:
            u, _, v = e.partition("->")
            edges.append((u.strip(), v.strip()))
        elif isinstance(e, dict) and {"from", "to"} <= set(e):
            edges.append((str(e["from"]), str(e["to"])))
        elif isinstance(e, (list, tuple)) and len(e) == 2:
            edges.append((str(e[0]), str(e[1])))
        else:
            raise DataFileError(f"cannot read edge {e!r}; use 'a -> b', [a, b] or {{from: a, to: b}}")
    return edges, resolving


def build_dag(nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, strict: bool) -> tuple[DAG, list]:
    """A :class:`DAG`; with ``strict`` a cycle raises, otherwise cycle-closing edges are skipped."""
    dag, dropped = DAG(nodes), []
    for u, v in edges:
        try:
            dag.add_edge(u, v)
        except DataError:
            if strict:
                raise
            dropped.append((u, v))
    return dag, dropped


def roles(dag: DAG, protected: str, outcome: str) -> dict[str, list[str]]:
    """Confounders (common ancestors of A and Y), mediators (on a directed path A -> ... -> Y), other
    descendants of A, and back-door adjustment sets for the total effect of A on Y."""
    anc_a, anc_y, desc_a = dag.ancestors(protected), dag.ancestors(outcome), dag.descendants(protected)
    return {
        "confounders": sorted(anc_a & anc_y),
        "mediators": sorted((desc_a & anc_y) - {outcome}),
        "descendants_of_protected": sorted(desc_a - {outcome}),
        "non_descendants_of_protected": sorted(set(dag.nodes) - desc_a - {protected, outcome}),
        "adjustment_sets": dag.backdoor_sets(protected, outcome)
        if protected in dag.nodes and outcome in dag.nodes
        else [],
    }


def write_dag(
    output_dir: str | Path,
    dag: DAG,
    payload: dict[str, Any],
    *,
    styles: dict[str, str],
    dashed: Sequence[tuple[str, str]],
) -> dict[str, str]:
    """Write ``causal_dag.dot`` and ``causal_dag.json`` atomically; return their paths."""
    from fairmend.io import write_atomic, write_json_atomic

    out = Path(output_dir)
    dot = write_atomic(out / "causal_dag.dot", dag.to_dot(styles=styles, dashed=dashed))
    js = write_json_atomic(out / "causal_dag.json", payload)
    return {"dag_dot": str(dot), "dag_json": str(js)}


def construct(
    data: pd.DataFrame,
    protected: str,
    outcome: str,
    *,
    edges: Any = None,
    discover_edges: bool = True,
    method: str = "pc",
    alpha: float = 0.01,
    max_rows: int = 2000,
    max_features: int = 10,
    depth: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """The working DAG and its provenance: user edges when given (suggestions reported beside them),
    else the discovered graph, else the saturated default A -> X -> Y, A -> Y."""
    user_edges, resolving = parse_edges(edges)
    prep = prepare(data, protected, outcome)
    features = prep.features
    check_columns(data, [n for e in user_edges for n in e], "DAG")
    check_columns(data, resolving, "resolving")
    suggestion = None
    if discover_edges:
        suggestion = discover(
            data,
            prep.protected,
            outcome,
            features,
            method=method,
            alpha=alpha,
            max_rows=max_rows,
            max_features=max_features,
            depth=depth,
            seed=seed,
        )
    order = [prep.protected, *features, outcome]
    if user_edges:
        source, working = "user", user_edges
    elif suggestion is not None:
        source, working = "discovered", orient(suggestion, prep.protected, outcome, order)
    else:
        source = "default_saturated"
        working = [(prep.protected, f) for f in features] + [(f, outcome) for f in features]
        working.append((prep.protected, outcome))
    nodes = [n for n in order if source != "discovered" or n in suggestion["variables"]]  # type: ignore[index]
    if source == "user":
        nodes = [n for n in order if any(n in e for e in user_edges) or n in (prep.protected, outcome)]
    dag, dropped = build_dag(nodes, working, strict=(source == "user"))
    dashed = []
    if suggestion is not None and source == "user":
        dashed = [
            e
            for e in orient(suggestion, prep.protected, outcome, order)
            if not dag.has_edge(*e) and not dag.has_edge(e[1], e[0])
        ]
    return {
        "dag": dag,
        "source": source,
        "resolving": resolving,
        "suggestion": suggestion,
        "suggested_new_edges": dashed,
        "dropped_edges": dropped,
        "prepared": prep,
    }


class CausalDAGConstruction:
    """Build the fairness DAG from user edges (YAML/JSON) plus data-driven suggestions.

    Parameters
    ----------
    edges : str, optional
        YAML/JSON file (``{edges: [...], resolving: [...]}``) or inline ``"a->b, b->c"``.
    discover : bool, default True
        Also run causal discovery and report suggested edges (used as the DAG when no edges are given).
    method : {"pc", "ges"}, default "pc"
    alpha : float, default 0.01
        Significance level of PC's chi-square tests.
    max_rows, max_features, depth : int
        Bounds on the discovery problem (rows sampled, features kept, PC conditioning-set size).
    seed : int, default 0
    output_dir : str, optional
        Where ``causal_dag.dot`` and ``causal_dag.json`` are written.

    References
    ----------
    Kusner et al. (2017), Counterfactual Fairness, NeurIPS; Spirtes, Glymour & Scheines (2000).
    """

    def __init__(
        self,
        edges: Annotated[str | None, Param("YAML/JSON DAG file ({edges: [...], resolving: [...]}) or inline 'a->b, b->c'")] = None,
        discover: Annotated[bool, Param('Also run PC discovery for suggested edges (the DAG itself when no edges are given)')] = True,
        method: Annotated[str, Param('Discovery algorithm', choices=('pc', 'ges'))] = "pc",
        alpha: Annotated[float, Param('PC chi-square test level', range=(0.0001, 0.5))] = 0.01,
        max_rows: Annotated[int, Param('Rows sampled for discovery', range=(100.0, 100000.0))] = 2000,
        max_features: Annotated[int, Param('Features kept for discovery', range=(2.0, 50.0))] = 10,
        depth: Annotated[int, Param('PC maximum conditioning-set size', range=(0.0, 10.0))] = 2,
        seed: Annotated[int, Param('Sampling seed', range=(0.0, 2147483647.0))] = 0,
        output_dir: Annotated[str | None, Param('Folder for causal_dag.dot and causal_dag.json')] = None,
    ) -> None:
        self.edges = edges
        self.discover = discover
        self.method = method
        self.alpha = alpha
        self.max_rows = max_rows
        self.max_features = max_features
        self.depth = depth
        self.seed = seed
        self.output_dir = output_dir

    technique = "causal_dag_construction"

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        return self._run(data, protected, outcome, self.discover)

    def _run(self, data: pd.DataFrame, protected: Any, outcome: str, discover: bool) -> AnalysisResult:
        built = construct(
            data,
            protected,
            outcome,
            edges=self.edges,
            discover_edges=discover,
            method=self.method,
            alpha=self.alpha,
            max_rows=self.max_rows,
            max_features=self.max_features,
            depth=self.depth,
            seed=self.seed,
        )
        dag, prep = built["dag"], built["prepared"]
        r = roles(dag, prep.protected, outcome)
        summary = {
            "source": built["source"],
            **dag.to_dict(),
            "resolving": built["resolving"],
            **r,
            "suggested_new_edges": [list(e) for e in built["suggested_new_edges"]],
            "dropped_edges": [list(e) for e in built["dropped_edges"]],
            "discovery": None
            if built["suggestion"] is None
            else {
                k: ([list(e) for e in v] if k in ("directed", "undirected") else v)
                for k, v in built["suggestion"].items()
            },
        }
        artifacts = {}
        if self.output_dir:
            styles = {
                prep.protected: "lightcoral",
                outcome: "lightblue",
                **{m: "khaki" for m in r["mediators"]},
                **{c: "palegreen" for c in r["confounders"]},
            }
            artifacts = write_dag(
                self.output_dir, dag, summary, styles=styles, dashed=built["suggested_new_edges"]
            )
        edges_table = pd.DataFrame(dag.edges, columns=["from", "to"])
        return AnalysisResult(
            technique=self.technique,
            summary=json.loads(json.dumps(summary, default=str)),
            tables={"edges": edges_table},
            artifacts=artifacts,
        )


class CausalDiscovery(CausalDAGConstruction):
    """Data-driven causal discovery (PC or GES via causal-learn) proposing a fairness DAG.

    Same parameters as :class:`CausalDAGConstruction`; user ``edges``, when given, are checked
    against the discovered graph (edges absent from it are reported under ``unsupported_user_edges``).

    References
    ----------
    Spirtes, Glymour & Scheines (2000), Causation, Prediction, and Search, MIT Press; Chickering (2002).
    """

    technique = "causal_discovery_constraint_score_based"

    def __init__(
        self,
        edges: Annotated[str | None, Param('User DAG to check against the discovered graph')] = None,
        method: Annotated[str, Param('PC (chi-square tests) or GES (BDeu score)', choices=('pc', 'ges'))] = "pc",
        alpha: Annotated[float, Param('PC chi-square test level', range=(0.0001, 0.5))] = 0.01,
        max_rows: Annotated[int, Param('Rows sampled', range=(100.0, 100000.0))] = 2000,
        max_features: Annotated[int, Param('Features kept', range=(2.0, 50.0))] = 10,
        depth: Annotated[int, Param('PC maximum conditioning-set size', range=(0.0, 10.0))] = 2,
        seed: Annotated[int, Param('Sampling seed', range=(0.0, 2147483647.0))] = 0,
        output_dir: Annotated[str | None, Param('Folder for the DAG files')] = None,
    ) -> None:
        super().__init__(
            edges=edges,
            discover=True,
            method=method,
            alpha=alpha,
            max_rows=max_rows,
            max_features=max_features,
            depth=depth,
            seed=seed,
            output_dir=output_dir,
        )

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        result = self._run(data, protected, outcome, True)
        disc = result.summary["discovery"]
        adjacent = {frozenset(e) for e in disc["directed"] + disc["undirected"]}
        user, _ = parse_edges(self.edges)
        result.summary["unsupported_user_edges"] = [
            [u, v]
            for u, v in user
            if u in disc["variables"] and v in disc["variables"] and frozenset((u, v)) not in adjacent
        ]
        return result


__all__ = ["CausalDAGConstruction", "CausalDiscovery", "as_columns", "construct", "parse_edges", "roles"]
