"""Compositional training clauses for the constraint reader (build time only).

``data/clause_grammar.yaml`` holds a small grammar of how practitioners state, permit, withhold or
merely mention the constraints the reader looks for: subjects (whose model, which service), predicates
in several registers (legal, engineering, business, casual), polarity (negation, permission, modals),
tense and withdrawal, hedges, and distractor templates that mention models, data or law without
constraining anything (error rates, complaints, goals, descriptions). :func:`generate` expands every
template into ``n`` distinct clauses with a random generator seeded by the template's name, so the set
is the same on every build. Each clause keeps its template's name so that cross-validation can hold out
whole templates (:func:`fairmend.recommender.build.grouped_cv_report`): that measures generalisation to
unseen sentence shapes rather than memorisation of one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fairmend.io import read_yaml_mapping

GRAMMAR_FILE = Path(__file__).with_name("data") / "clause_grammar.yaml"
SEED = 14
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A clause pattern with ``{slot}`` fillers and the labels every expansion carries."""

    name: str
    pattern: str
    labels: dict[str, str] = field(default_factory=dict)
    n: int = 24
    hedge: bool = True  # some expansions get a hedge before ("sadly, ...") or a tail after ("... for now")


@lru_cache(maxsize=1)
def grammar() -> tuple[dict[str, tuple[str, ...]], tuple[Template, ...]]:
    """The slots and templates of :data:`GRAMMAR_FILE` (every slot a template names must exist)."""
    raw = read_yaml_mapping(GRAMMAR_FILE, "clause grammar")
    slots = {k: tuple(str(x) for x in v) for k, v in raw["slots"].items()}
    templates = tuple(
        Template(
            t["name"], t["pattern"], dict(t.get("labels") or {}), int(t["n"]), bool(t.get("hedge", True))
        )
        for t in raw["templates"]
    )
    for t in templates:
        missing = set(_SLOT.findall(t.pattern)) - set(slots)
        if missing:
            raise ValueError(f"template {t.name!r} in {GRAMMAR_FILE} names unknown slot(s) {sorted(missing)}")
    return slots, templates


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([,;])", r"\1", text).replace(", ,", ",")


def expand(t: Template) -> list[str]:
    """``t.n`` distinct clauses of one template (fewer when the grammar has fewer), seeded by its name."""
    slots, _ = grammar()
    rng = random.Random(f"{SEED}:{t.name}")
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(t.n * 8):
        if len(out) >= t.n:
            break
        text = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), t.pattern)
        if t.hedge and rng.random() < 0.2:
            text = f"{rng.choice(slots['hedge'])}, {text}"
        elif t.hedge and rng.random() < 0.15:
            text = f"{text} {rng.choice(slots['tail'])}"
        text = _tidy(text)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def generate() -> list[tuple[str, dict[str, str], str]]:
    """``(clause, labels, template name)`` for every expansion of every template."""
    return [(text, dict(t.labels), t.name) for t in grammar()[1] for text in expand(t)]
