"""Cross-validated figures of the binding check (fairmend.recommender.binding), on development data only.

Usage: python benchmarks/bench_binding.py [--thresholds 0.1,0.15,0.2,0.25,0.3]

Reads every contrastive pair and every development corpus with the reader alone (no binding check), keeps the
prohibitions it reads (retraining, the protected attribute at decision time, any intervention at all), and for
each group in turn (a pair file, or one of the development corpora from validation17 on, whose clauses the reader
never trained on)
trains the check on all the other groups and scores that group. Prints, per kind of prohibition and threshold,
how many wrong readings the check would doubt (removed) and how many right ones (lost). The held-out corpora
are never read. About 20 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "recommender"))


def removed_lost(label: str, s: np.ndarray, p: np.ndarray, y: np.ndarray, thresholds: list[float]) -> str:
    """One table line: of the readings selected by ``s``, how many wrong (``y == 0``) and right ones there are,
    and per threshold how many of each the check would doubt (``p`` under it)."""
    head = f"{label} wrong {int((s & (y == 0)).sum()):4d} right {int((s & (y == 1)).sum()):4d}"
    cells = [
        f"{t}: {int((s & (p < t) & (y == 0)).sum())}/{int((s & (p < t) & (y == 1)).sum())}"
        for t in thresholds
    ]
    return f"{head}  removed/lost  " + "  ".join(cells)


def main(argv: list[str] | None = None) -> int:
    from fairmend.recommender import binding

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--thresholds", default="0.1,0.15,0.2,0.25,0.3")
    args = ap.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    from functools import partial

    from fairmend.recommender.parse import parse_text

    read = partial(parse_text, verify=False)
    rows = binding.training_rows(binding.load_pairs() + binding.load_corpora(), read)
    x = binding.features(rows)
    y = np.array([r[3] for r in rows], dtype=int)
    groups = np.array([r[4] for r in rows])
    fields = np.array([r[2] for r in rows])
    pair_groups = sorted({g for g in groups if g.startswith("binding_pairs")})
    late = sorted({g for g in groups if g.startswith("validation") and int(g[10:-5] or 1) >= 17})
    p = np.full(len(rows), np.nan)
    for g in pair_groups + late:
        test = groups == g
        weights, bias = binding.fit(x[~test], y[~test])
        p[test] = binding.BindingModel(weights, bias, "", "").probabilities(x[test])
    print(f"{len(rows)} prohibitions read; {int((y == 0).sum())} not binding; C = {binding.C}")
    for field in binding.CHECKED:
        for name, sel in (("pairs", np.isin(groups, pair_groups)), ("validation17+", np.isin(groups, late))):
            print(removed_lost(f"{field:32s} {name:14s}", sel & (fields == field), p, y, thresholds))
    print(f"shipped threshold: {binding.THRESHOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
