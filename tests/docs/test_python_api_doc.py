"""docs/python-api.md runs as written: its Python blocks in order, then its shell commands."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


@pytest.mark.slow
def test_python_api_doc_runs(tmp_path, monkeypatch):
    import sklearn

    text = DOC.read_text(encoding="utf-8")
    python_blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    shell_blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    assert len(python_blocks) >= 4 and shell_blocks
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    try:
        for block in python_blocks:
            exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - the document's own examples
    finally:
        sklearn.set_config(enable_metadata_routing=False)
    assert namespace["hardt"].estimator_ is namespace["deployed"]
    fairmend = str(Path(sys.executable).with_name("fairmend"))
    for line in "\n".join(shell_blocks).splitlines():
        if line.strip():
            argv = shlex.split(line)
            proc = subprocess.run([fairmend, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, (line, proc.stderr[-2000:])
    assert (tmp_path / "hardt-run" / "predictions.parquet").is_file()
