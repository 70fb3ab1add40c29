"""How far two independent annotators agree on the validation corpora's hard constraints (issue 14).

Usage: python benchmarks/bench_agreement.py [--reader]

tests/recommender/second_annotation.yaml holds a second annotation of seven corpora, made by sessions that saw
only the texts and the labelling rules. For each corpus (and pooled) this prints, per constraint type, the
second annotator's precision and recall against the corpus's own labels, and the share of texts whose labels
agree exactly. Agreement bounds what a reader can score against one annotator: a type the two annotators
label alike is one a reader can be asked to read at 0.95.

With ``--reader`` it also reads every text (``fairmend.recommender.parse_text``) and prints the reader's
precision and recall against the corpus's labels, on all texts and on the texts whose two annotations agree
on that type (the consensus items). On a held-out corpus that is a measurement: run it once per round.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "recommender"))
from quality import CORPORA, TYPES, labelled_pairs, load_validation, pair_scores, read_pairs

SECOND = ROOT / "tests" / "recommender" / "second_annotation.yaml"
Pairs = set[tuple[str, Any]]


def load_pairs() -> list[tuple[str, str, Pairs, Pairs]]:
    """``(corpus, text, first labels, second labels)`` for every item of the second annotation."""
    corpora = {p.stem: load_validation(p) for p in CORPORA}
    out = []
    for row in yaml.safe_load(SECOND.read_text())["items"]:
        item = corpora[row["corpus"]][row["index"]]
        if hashlib.sha256(item["text"].encode()).hexdigest()[:12] != row["sha256"]:
            raise ValueError(f"{row['corpus']} item {row['index']} changed since it was annotated again")
        out.append((row["corpus"], item["text"], labelled_pairs(item["hard"]), labelled_pairs(row["hard"])))
    return out


def precision_recall(reference: list[Pairs], predicted: list[Pairs], kind: str) -> tuple[float, float, int]:
    """Precision, recall and support of ``predicted`` against ``reference`` for constraint type ``kind``."""
    score = pair_scores(reference, predicted)[kind]
    return score["precision"], score["recall"], score["support"]


def report(rows: list[tuple[str, str, Pairs, Pairs]], reads: dict[str, Pairs] | None) -> None:
    for corpus in [*sorted({r[0] for r in rows}, key=lambda c: int(c[10:] or 1)), "pooled"]:
        part = [r for r in rows if corpus in ("pooled", r[0])]
        first, second = [r[2] for r in part], [r[3] for r in part]
        print(
            f"{corpus}: {len(part)} texts; exact agreement {sum(a == b for a, b in zip(first, second)) / len(part):.3f}"
        )
        head = "  type                     second annotator (P / R, support)"
        print(head + ("   reader: all texts   consensus texts" if reads is not None else ""))
        for kind in TYPES:
            p, r, n = precision_recall(first, second, kind)
            line = f"  {kind:24s} {p:.3f} / {r:.3f} ({n:>3})"
            if reads is not None:
                got = [reads[t] for _, t, _, _ in part]
                rp, rr, _ = precision_recall(first, got, kind)
                same = [
                    i
                    for i, (a, b) in enumerate(zip(first, second))
                    if {x for x in a if x[0] == kind} == {x for x in b if x[0] == kind}
                ]
                cp, cr, cn = precision_recall([first[i] for i in same], [got[i] for i in same], kind)
                line += f"          {rp:.3f} / {rr:.3f}       {cp:.3f} / {cr:.3f} ({cn})"
            print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader", action="store_true", help="also measure the reader (a held-out measurement)")
    args = ap.parse_args()
    rows = load_pairs()
    reads = None
    if args.reader:
        from fairmend.recommender import parse_text

        reads = {text: read_pairs(parse_text(text)) for _, text, _, _ in rows}
    report(rows, reads)


if __name__ == "__main__":
    main()
