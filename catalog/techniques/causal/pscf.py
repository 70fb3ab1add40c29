"""Path-specific counterfactual fairness (Chiappa 2019, *Path-Specific Counterfactual Fairness*, AAAI).

A decision is path-specific counterfactually fair when it would be the same had the protected
attribute ``A`` been different *along the unfair causal paths only*, the fair paths keeping the
factual ``A``. Chiappa's recipe: fit a structural causal model (SCM), infer each individual's latent
noise (abduction), recompute the descendants of ``A`` with ``A`` changed along the unfair paths, and
decide on these corrected quantities.

The SCM is the linear additive-noise model of :mod:`.counterfactual` (``X_j = f_j(A, pa_j) + ε_j``,
parents from a user DAG). Fair paths are named by *fair mediators* ``F``, children of ``A``: a path
from ``A`` is fair when its first edge is ``A → F``, unfair otherwise (the direct edge ``A → Y``
included), so effects routed through an unfair variable stay unfair downstream (Chiappa's
marital-status example). The path-specific world is an edge intervention on ``A``'s outgoing edges:
unfair children see the new ``A``, fair children the factual one, later descendants their recomputed
parents, all with each row's abducted noise (one value per node: no recanting witness).

Reported: (a) the path-specific effect ``E[Y(a1 on unfair edges, a0 on fair edges)] − E[Y(a0)]``
with a logistic regression on ``A`` (when ``A → Y``) and ``Y``'s DAG parents as ``Y``'s equation, on
the probability and logit scales (in a linear SCM the logit PSE is the sum over unfair paths of the
products of path coefficients), and the per-individual changes of an audited model's P(y=1) with
``A`` flipped along the unfair paths, beside the total (Kusner et al. 2017) counterfactual; (b) the
PSCF-corrected decisions: the model scored on each row's *fair world* (``A`` set to the baseline
value along unfair paths only), invariant to ``A`` along unfair paths by construction.

Deviations from the paper: Chiappa fits a latent-variable model by variational inference and samples
corrected values; here abduction is deterministic in a linear additive-noise model whose one-hot
columns are treated as real-valued (an approximation for categorical features). The audited model is
a logistic regression on the features (``A`` excluded), or a surrogate of a ``predictions`` column
(fidelity reported), fitted and evaluated in sample.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, prepare
from fairmend.catalog.techniques.causal.cf_audit import _labels
from fairmend.catalog.techniques.causal.counterfactual import AdditiveNoiseModel
from fairmend.catalog.techniques.causal.dag import build_dag, parse_edges

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError

BASELINES = ("privileged", "unprivileged")


def _world(anm: AdditiveNoiseModel, eps: pd.DataFrame, a: np.ndarray, a_in: dict[str, Any]) -> pd.DataFrame:
    """Design matrix with feature ``f`` recomputed from ``a_in[f]`` (else the factual ``a``) and its
    recomputed parents, keeping each row's noise ``eps``."""
    D = pd.DataFrame(index=eps.index, columns=anm.design_columns_, dtype=float)
    for f in anm.order_:
        af = np.broadcast_to(np.asarray(a_in.get(f, a), dtype=float), a.shape)
        pred = anm._inputs(D, af, f) @ anm.coefs_[f]
        for k, c in enumerate(anm.columns_[f]):
            D[c] = pred[:, k] + eps[c].to_numpy()
    return D


def _changes(p: np.ndarray, p_cf: np.ndarray, t: float) -> dict[str, float]:
    """Mean and mean absolute change of P(y=1) and the share of decisions flipped at ``t``."""
    return {
        "mean_change": float((p_cf - p).mean()),
        "mean_abs_change": float(np.abs(p_cf - p).mean()),
        "decision_flip_rate": float(((p >= t) != (p_cf >= t)).mean()),
    }


