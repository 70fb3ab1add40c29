"""Render a technique as Markdown (``fairmend techniques show`` and ``docs/techniques/KEY.md``)."""

from __future__ import annotations

from pathlib import Path

from fairmend.catalog.types import Technique


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render_markdown(t: Technique) -> str:
    c = t.citation
    ids = ", ".join(map(str, t.technique_ids)) or "none"
    lines = [
        f"# {t.name}",
        "",
        f"`{t.key}` · stage **{t.stage.value}** · seed technique id: {ids} · plugin `{t.plugin or 'built-in'}`",
        "",
        t.summary,
        "",
        t.description,
        "",
        "## Properties",
        "",
        "| property | value |",
        "|---|---|",
        f"| fairness criteria | {', '.join(x.value for x in t.criteria)} |",
        f"| task types | {', '.join(x.value for x in t.task_types)} |",
        f"| needs retraining | {_yes(t.needs_retraining)} |",
        f"| needs protected attribute at inference | {_yes(t.needs_protected_attribute_at_inference)} |",
        f"| needs protected attribute to fit | {_yes(t.needs_protected_attribute_for_fit)} |",
        f"| model-agnostic | {_yes(t.model_agnostic)} |",
        f"| more than two groups | {_yes(t.supports_multiple_groups)} |",
        f"| runtime | {t.runtime_class.value} |",
        f"| executable in fairmend | {_yes(t.executable)} |",
    ]
    if t.expected_accuracy_cost:
        cost = t.expected_accuracy_cost
        lines.append(f"| expected accuracy cost | {cost.low:.1%}–{cost.high:.1%} {cost.source} |")
    if t.extras:
        lines.append(f"| extras | `pip install fairmend[{','.join(t.extras)}]` |")
    if t.reference_implementations:
        lines.append(
            f"| reference implementations | {', '.join(f'`{r}`' for r in t.reference_implementations)} |"
        )
    if t.parameters:
        lines += [
            "",
            "## Parameters",
            "",
            "| name | type | default | range / choices | tunable | help |",
            "|---|---|---|---|---|---|",
        ]
        for p in t.parameters:
            lines.append(
                f"| `{p.name}` | {p.type} | {_value(p.default)} | {_allowed(p)} | {_yes(p.tunable)} | {p.help} |"
            )
        if any(p.tunable for p in t.parameters):
            lines += ["", "Tunable parameters trade accuracy for fairness; `fairmend tune` searches them."]
    if t.use_cases:
        lines += ["", "## Use cases", ""] + [f"- {u}" for u in t.use_cases]
    if t.notes:
        lines += ["", "## Notes", "", t.notes]
    lines += ["", "## Citation", "", f"{'; '.join(c.authors)} ({c.year}). *{c.title}*. {c.venue}."]
    if c.doi:
        lines.append(f"doi:{c.doi}")
    elif c.url:
        lines.append(c.url)
    for extra in t.also_cite:
        lines.append(
            f"\nSee also: {'; '.join(extra.authors)} ({extra.year}). *{extra.title}*. {extra.venue}."
        )
    if t.executable:
        lines += [
            "",
            "## Run",
            "",
            "```",
            f"fairmend run {t.key} --data FILE --protected COL --outcome COL",
            "```",
        ]
    return "\n".join(lines) + "\n"


def write_docs(techniques: list[Technique], folder: Path) -> list[Path]:
    """Write one ``KEY.md`` per technique; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for t in techniques:
        path = folder / f"{t.key}.md"
        path.write_text(render_markdown(t), encoding="utf-8")
        written.append(path)
    return written


def _value(value: object) -> str:
    """A parameter value as a reader writes it: ``none``, ``true``, ``0.01``, ``demographic_parity``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"`{value}`" if isinstance(value, str) else str(value)


def _allowed(p: object) -> str:
    """``1 – 1000`` for a range (integers printed as integers), ``a, b, c`` for choices."""
    rng, choices = getattr(p, "range", None), getattr(p, "choices", None)
    if rng:
        lo, hi = rng
        if getattr(p, "type", "") == "int":
            return f"{int(lo)} – {int(hi)}"
        return f"{_value(lo)} – {_value(hi)}"
    if choices:
        return ", ".join(_value(c) for c in choices)
    return ""
