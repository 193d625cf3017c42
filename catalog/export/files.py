"""Output that appears whole or not at all: written under a temporary name beside it, then renamed."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog.errors import ConfigError

__all__ = ["MANIFEST", "atomic_file", "atomic_folder", "size_of"]

#: The file that marks a folder as an export (and so one that a new export may replace).
MANIFEST = "manifest.json"


def _cannot(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(f"cannot write {path}: {exc.strerror or exc} (name a writable --out path)")


def _parent(path: Path) -> Path:
    for ancestor in path.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ConfigError(f"cannot write {path}: {ancestor} is a file, not a folder")
            break
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(path, exc) from exc
    return path.parent


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success it replaces ``path``, else it goes.

    An ``OSError`` (a full disk, a folder one may not write) becomes a :class:`ConfigError`.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "graph.txt"
    >>> with atomic_file(out) as tmp:
    ...     _ = tmp.write_text("x")
    ...     out.exists()
    False
    >>> out.read_text()
    'x'
    """
    if path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a folder (this format writes one file)")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=_parent(path))
    except OSError as exc:
        raise _cannot(path, exc) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it takes ``path``'s place, else it goes.

    ``path`` may be new, empty, or an earlier export (it holds :data:`MANIFEST`), which is then
    replaced; a folder holding other files is refused rather than emptied.
    """
    if path.exists() and not path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a file (this format writes a folder of files)")
    if path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).is_file():
        raise ConfigError(
            f"cannot write {path}: the folder holds files that are not an export (name a new or empty folder)"
        )
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=_parent(path)))
    except OSError as exc:
        raise _cannot(path, exc) from exc
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot(path, exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def size_of(path: Path) -> int:
    """Return the bytes of a file, or of every file in a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
