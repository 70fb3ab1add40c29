"""No import circles in fairmend (issue 12, item 3).

An import circle hidden by a function-local import is still a circle, so the graph below counts every
``import`` of a fairmend module wherever it appears in a file (module level or inside a function). Importing
``a.b.c`` also imports the packages ``a`` and ``a.b``, so those are edges too (a module importing its own
parent package is not: Python has already begun importing the parent when it runs a submodule).

Then every module is imported on its own, in a fresh child process that has imported nothing of fairmend,
so a module that only works after another one happened to be imported first fails here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# setup.py maps these folders onto one namespace
ROOTS = {"fairmend": "fairmend", "fairmend.catalog": "catalog", "fairmend.plugins": "plugins",
         "fairmend.recommender": "recommender"}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for name, folder in ROOTS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if name == "fairmend" and parts and parts[0] in ("catalog", "plugins", "recommender"):
                continue
            found[".".join([name, *parts])] = path
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if not target or target == mod:
                    continue
                edges[mod].add(target)
                parts = target.split(".")
                for i in range(1, len(parts)):
                    parent = ".".join(parts[:i])
                    if parent in mods and not mod.startswith(parent + "."):
                        edges[mod].add(parent)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_a_circle_hidden_by_a_function_local_import(tmp_path):
    """The checker itself: a planted circle through a function-local import is found."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import fairmend.x.b\n")
    b.write_text("def f():\n    from fairmend.x.a import thing\n")
    edges = import_graph({"fairmend.x.a": a, "fairmend.x.b": b})
    assert circles(edges) == [["fairmend.x.a", "fairmend.x.b"]]


def test_no_import_circle_in_fairmend():
    found = circles(import_graph(modules()))
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.slow
def test_every_module_imports_on_its_own():
    """Each module in a forked child that has imported no fairmend module (third-party libraries are
    preloaded in the parent only to save time; they cannot hide a circle of ours)."""
    names = sorted(m for m in modules() if not m.endswith(".__main__"))  # importing __main__ runs the program
    script = textwrap.dedent("""
        import os, sys, importlib, traceback
        import numpy, pandas, scipy, sklearn, yaml, click  # noqa: F401  third-party only
        assert not [m for m in sys.modules if m == "fairmend" or m.startswith("fairmend.")]
        failed = []
        for name in sys.argv[1:]:
            pid = os.fork()
            if pid == 0:
                try:
                    importlib.import_module(name)
                except BaseException:
                    traceback.print_exc(limit=3)
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if status != 0:
                failed.append(name)
        print("FAILED:" + ",".join(failed))
    """)
    env = {**os.environ, "FAIRMEND_LOAD_PLUGINS": os.environ.get("FAIRMEND_LOAD_PLUGINS", "")}
    proc = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, env=env,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    failed = proc.stdout.strip().rpartition("FAILED:")[2]
    assert not failed, f"modules that fail to import on their own: {failed}\n{proc.stderr[-3000:]}"
