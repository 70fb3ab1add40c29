"""The in-memory technique catalog: lookup by key or seed id, and filtering."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from fairmend.catalog.types import Criterion, Stage, Technique
from fairmend.errors import DuplicateTechniqueError, UnknownTechniqueError


class Catalog:
    """An ordered collection of techniques keyed by ``Technique.key``."""

    def __init__(self, techniques: Iterable[Technique] = ()) -> None:
        self._by_key: dict[str, Technique] = {}
        for t in techniques:
            self.add(t)

    def add(self, technique: Technique) -> None:
        existing = self._by_key.get(technique.key)
        if existing is not None:
            raise DuplicateTechniqueError(
                f"technique key {technique.key!r} is registered by both plugin "
                f"{existing.plugin or '?'!r} and plugin {technique.plugin or '?'!r}"
            )
        self._by_key[technique.key] = technique

    def __iter__(self) -> Iterator[Technique]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def keys(self) -> list[str]:
        return list(self._by_key)

    def get(self, key_or_id: str | int) -> Technique:
        """Find a technique by key, or by seed ``technique_id`` (``"69"`` or ``69``)."""
        text = str(key_or_id).strip()
        if text in self._by_key:
            return self._by_key[text]
        if text.isdigit():
            for t in self._by_key.values():
                if int(text) in t.technique_ids:
                    return t
            raise UnknownTechniqueError(f"no technique has seed technique_id {text}")
        near = difflib.get_close_matches(text, self._by_key, n=3, cutoff=0.5)
        if not near:
            near = [k for k in self._by_key if text.lower() in k.lower()][:3]
        hint = f" (did you mean: {', '.join(near)}?)" if near else ""
        raise UnknownTechniqueError(f"unknown technique {text!r}{hint}")

    def filter(
        self,
        *,
        stage: Stage | str | None = None,
        criterion: Criterion | str | None = None,
        executable: bool | None = None,
    ) -> list[Technique]:
        out = list(self._by_key.values())
        if stage is not None:
            out = [t for t in out if t.stage == Stage(stage)]
        if criterion is not None:
            out = [t for t in out if Criterion(criterion) in t.criteria]
        if executable is not None:
            out = [t for t in out if t.executable == executable]
        return out
