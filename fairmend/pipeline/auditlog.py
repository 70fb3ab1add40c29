"""Append-only audit log (JSON lines) and per-stage checkpoints for ``--resume``."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmend.errors import ResumeMismatchError
from fairmend.io import write_json_atomic


class AuditLog:
    """Every decision, with its numbers and the rule that fired, one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
        line = json.dumps(record, default=_plain, allow_nan=False)
        with open(self.path, "a", encoding="utf-8") as fh:  # append only; never rewritten
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return record

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Checkpoints:
    """One JSON file per completed stage; a resumed run skips stages that have one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def bind(self, fingerprint: dict[str, str], *, resume: bool) -> None:
        """Tie the checkpoints to what they were computed from; a resume on anything else is refused."""

        path = self.folder / "fingerprint.json"
        if resume and path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            changed = [k for k in fingerprint if saved.get(k) != fingerprint[k]]
            if changed:
                raise ResumeMismatchError(
                    f"cannot --resume in {self.folder.parent}: its checkpoints were made for other "
                    f"{', '.join(changed)} (start a new --output, or rerun with the original inputs)"
                )
        elif resume and any(self.folder.glob("*.json")):
            raise ResumeMismatchError(f"cannot --resume in {self.folder.parent}: its checkpoints carry no "
                                      "fingerprint (written by an older fairmend); start a new --output")
        write_json_atomic(path, fingerprint)

    def save(self, stage: str, payload: dict[str, Any]) -> None:

        write_json_atomic(self.folder / f"{stage}.json", payload)

    def load(self, stage: str) -> dict[str, Any] | None:
        path = self.folder / f"{stage}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _plain(value: Any) -> Any:
    import math

    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and not math.isfinite(value) else value
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
