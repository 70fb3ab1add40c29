"""Data-driven causal discovery for the fairness DAG: PC (Spirtes, Glymour & Scheines 2000,
*Causation, Prediction, and Search*) or GES (Chickering 2002, JMLR) through ``causal-learn`` on a
discretised, row-sampled, feature-bounded subset, and orientation of the discovered pattern."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.techniques.causal._common import discretise

from fairmend.errors import DataError, MissingDependencyError


def _pick_features(frame: pd.DataFrame, features: list[str], targets: list[np.ndarray], k: int) -> list[str]:
    """The ``k`` features most associated (mutual information) with the protected attribute or outcome."""
    if len(features) <= k:
        return list(features)
    from sklearn.metrics import mutual_info_score

    score = {f: max(mutual_info_score(t, discretise(frame[f])) for t in targets) for f in features}
    return sorted(features, key=lambda f: -score[f])[:k]


def discover(
    frame: pd.DataFrame,
    protected: str,
    outcome: str,
    features: list[str],
    *,
    method: str = "pc",
    alpha: float = 0.01,
    max_rows: int = 2000,
    max_features: int = 10,
    depth: int = 2,
    n_bins: int = 4,
    seed: int = 0,
) -> dict[str, Any]:
    """Run PC (chi-square tests) or GES (BDeu score) on a discretised, row-sampled subset.

    The protected attribute gets no parents and the outcome no children (background knowledge for
    PC; a post-hoc orientation for GES). Size is bounded by ``max_rows``, ``max_features`` and the
    PC conditioning-set ``depth``.
    """
    try:
        from causallearn.search.ConstraintBased.PC import pc
        from causallearn.search.ScoreBased.GES import ges
        from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise MissingDependencyError(
            f"causal discovery needs causal-learn (pip install causal-learn): {exc}"
        ) from exc
    rows = frame.sample(n=min(max_rows, len(frame)), random_state=seed) if len(frame) > max_rows else frame
    a_codes, y_codes = discretise(rows[protected]), discretise(rows[outcome])
    chosen = _pick_features(rows, features, [a_codes, y_codes], max_features)
    names = [protected, *chosen, outcome]
    X = np.column_stack([discretise(rows[c], n_bins) for c in names]).astype(float)
    keep = [i for i in range(X.shape[1]) if len(np.unique(X[:, i])) > 1]
    names, X = [names[i] for i in keep], X[:, keep]
    start = time.perf_counter()
    if method == "pc":
        import re

        bk = BackgroundKnowledge()  # matched by node name: nothing causes A, Y causes nothing
        exact = {n: "^" + re.escape(n) + "$" for n in names}
        for n in names:
            if n != protected and protected in exact:
                bk.add_forbidden_by_pattern(exact[n], exact[protected])
            if n != outcome and outcome in exact:
                bk.add_forbidden_by_pattern(exact[outcome], exact[n])
        cg = pc(
            X,
            alpha=alpha,
            indep_test="chisq",
            stable=True,
            show_progress=False,
            node_names=names,
            max_k=depth,
            background_knowledge=bk,
        )
        graph = cg.G.graph
    elif method == "ges":
        graph = ges(X, score_func="local_score_BDeu", node_names=names)["G"].graph
    else:
        raise DataError(f"unknown discovery method {method!r}; use 'pc' or 'ges'")
    directed, undirected = [], []
    n = len(names)
    for i in range(n):
        for j in range(i + 1, n):
            gij, gji = graph[i, j], graph[j, i]
            if gij == -1 and gji == 1:
                directed.append((names[i], names[j]))
            elif gij == 1 and gji == -1:
                directed.append((names[j], names[i]))
            elif gij != 0 or gji != 0:
                undirected.append((names[i], names[j]))
    return {
        "method": method,
        "alpha": alpha,
        "rows_used": len(rows),
        "variables": names,
        "directed": directed,
        "undirected": undirected,
        "seconds": round(time.perf_counter() - start, 3),
    }


def orient(
    suggestion: dict[str, Any], protected: str, outcome: str, order: Sequence[str]
) -> list[tuple[str, str]]:
    """Turn a discovered pattern into DAG edges: edges at the protected attribute point away from it,
    edges at the outcome point into it, other undirected edges follow ``order``; edges that would
    close a cycle are dropped."""
    pos = {n: i for i, n in enumerate(order)}
    out: list[tuple[str, str]] = []
    for u, v in [*suggestion["directed"], *suggestion["undirected"]]:
        if (
            v == protected
            or u == outcome
            or (u, v) in suggestion["undirected"]
            and u != protected
            and v != outcome
            and pos.get(u, 0) > pos.get(v, 0)
        ):
            u, v = v, u
        out.append((u, v))
    return out
