"""Atomic writes of ledger text: temporary file, then rename; all or nothing across files.

Every coopledger writer goes through :class:`FileTransaction`: it stages the new content
of each file, writes each to a temporary file beside its target, and only when all are
written renames them into place. If anything fails before the renames, no target is
touched; if a rename fails part-way, the files already replaced are restored from the
copies kept in memory. Files are never reformatted: callers pass whole new contents,
usually the old text with their own lines appended or inserted.

A writer that adds entries stages them with :meth:`FileTransaction.write_entries`, which
asks the period lock (:mod:`coopledger.periodlock`) first: an entry dated in a sealed
month, before its account opens or before its entity starts is refused there, before
anything is written. A new file gets the mode the user's umask gives (as ``open`` would);
a replaced file keeps its own.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from coopledger.errors import CoopException

if TYPE_CHECKING:
    from coopledger.books import Books


def read_text(path: Path) -> str:
    """Read a ledger file as UTF-8, keeping its line endings as they are."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def new_file_mode() -> int:
    """The mode a new file gets under the process's umask (``0o666`` less the umask)."""
    # The umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def include_line(main: Path, target: Path) -> str:
    """The ``include`` line that pulls ``target`` into ``main``, relative where possible."""
    try:
        relative = os.path.relpath(target, main.parent)
    except ValueError:
        relative = str(target)
    return f'include "{Path(relative).as_posix()}"\n'


def with_include(main_text: str, include: str) -> str:
    """The main file's text with an include line appended, unless it is already there."""
    if include.strip() in (line.strip() for line in main_text.splitlines()):
        return main_text
    separator = "" if not main_text or main_text.endswith("\n") else "\n"
    return f"{main_text}{separator}{include}"


class FileTransaction:
    """Stage several file writes and apply them all, or none.

    Use as a context manager; leaving the block without an exception commits::

        with FileTransaction() as tx:
            tx.write(path_a, text_a)
            tx.write(path_b, text_b)
    """

    def __init__(self) -> None:
        self._staged: dict[Path, str] = {}

    def write(self, path: Path, text: str) -> None:
        """Stage the whole new content of a file."""
        self._staged[Path(path)] = text

    def write_entries(self, path: Path, text: str, books: Books,
                      entries: Iterable[data.Directive], hint: str = "") -> None:
        """Stage a file's new content that adds ``entries``, if the period lock allows them.

        This is the one way writers add entries to the books: the lock is asked here,
        before anything is staged.

        Args:
            path: The file.
            text: Its whole new content.
            books: The books the entries are added to.
            entries: The entries ``text`` adds.
            hint: The lawful way, for the refusal (see :func:`~coopledger.periodlock.enforce`).

        Raises:
            PeriodLocked: An entry is dated where the books are closed to it.
        """
        from coopledger.periodlock import enforce

        enforce(books, entries, hint)
        self.write(path, text)

    def staged(self) -> dict[Path, str]:
        """What would be written, by path (for dry runs)."""
        return dict(self._staged)

    def changed(self) -> dict[Path, str]:
        """The staged files whose content differs from what is on disk."""
        return {path: text for path, text in self._staged.items()
                if not path.exists() or read_text(path) != text}

    def commit(self) -> list[Path]:
        """Write every changed staged file atomically; return the paths written.

        Raises:
            CoopException: A file could not be written; nothing was changed.
        """
        changes = self.changed()
        temps: dict[Path, Path] = {}
        backups: dict[Path, str | None] = {}
        try:
            for path, text in changes.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                            dir=path.parent)
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                temps[path] = Path(name)
                backups[path] = read_text(path) if path.exists() else None
        except OSError as exc:
            self._discard(temps)
            raise CoopException(f"could not write {exc.filename or 'a file'}: "
                                f"{exc.strerror or exc}; nothing was changed") from exc
        except BaseException:
            self._discard(temps)
            raise
        done: list[Path] = []
        mode = new_file_mode()
        try:
            for path, temp in temps.items():
                with contextlib.suppress(OSError):
                    os.chmod(temp, path.stat().st_mode & 0o7777 if path.exists() else mode)
                os.replace(temp, path)
                done.append(path)
        except OSError as exc:
            self._restore(done, backups)
            self._discard({p: t for p, t in temps.items() if p not in done})
            raise CoopException(f"could not replace {exc.filename or 'a file'}: "
                                f"{exc.strerror or exc}; nothing was changed") from exc
        except BaseException:
            # An interrupt half-way through the renames: put back what was replaced.
            self._restore(done, backups)
            self._discard({p: t for p, t in temps.items() if p not in done})
            raise
        return done

    @staticmethod
    def _discard(temps: dict[Path, Path]) -> None:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()

    @staticmethod
    def _restore(done: list[Path], backups: dict[Path, str | None]) -> None:
        for path in done:
            old = backups[path]
            with contextlib.suppress(OSError):
                if old is None:
                    path.unlink()
                else:
                    path.write_text(old, encoding="utf-8", newline="")

    def __enter__(self) -> FileTransaction:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
