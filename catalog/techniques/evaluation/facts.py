"""FACTS: fairness-aware counterfactuals for subgroups (Kavouras et al. 2023, NeurIPS).

FACTS audits the *difficulty of recourse*: can the affected individuals (decided unfavourably) of
each protected group flip the decision with the same actions? It mines frequent subgroups of the
affected: conjunctions of up to ``max_predicate_length`` predicates ``feature = value`` (numeric
features in ``n_bins`` quantile bins, protected attributes excluded) with support >= ``min_support``
among the affected rows of *every* group. A subgroup's candidate actions are the frequent itemsets
of the *unaffected* on the same features that change at least one mutable feature and keep the
immutable ones (``if occupation = Sales then occupation = Exec-managerial``); numeric features are
set to the median of the target bin. Cost: categorical features changed plus numeric bins moved. An
action's *effectiveness* for a group is the share of its affected subgroup members whose decision
the model flips.

Per subgroup and group, with actions ordered by cost and the *cumulative* effectiveness (share
flipped by at least one action up to that cost), the paper's measures are ``equal_effectiveness``
(share flipped by any action), ``equal_choice_for_recourse`` (actions with effectiveness >= ``phi``),
``equal_effectiveness_within_budget`` (cumulative effectiveness at cost <= ``budget``),
``equal_cost_of_effectiveness`` (least cost whose cumulative effectiveness reaches ``phi``, inf if
none), ``equal_mean_recourse`` (mean cheapest flipping cost of those who can flip) and
``fair_tradeoff`` (largest gap between the groups' cumulative-effectiveness curves). A subgroup's
unfairness is the max - min gap across groups (0 when all are inf or undefined); subgroups are
ranked by the gap of ``metric``.

The audited model is a logistic regression on the non-protected features fitted to the outcome, or
a surrogate of a ``predictions`` (or ``scores``) column (fidelity reported; affected rows are those
the column decides 0 and the surrogate agrees). Deviations from the paper: subgroups come from
enumerating feature combinations rather than FP-growth (the same itemsets up to the length cap),
costs use the fixed rule above instead of tunable feature weights, all in sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import clean, prepare
from fairmend.catalog.techniques.evaluation.proxy import discretise

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError

METRICS = (
    "equal_effectiveness",
    "equal_choice_for_recourse",
    "equal_effectiveness_within_budget",
    "equal_cost_of_effectiveness",
    "equal_mean_recourse",
)
#: metrics where the *lowest* group value is the disadvantaged one
HIGHER_IS_BETTER = {"equal_effectiveness", "equal_choice_for_recourse", "equal_effectiveness_within_budget"}


def _names(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def _tuple(key: Any) -> tuple:
    return key if isinstance(key, tuple) else (key,)


@dataclass
class _Audit:
    """What every subgroup evaluation needs: binned and raw features, the model and the rows."""

    B: pd.DataFrame  # binned feature labels
    X: pd.DataFrame  # raw features, as the model reads them
    model: Any
    affected: np.ndarray
    groups: np.ndarray
    names: list[str]
    mutable: set[str]
    rep: dict[str, pd.Series]  # numeric bin label -> median value
    rank: dict[str, dict[str, int] | None]  # numeric bin label -> order (None: categorical)


def group_measures(flips: np.ndarray, costs: np.ndarray, phi: float, budget: float) -> dict[str, Any]:
    """FACTS measures of one protected group in one subgroup; ``flips`` is actions x members, actions
    sorted by ascending ``costs``."""
    eff = flips.mean(axis=1)
    cum = np.logical_or.accumulate(flips, axis=0).mean(axis=1)
    reach = np.flatnonzero(cum >= phi)
    within = np.flatnonzero(costs <= budget)
    any_flip = flips.any(axis=0)
    cheapest = costs[flips.argmax(axis=0)]  # first (cheapest) flipping action per member
    return {
        "equal_effectiveness": float(cum[-1]),
        "equal_choice_for_recourse": int((eff >= phi).sum()),
        "equal_effectiveness_within_budget": float(cum[within[-1]]) if len(within) else 0.0,
        "equal_cost_of_effectiveness": float(costs[reach[0]]) if len(reach) else float("inf"),
        "equal_mean_recourse": float(cheapest[any_flip].mean()) if any_flip.any() else float("nan"),
        "cumulative": cum,
        "effectiveness": eff,
    }


def _cost(rank: dict[str, dict[str, int] | None], cols: list[str], sg: tuple, t: tuple) -> float:
    """Categorical features changed plus numeric bins moved."""
    total = 0.0
    for c, v, s in zip(cols, t, sg, strict=True):
        r = rank[c]
        total += 0.0 if v == s else 1.0 if r is None else abs(r[v] - r[s])
    return total


def _gap(values: dict[str, float], metric: str) -> tuple[float, str | None]:
    """Max - min across groups (inf when only some are inf, 0 when all are) and the group it is against."""
    v = {g: x for g, x in values.items() if not np.isnan(x)}
    if len(v) < 2 or len(set(v.values())) == 1:
        return 0.0, None
    worst = (min if metric in HIGHER_IS_BETTER else max)(sorted(v), key=v.__getitem__)
    finite = [x for x in v.values() if np.isfinite(x)]
    gap = float("inf") if len(finite) < len(v) else max(finite) - min(finite)
    return gap, worst


class FACTSAudit:
    """Subgroup recourse-fairness audit with fairness-aware counterfactuals (FACTS).

    Parameters
    ----------
    min_support : float, default 0.05
        Least share of each group's affected rows in a subgroup (of the unaffected, for actions).
    max_predicate_length : int, default 2
        Largest number of ``feature = value`` predicates in a subgroup.
    n_bins : int, default 4
        Quantile bins for numeric features.
    metric : str, default "equal_effectiveness"
        Measure whose gap ranks the subgroups: one of :data:`METRICS` or ``"fair_tradeoff"``.
    phi, budget : float, default 0.3, 1.0
        Effectiveness threshold (choice, cost of effectiveness) and cost budget (within budget).
    top : int, default 10
        Subgroups listed in the summary and in the actions table.
    mutable, immutable : str, optional
        Comma-separated features actions may change (default: all non-protected features) / must
        keep (removed from ``mutable``).
    seed : int, default 0
        Seed passed to the audited baseline model (the logistic-regression fit is deterministic).

    References
    ----------
    Kavouras, L., Tsopelas, K., Giannopoulos, G., Sacharidis, D., Psaroudaki, E., Theologitis, N.,
    Rontogiannis, D., Fotakis, D. & Emiris, I. (2023). Fairness Aware Counterfactuals for Subgroups.
    NeurIPS 2023 (arXiv:2306.14978).
    """

    def __init__(
        self,
        *,
        min_support: Annotated[float, Param("Least share of each group's affected rows in a subgroup (and of the unaffected rows for an action)", range=(0.001, 0.99))] = 0.05,
        max_predicate_length: Annotated[int, Param('Largest number of feature=value predicates in a subgroup', range=(1.0, 4.0))] = 2,
        n_bins: Annotated[int, Param('Quantile bins for numeric features', range=(2.0, 20.0))] = 4,
        metric: Annotated[str, Param('Recourse-unfairness measure whose between-group gap ranks the subgroups', choices=('equal_effectiveness', 'equal_choice_for_recourse', 'equal_effectiveness_within_budget', 'equal_cost_of_effectiveness', 'equal_mean_recourse', 'fair_tradeoff'))] = "equal_effectiveness",
        phi: Annotated[float, Param('Effectiveness threshold of the choice-for-recourse and cost-of-effectiveness measures', range=(0.0, 1.0))] = 0.3,
        budget: Annotated[float, Param('Action cost budget of the effectiveness-within-budget measure', range=(0.0, 100.0))] = 1.0,
        top: Annotated[int, Param('Subgroups listed in the summary and the actions table', range=(1.0, 1000.0))] = 10,
        mutable: Annotated[str | None, Param('Comma-separated features actions may change (default: all non-protected features)')] = None,
        immutable: Annotated[str | None, Param('Comma-separated features actions must keep (e.g. age,race,native_country)')] = None,
        seed: Annotated[int, Param('Random state passed to the audited model (the logistic-regression fit is deterministic)', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.min_support = min_support
        self.max_predicate_length = max_predicate_length
        self.n_bins = n_bins
        self.metric = metric
        self.phi = phi
        self.budget = budget
        self.top = top
        self.mutable = mutable
        self.immutable = immutable
        self.seed = seed

    def _check(self) -> None:
        if self.metric not in (*METRICS, "fair_tradeoff"):
            raise InvalidParameterError(
                f"metric {self.metric!r} is not one of {', '.join(METRICS)}, fair_tradeoff"
            )
        if not 0 < self.min_support < 1:
            raise InvalidParameterError(f"min_support {self.min_support} must be in (0, 1)")
        if self.max_predicate_length < 1 or self.n_bins < 2 or self.top < 1:
            raise InvalidParameterError("max_predicate_length and top must be >= 1 and n_bins >= 2")

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        from fairmend.engine.models import make_base_model, positive_scores

        self._check()
        audit = prepare(data, protected, outcome, predictions, scores, when_missing="labels")
        frame, groups = audit.frame, audit.groups.astype(str)
        feats = [c for c in frame.columns if c not in {*audit.protected, outcome, predictions, scores}]
        for c in _names(self.mutable) + _names(self.immutable):
            if c not in feats:
                raise ColumnNotFoundError(f"action feature {c!r} is not a non-protected feature column")
        mutable = set(_names(self.mutable) or feats) - set(_names(self.immutable))
        if not mutable:
            raise DataError("no mutable feature is left for actions")
        X = frame[feats]
        surrogate = audit.audited != "labels"
        target = audit.y_pred if surrogate else audit.y_true
        model = make_base_model("logreg", X, seed=self.seed).fit(X, target)
        decision = positive_scores(model, X) >= 0.5
        affected = ~decision & (target == 0 if surrogate else True)
        unaffected = target == 1 if surrogate else decision
        names = sorted(set(groups))
        for g in names:
            if not affected[groups == g].any():
                raise DataError(f"protected group {g!r} has no affected (unfavourably decided) rows")
        B = pd.DataFrame({f: discretise(X[f], self.n_bins) for f in feats})
        numeric = [
            f for f in feats if pd.api.types.is_numeric_dtype(X[f]) and not pd.api.types.is_bool_dtype(X[f])
        ]
        rep = {f: X[f].groupby(B[f]).median().sort_values() for f in numeric}
        rank = {f: {k: i for i, k in enumerate(rep[f].index)} if f in rep else None for f in feats}
        n_aff = {g: int((affected & (groups == g)).sum()) for g in names}
        ctx = _Audit(B, X, model, affected, groups, names, mutable, rep, rank)
        rows, actions_rows = [], []
        for size in range(1, self.max_predicate_length + 1):
            for combo in combinations(feats, size):
                if not mutable & set(combo):
                    continue
                cols = list(combo)
                aff = B.loc[affected, cols].assign(_g=groups[affected])
                counts = aff.groupby([*cols, "_g"]).size().unstack("_g").reindex(columns=names).fillna(0)
                support = counts / pd.Series(n_aff)
                subgroups = support.index[(support >= self.min_support).all(axis=1)]
                if not len(subgroups):
                    continue
                un = B.loc[unaffected, cols].value_counts() / max(int(unaffected.sum()), 1)
                targets = [_tuple(t) for t in un.index[un >= self.min_support]]
                for sg in subgroups:
                    row = self._subgroup(ctx, cols, _tuple(sg), targets)
                    if row is not None:
                        rows.append(row[0])
                        actions_rows.extend(row[1])
        if not rows:
            raise DataError(
                f"no subgroup with support >= {self.min_support} in every group has a valid action; "
                "lower min_support or allow more mutable features"
            )
        table = pd.DataFrame(rows)
        order = np.lexsort((table["subgroup"], -table["n_affected"], -table[f"{self.metric}_gap"].to_numpy()))
        table = table.iloc[order].reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        top = table.head(self.top)
        actions = pd.DataFrame(actions_rows)
        actions = actions[actions["subgroup"].isin(set(top["subgroup"]))]
        summary: dict[str, Any] = {
            "audited": "surrogate_of_predictions" if surrogate else "baseline_logreg_in_sample",
            "n_rows": len(frame),
            "n_affected": n_aff,
            "metric": self.metric,
            "n_subgroups": len(table),
            "top_subgroups": [
                {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
                for r in top.drop(columns=["rank"]).to_dict("records")
            ],
            "citation": "Kavouras et al. 2023",
        }
        if surrogate:
            summary["surrogate_fidelity"] = float(np.mean(decision == target))
        return AnalysisResult(
            "facts_recourse_fairness_audit", clean(summary), {"subgroups": table, "actions": actions}
        )

    def _subgroup(self, ctx: _Audit, cols: list[str], sg: tuple, targets: list[tuple]) -> Any:
        """One subgroup's ranked row and its actions' rows (``None`` without a valid action)."""
        from fairmend.engine.models import positive_scores

        acts = [
            t
            for t in targets
            if t != sg and all(t[i] == sg[i] for i, c in enumerate(cols) if c not in ctx.mutable)
        ]
        if not acts:
            return None
        costs = np.array([_cost(ctx.rank, cols, sg, t) for t in acts])
        order = np.lexsort((np.array([str(t) for t in acts]), costs))
        acts, costs = [acts[i] for i in order], costs[order]
        member = ctx.affected & (ctx.B[cols] == list(sg)).all(axis=1).to_numpy()
        Xm = ctx.X.loc[member]
        batch = []
        for t in acts:
            Xa = Xm.copy()
            for i, c in enumerate(cols):
                if t[i] != sg[i]:
                    Xa[c] = ctx.rep[c][t[i]] if c in ctx.rep else t[i]
            batch.append(Xa)
        flips = (positive_scores(ctx.model, pd.concat(batch)) >= 0.5).reshape(len(acts), len(Xm))
        gm, names = ctx.groups[member], ctx.names
        per = {g: group_measures(flips[:, gm == g], costs, self.phi, self.budget) for g in names}
        label = " & ".join(f"{c}={v}" for c, v in zip(cols, sg, strict=True))
        row: dict[str, Any] = {"subgroup": label, "n_affected": int(member.sum())}
        for m in METRICS:
            row[f"{m}_gap"], against = _gap({g: per[g][m] for g in names}, m)
            if m == self.metric:
                row["bias_against"] = against
        curves = np.array([per[g]["cumulative"] for g in names])
        spread = curves.max(axis=0) - curves.min(axis=0)
        row["fair_tradeoff_gap"] = float(spread.max())
        if self.metric == "fair_tradeoff":
            worst = names[int(curves[:, spread.argmax()].argmin())]
            row["bias_against"] = worst if spread.max() > 0 else None
        for g in names:
            row[f"n_affected[{g}]"] = int((gm == g).sum())
            for m in METRICS:
                row[f"{m}[{g}]"] = per[g][m]
        mean_eff = np.mean([per[g]["effectiveness"] for g in names], axis=0)
        best = int(mean_eff.argmax())  # actions are cost-sorted: ties go to the cheaper action

        def act_label(t: tuple) -> str:
            return " & ".join(f"{c}={v}" for c, v, s in zip(cols, t, sg, strict=True) if v != s)

        row |= {"best_action": act_label(acts[best]), "best_action_cost": costs[best], "n_actions": len(acts)}
        for g in names:
            row[f"best_action_effectiveness[{g}]"] = float(per[g]["effectiveness"][best])
        actions = [
            {"subgroup": label, "action": act_label(t), "cost": float(costs[k])}
            | {f"effectiveness[{g}]": float(per[g]["effectiveness"][k]) for g in names}
            for k, t in enumerate(acts)
        ]
        return row, actions


__all__ = ["FACTSAudit", "group_measures"]
