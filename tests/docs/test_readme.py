"""README's commands run as written: the Quick tour from an empty folder, and the Python API snippet."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(section: str, lang: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {section}")
    end = text.find("\n## ", start + 3)
    body = text[start:end if end != -1 else None]
    return re.findall(rf"```{lang}\n(.*?)```", body, flags=re.S)


def quick_tour() -> list[str]:
    (block,) = _blocks("Quick tour", "bash")
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.slow
def test_quick_tour_runs_as_written_in_an_empty_folder(tmp_path):
    fairmend = str(Path(sys.executable).with_name("fairmend"))
    commands = quick_tour()
    assert len(commands) >= 8 and all(c.startswith("fairmend ") for c in commands)
    for command in commands:
        argv = shlex.split(command)
        proc = subprocess.run([fairmend, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr, command
    assert (tmp_path / "out" / "predictions.parquet").is_file() and (tmp_path / "hardt" / "report.json").is_file()


def test_python_api_snippet_runs(tmp_path, monkeypatch):
    (block,) = _blocks("Python API", "python")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own snippet