class PathSpecificCounterfactualFairness:
    """Path-specific counterfactual audit and fair-world correction of a model (Chiappa 2019).

    Parameters
    ----------
    edges : str, optional
        DAG over the protected attribute, features and outcome (file or ``"a->b, ..."``); default:
        ``A`` causes every feature, and ``A`` and every feature cause the outcome.
    fair_mediators : str, optional
        Comma-separated children of ``A`` whose paths from ``A`` are fair; all paths unfair when empty.
    features : str, optional
        Comma-separated model features (default: all but protected, outcome and predictions).
    privileged : str, optional
        Value of the protected attribute coded ``a = 1`` (default: highest favourable-outcome rate).
    baseline : {"privileged", "unprivileged"}, default "privileged"
        Value ``A`` takes along the unfair paths in the fair world of the correction.
    threshold : float, default 0.5
        Decision threshold on P(y=1).
    seed : int, default 0
        Random state of the audited logistic regression (whose lbfgs fit is deterministic).

    References
    ----------
    Chiappa, S. (2019). Path-Specific Counterfactual Fairness. AAAI 2019, 33(01), 7801-7808.
    Kusner, M. J., Loftus, J., Russell, C. & Silva, R. (2017). Counterfactual fairness. NeurIPS.
    """

    technique = "path_specific_counterfactual_fairness_chiappa"

    def __init__(
        self,
        *,
        edges: Annotated[str | None, Param("DAG file (YAML/JSON) or inline 'a->b, b->c' over protected, features and outcome (default: A -> every feature -> outcome, A -> outcome)")] = None,
        fair_mediators: Annotated[str | None, Param('Comma-separated children of the protected attribute whose paths are fair (none = all paths unfair)')] = None,
        features: Annotated[str | None, Param('Comma-separated model features (default: all but protected, outcome and predictions)')] = None,
        privileged: Annotated[str | None, Param('Protected value coded 1 (default: highest outcome rate)')] = None,
        baseline: Annotated[str, Param('Value the protected attribute takes along unfair paths in the corrected (fair-world) decisions', choices=('privileged', 'unprivileged'))] = "privileged",
        threshold: Annotated[float, Param('Decision threshold on P(y=1)', range=(0.01, 0.99))] = 0.5,
        seed: Annotated[int, Param('Random state passed to the audited model (the logistic-regression fit is deterministic)', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.edges = edges
        self.fair_mediators = fair_mediators
        self.features = features
        self.privileged = privileged
        self.baseline = baseline
        self.threshold = threshold
        self.seed = seed

    def _graph(
        self, data: pd.DataFrame, A: str, Y: str, feats: list[str]
    ) -> tuple[Any, list[str], list[str]]:
        edges = parse_edges(self.edges)[0]
        if not edges:
            edges = [(A, f) for f in feats] + [(f, Y) for f in feats] + [(A, Y)]
        check_columns(data, [n for e in edges for n in e], "DAG")
        for u, v in edges:
            if u == Y:
                raise DataError(f"edge {u} -> {v} leaves the outcome {Y!r}; the outcome must be a sink")
            for n in (u, v):
                if n not in (A, Y) and n not in feats:
                    raise DataError(f"DAG node {n!r} is not among the model features")
        dag = build_dag([A, *feats, Y], edges, strict=True)[0]
        if not dag.parents(Y):
            raise DataError(f"the DAG has no edge into the outcome {Y!r}")
        children = sorted(dag.children(A) - {Y})
        fair = as_columns(self.fair_mediators) or []
        check_columns(data, fair, "fair mediator")
        for f in fair:
            if f not in children:
                raise DataError(
                    f"fair mediator {f!r} is not a child of {A!r} in the DAG; name the first variable "
                    "on each fair path"
                )
        return dag, children, fair

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        from sklearn.linear_model import LogisticRegression

        if self.baseline not in BASELINES:
            raise InvalidParameterError(f"baseline {self.baseline!r} is not one of {', '.join(BASELINES)}")
        if not 0 < self.threshold < 1:
            raise InvalidParameterError(f"threshold {self.threshold} must be in (0, 1)")
        if predictions is not None and predictions not in data.columns:
            raise ColumnNotFoundError(f"predictions column {predictions!r} is not in the data")
        drop = [predictions] if predictions is not None else []
        prep = prepare(data, protected, outcome, self.privileged, drop=drop)
        A, feats = prep.protected, as_columns(self.features) or prep.features
        check_columns(data, feats, "feature")
        dag, children, fair = self._graph(data, A, outcome, feats)
        unfair = [c for c in children if c not in fair]
        X, a = data[feats], prep.a
        anm = AdditiveNoiseModel({f: sorted(dag.parents(f) & set(feats)) for f in feats}).fit(X, a)
        D, eps = anm._design(X), anm.abduct(X, a)
        ones, zeros = np.ones_like(a), np.zeros_like(a)

        # (a) path-specific effect on the outcome, with Y's DAG parents as its structural equation
        direct = dag.has_edge(A, outcome)
        ycols = [c for f in feats if f in dag.parents(outcome) for c in anm.columns_[f]]

        def y_inputs(Dw: pd.DataFrame, a_direct: np.ndarray) -> np.ndarray:
            Z = Dw[ycols].to_numpy(float)
            return np.column_stack([a_direct, Z]) if direct else Z

        ymodel = LogisticRegression(C=1e4, max_iter=5000).fit(y_inputs(D, a), prep.y)
        w0 = _world(anm, eps, a, {c: zeros for c in children})
        w1 = _world(anm, eps, a, {**{c: ones for c in unfair}, **{c: zeros for c in fair}})
        wt = _world(anm, eps, a, {c: ones for c in children})
        logit = {
            k: ymodel.decision_function(y_inputs(w, d))
            for k, (w, d) in {"0": (w0, zeros), "pse": (w1, ones), "te": (wt, ones)}.items()
        }
        prob = {k: 1 / (1 + np.exp(-v)) for k, v in logit.items()}
        sd = pd.Series({c: anm.means_sd_.get(c, (0.0, 1.0))[1] for c in anm.design_columns_})
        shifts = pd.DataFrame(
            {"path_specific_shift": (w1 - w0).mean() * sd, "total_shift": (wt - w0).mean() * sd}
        )

        # audited model: per-individual changes when A is flipped along unfair / all paths
        target = prep.y if predictions is None else _labels(data[predictions], predictions)
        model = LogisticRegression(max_iter=3000, random_state=self.seed).fit(D.to_numpy(float), target)

        def score(Dw: pd.DataFrame) -> np.ndarray:
            return model.predict_proba(Dw.to_numpy(float))[:, 1]

        t = self.threshold
        p = score(D)
        p_ps = score(_world(anm, eps, a, {c: 1 - a for c in unfair}))
        p_tot = score(_world(anm, eps, a, {c: 1 - a for c in children}))
        base_value = 1 if self.baseline == "privileged" else 0
        p_fair = score(_world(anm, eps, a, {c: np.full_like(a, base_value) for c in unfair}))
        dec, dec_fair = p >= t, p_fair >= t
        groups = data[A].astype(str).to_numpy()
        change_rows, corr_rows = [], []
        for g in sorted(set(groups)):
            m = groups == g
            ps, tot = _changes(p[m], p_ps[m], t), _changes(p[m], p_tot[m], t)
            change_rows.append(
                {"group": g, "rows": int(m.sum())}
                | {f"{k}_path_specific": v for k, v in ps.items()}
                | {f"{k}_total": v for k, v in tot.items()}
            )
            corr_rows.append(
                {
                    "group": g,
                    "rows": int(m.sum()),
                    "selection_rate_before": float(dec[m].mean()),
                    "selection_rate_after": float(dec_fair[m].mean()),
                    "flips_to_favourable": int((dec_fair & ~dec)[m].sum()),
                    "flips_to_unfavourable": int((dec & ~dec_fair)[m].sum()),
                }
            )

        def gap(d: np.ndarray) -> float:
            return float(d[a == 1].mean() - d[a == 0].mean())

        summary = {
            **prep.describe(),
            "features": feats,
            "dag_edges": [list(e) for e in dag.edges],
            "children_of_protected": children,
            "fair_mediators": fair,
            "unfair_children": unfair,
            "direct_edge_unfair": bool(direct),
            "E_Y(a0)": float(prob["0"].mean()),
            "E_Y(a1_unfair_paths)": float(prob["pse"].mean()),
            "pse_unfair": float(prob["pse"].mean() - prob["0"].mean()),
            "total_effect": float(prob["te"].mean() - prob["0"].mean()),
            "pse_unfair_logit": float((logit["pse"] - logit["0"]).mean()),
            "total_effect_logit": float((logit["te"] - logit["0"]).mean()),
            "audited_model": "surrogate of predictions column"
            if predictions is not None
            else "baseline logistic regression (protected attribute excluded)",
            "path_specific": _changes(p, p_ps, t),
            "total_counterfactual": _changes(p, p_tot, t),
            "correction": {
                "baseline_value": str(prep.privileged) if base_value == 1 else f"not {prep.privileged}",
                "selection_rate_gap_before": gap(dec),
                "selection_rate_gap_after": gap(dec_fair),
                "decision_flip_rate": float((dec != dec_fair).mean()),
                "accuracy_before": float(np.mean(dec == prep.y)),
                "accuracy_after": float(np.mean(dec_fair == prep.y)),
            },
            "citation": "Chiappa 2019",
        }
        summary["pse_fair"] = summary["total_effect"] - summary["pse_unfair"]
        if predictions is not None:
            summary["surrogate_fidelity"] = float(np.mean(dec == target))
        return AnalysisResult(
            technique=self.technique,
            summary=summary,
            tables={
                "counterfactual_changes_by_group": pd.DataFrame(change_rows),
                "corrected_predictions_by_group": pd.DataFrame(corr_rows),
                "feature_shifts": shifts.rename_axis("column").reset_index(),
            },
        )


__all__ = ["PathSpecificCounterfactualFairness"]
