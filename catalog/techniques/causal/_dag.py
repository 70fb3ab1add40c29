"""A small directed acyclic graph with d-separation and back-door adjustment sets (no networkx).

d-separation uses the moralised ancestral graph criterion (Lauritzen et al. 1990): ``X`` and ``Y``
are d-separated by ``Z`` iff they are disconnected in the moral graph of the ancestral set of
``X ∪ Y ∪ Z`` after removing ``Z``. The back-door criterion is Pearl (1995).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

from fairmend.errors import DataError


class DAG:
    """Directed acyclic graph over string node names."""

    def __init__(self, nodes: Iterable[str] = (), edges: Iterable[tuple[str, str]] = ()) -> None:
        self.nodes: list[str] = []
        self._parents: dict[str, set[str]] = {}
        self._children: dict[str, set[str]] = {}
        for n in nodes:
            self.add_node(n)
        for u, v in edges:
            self.add_edge(u, v)

    def add_node(self, node: str) -> None:
        if node not in self._parents:
            self.nodes.append(node)
            self._parents[node] = set()
            self._children[node] = set()

    def add_edge(self, u: str, v: str) -> None:
        """Add ``u -> v``; raises :class:`DataError` if it would create a cycle."""
        if u == v:
            raise DataError(f"self-loop {u} -> {v} is not allowed in a causal DAG")
        self.add_node(u)
        self.add_node(v)
        if u in self._children[v] or u in self.descendants(v):
            raise DataError(f"edge {u} -> {v} would create a cycle")
        self._parents[v].add(u)
        self._children[u].add(v)

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._children.get(u, set())

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(u, v) for u in self.nodes for v in sorted(self._children[u])]

    def parents(self, node: str) -> set[str]:
        return set(self._parents[node])

    def children(self, node: str) -> set[str]:
        return set(self._children[node])

    def _reach(self, start: Iterable[str], step: dict[str, set[str]]) -> set[str]:
        seen: set[str] = set()
        stack = [n for s in start for n in step[s]]
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(step[n])
        return seen

    def ancestors(self, node: str) -> set[str]:
        return self._reach([node], self._parents)

    def descendants(self, node: str) -> set[str]:
        return self._reach([node], self._children)

    def topological_order(self) -> list[str]:
        indeg = {n: len(self._parents[n]) for n in self.nodes}
        order, ready = [], [n for n in self.nodes if indeg[n] == 0]
        while ready:
            n = ready.pop(0)
            order.append(n)
            for c in sorted(self._children[n]):
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        return order

    def without_outgoing(self, node: str) -> DAG:
        return DAG(self.nodes, [(u, v) for u, v in self.edges if u != node])

    def d_separated(self, x: Iterable[str], y: Iterable[str], z: Iterable[str]) -> bool:
        """True when every path between ``x`` and ``y`` is blocked by ``z``."""
        xs, ys, zs = set(x), set(y), set(z)
        keep = xs | ys | zs
        keep |= {a for n in keep for a in self.ancestors(n)}
        adj: dict[str, set[str]] = {n: set() for n in keep}
        for v in keep:
            ps = self._parents[v] & keep
            for p in ps:
                adj[p].add(v)
                adj[v].add(p)
            for p, q in combinations(sorted(ps), 2):  # moralise: marry parents
                adj[p].add(q)
                adj[q].add(p)
        seen, stack = set(xs), list(xs)
        while stack:
            n = stack.pop()
            for m in adj[n]:
                if m in zs or m in seen:
                    continue
                if m in ys:
                    return False
                seen.add(m)
                stack.append(m)
        return True

    def is_backdoor_set(self, treatment: str, outcome: str, z: Iterable[str]) -> bool:
        """Pearl's back-door criterion: no descendant of ``treatment`` in ``z`` and ``z`` blocks
        every path from ``treatment`` to ``outcome`` that starts with an arrow into ``treatment``."""
        zs = set(z)
        if zs & (self.descendants(treatment) | {treatment, outcome}):
            return False
        return self.without_outgoing(treatment).d_separated([treatment], [outcome], zs)

    def backdoor_sets(
        self, treatment: str, outcome: str, *, max_size: int = 3, limit: int = 10
    ) -> list[list[str]]:
        """Minimal valid back-door adjustment sets (by inclusion), smallest first.

        Candidates are ancestors of ``treatment`` or ``outcome`` that are not descendants of
        ``treatment``; sets up to ``max_size`` variables are enumerated, and the parents of the
        treatment (always valid in a DAG without hidden variables) are added when larger.
        """
        cand = sorted(
            (self.ancestors(treatment) | self.ancestors(outcome))
            - self.descendants(treatment)
            - {treatment, outcome}
        )
        found: list[set[str]] = []
        for k in range(min(max_size, len(cand)) + 1):
            for combo in combinations(cand, k):
                s = set(combo)
                if any(f <= s for f in found):
                    continue
                if self.is_backdoor_set(treatment, outcome, s):
                    found.append(s)
                    if len(found) >= limit:
                        return [sorted(f) for f in found]
        parents = self.parents(treatment)
        if not any(f <= parents for f in found) and self.is_backdoor_set(treatment, outcome, parents):
            found.append(parents)
        return [sorted(f) for f in found]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes), "edges": [[u, v] for u, v in self.edges]}

    def to_dot(
        self,
        name: str = "causal_dag",
        styles: dict[str, str] | None = None,
        dashed: Iterable[tuple[str, str]] = (),
    ) -> str:
        """Graphviz DOT text; ``styles`` maps node -> fill colour, ``dashed`` adds suggested edges."""

        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = [
            f"digraph {q(name)} {{",
            "  rankdir=LR;",
            "  node [shape=box, style=filled, fillcolor=white];",
        ]
        for n in self.nodes:
            colour = (styles or {}).get(n, "white")
            lines.append(f"  {q(n)} [fillcolor={q(colour)}];")
        for u, v in self.edges:
            lines.append(f"  {q(u)} -> {q(v)};")
        for u, v in dashed:
            lines.append(f'  {q(u)} -> {q(v)} [style=dashed, color=gray, label="suggested"];')
        lines.append("}")
        return "\n".join(lines) + "\n"
