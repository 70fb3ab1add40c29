"""Output folders that are complete or absent: staged, locked, manifested and swapped into place.

A command that writes a folder of results (``fairmend run --output``) writes it through
:class:`OutputFolder`:

* an exclusive, non-blocking lock on a sibling lock file refuses a second writer at once (the lock
  dies with its process, so a killed run never leaves a stale lock);
* everything is written into a hidden temporary sibling, which gets a ``manifest.json`` listing every
  file with its SHA-256 and is then moved into place with one atomic rename (an atomic exchange with
  the old folder under ``--overwrite``), so a reader sees the old complete folder or the new one,
  never a mix;
* a failure or Ctrl-C removes the temporary folder and leaves the old one untouched;
* an output that is, or contains, one of the command's input files is refused, and so is a path that
  cannot be a folder (below a file, not writable).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from fairmend.errors import OutputExistsError, OutputPathError

MANIFEST = "manifest.json"
_MARKERS = (MANIFEST, "report.json")  # a folder holding one of these was written by fairmend


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def write_manifest(folder: Path) -> Path:
    """Write ``manifest.json``: every other file below ``folder`` with its size and SHA-256."""
    from fairmend import __version__

    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        files.append({"path": path.relative_to(folder).as_posix(), "bytes": path.stat().st_size,
                      "sha256": sha256_file(path)})
    payload = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "fairmend_version": __version__,
               "files": files}
    target = folder / MANIFEST
    target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return target


def verify_manifest(folder: Path) -> list[str]:
    """Names of files whose content no longer matches the manifest (missing ones included)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    bad = []
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            bad.append(entry["path"])
    return bad


def check_output_path(final: Path, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Path:
    """Refuse an output folder that cannot be created or that holds one of the inputs."""
    final = Path(final)
    resolved = final.resolve()
    for ancestor in [resolved, *resolved.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                where = "is a file" if ancestor == resolved else f"is below the file {ancestor}"
                raise OutputPathError(f"output folder {final} {where}")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise OutputPathError(f"output folder {final} cannot be written: {ancestor} is not writable")
            break
    for item in inputs:
        if item is None or not isinstance(item, (str, os.PathLike)):
            continue
        source = Path(item).resolve()
        if source == resolved or resolved in source.parents:
            raise OutputPathError(
                f"output folder {final} contains the input {item}; choose an --output outside your inputs"
            )
    return resolved


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


class FolderLock:
    """An exclusive lock named after ``folder`` (a hidden sibling file), refused at once if held."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder.parent / f".{self.folder.name}.fairmend-lock"
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise OutputPathError(
                f"another fairmend process is writing {self.folder}; wait for it or choose another --output"
            ) from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class OutputFolder:
    """Stage an output folder and commit it atomically (see the module docstring).

    ``with OutputFolder(path, overwrite=..., inputs=[data]) as staging:`` write into ``staging``;
    on a clean exit the folder gets its manifest and replaces ``path``.
    """

    def __init__(self, final: str | os.PathLike[str], *, overwrite: bool = False,
                 inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
        self.final = Path(final)
        self.overwrite = overwrite
        self.inputs = list(inputs)
        self.lock = FolderLock(self.final)
        self.staging: Path | None = None

    def _check_existing(self) -> None:
        if not self.final.exists():
            return
        if not self.final.is_dir():
            raise OutputPathError(f"output folder {self.final} is a file")
        content = list(self.final.iterdir())
        if not content:
            return
        ours = any((self.final / m).exists() for m in _MARKERS)
        if not self.overwrite:
            what = "an earlier fairmend output" if ours else "other files"
            raise OutputExistsError(f"{self.final} already holds {what}; pass --overwrite or choose another --output")
        if not ours:
            raise OutputExistsError(
                f"{self.final} holds files fairmend did not write; --overwrite replaces only fairmend output folders"
            )

    def _clear_stale(self) -> None:
        """Remove staging folders of runs that were killed (we hold the lock, so nobody uses them)."""
        for stale in self.final.parent.glob(f".{self.final.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def __enter__(self) -> Path:
        check_output_path(self.final, self.inputs)
        try:
            self.lock.acquire()
        except OSError as exc:
            raise OutputPathError(f"cannot create output folder {self.final}: {exc.strerror or exc}") from exc
        try:
            self._check_existing()
            self._clear_stale()
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.staging-", dir=self.final.parent))
            umask = os.umask(0)
            os.umask(umask)
            self.staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the folder is an ordinary output
        except BaseException:
            self.lock.release()
            raise
        return self.staging

    def final_path(self, value: Any) -> Any:
        """``value`` with the staging folder replaced by the final one (strings, lists and dicts)."""
        if isinstance(value, str) and self.staging is not None and value.startswith(str(self.staging)):
            return str(self.final) + value[len(str(self.staging)):]
        if isinstance(value, dict):
            return {k: self.final_path(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.final_path(v) for v in value]
        return value

    def commit(self) -> None:
        assert self.staging is not None
        write_manifest(self.staging)
        if self.final.exists() and not _exchange(self.staging, self.final):
            old = self.final.with_name(f".{self.final.name}.staging-old")
            os.replace(self.final, old)
            os.replace(self.staging, self.final)
            shutil.rmtree(old, ignore_errors=True)
        elif self.final.exists():
            shutil.rmtree(self.staging, ignore_errors=True)  # after the exchange it holds the old folder
        else:
            os.replace(self.staging, self.final)
        self.staging = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
            self.lock.release()
