"""A document is a title plus sections of paragraphs, key/value facts and tables; this module
renders it as Markdown and as self-contained, escaped HTML (jinja2 with autoescaping)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TODO = "To be completed by the document owner."

HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ doc.title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f0f0f0; } .todo { color: #a15c00; font-style: italic; }
</style>
</head>
<body>
<h1>{{ doc.title }}</h1>
<p>{{ doc.subtitle }}</p>
{% for s in doc.sections %}
<section>
<h2>{{ s.title }}</h2>
{% for p in s.paragraphs %}<p{% if p == todo %} class="todo"{% endif %}>{{ p }}</p>
{% endfor %}
{% if s.facts %}<dl>
{% for k, v in s.facts %}<dt>{{ k }}</dt><dd>{{ v }}</dd>
{% endfor %}</dl>{% endif %}
{% for caption, t in s.tables %}
<table>
<caption>{{ caption }}</caption>
<thead><tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in t.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]

    @classmethod
    def of(cls, frame: pd.DataFrame, digits: int = 4) -> Table:
        def fmt(v: Any) -> str:
            if isinstance(v, float):
                return f"{v:.{digits}f}".rstrip("0").rstrip(".") if np.isfinite(v) else "n/a"
            return str(v)

        return cls(
            [str(c) for c in frame.columns], [[fmt(v) for v in r] for r in frame.itertuples(index=False)]
        )


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", "", doc.subtitle, ""]
    for s in doc.sections:
        out += [f"## {s.title}", ""]
        for p in s.paragraphs:
            out += [f"*{p}*" if p == TODO else p, ""]
        for k, v in s.facts:
            out.append(f"- **{k}**: {v}")
        if s.facts:
            out.append("")
        for caption, t in s.tables:
            out += [
                f"**{caption}**",
                "",
                "| " + " | ".join(map(_md_escape, t.columns)) + " |",
                "|" + "---|" * len(t.columns),
            ]
            out += ["| " + " | ".join(map(_md_escape, r)) + " |" for r in t.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_html(doc: Document) -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True)
    return env.from_string(HTML).render(doc=doc, todo=TODO)


def write(doc: Document, output_dir: str | None, stem: str) -> dict[str, str]:
    """Write ``<stem>.md`` and ``<stem>.html`` atomically when ``output_dir`` is given."""
    if not output_dir:
        return {}
    from fairmend.io import write_atomic

    out = Path(output_dir)
    return {
        "markdown": str(write_atomic(out / f"{stem}.md", to_markdown(doc))),
        "html": str(write_atomic(out / f"{stem}.html", to_html(doc))),
    }
