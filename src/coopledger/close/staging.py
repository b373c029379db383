"""Load the books as they would be after staged writes, without touching the ledger.

The seal must digest the month exactly as Beancount will read it after the close (with
the new voucher lines and the computed entries parsed from their text), yet nothing may
be written before everything is known. So the ledger's files are mirrored into a private
temporary folder with the staged texts in place of the originals, and loaded from there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from beancount import loader

from coopledger.books import Books, books_from_entries
from coopledger.collector import paused_if_allowed
from coopledger.files import read_text


def load_staged(books: Books, staged: Mapping[Path, str],
                main_file: Path | None = None) -> tuple[Books, dict[str, str]]:
    """Load the ledger with some files' contents replaced (or added).

    Args:
        books: The books as loaded from disk (their ``include`` option lists the files).
        staged: Absolute path to the new whole text of that file.
        main_file: Load this (staged) file as the main file instead of the books' own.

    Returns:
        The books as loaded from the mirror (entries name the mirror's files) and a map
        from each mirror path to the real path it stands for, to translate messages.
    """
    main = books.path.resolve()
    top = (main_file or main).resolve()
    included = [Path(name).resolve() for name in books.options.get("include", [])]
    files = {main, top, *included, *(Path(p).resolve() for p in staged)}
    root = Path(os.path.commonpath([str(p.parent) for p in files]))
    texts = {Path(p).resolve(): text for p, text in staged.items()}
    with tempfile.TemporaryDirectory(prefix="coopledger-close-") as tmp:
        mirror = Path(tmp)
        names: dict[str, str] = {}
        for path in files:
            target = mirror / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = texts[path] if path in texts else read_text(path)
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            names[str(target)] = str(path)
        for folder in books.options.get("documents", []):
            source = (main.parent / folder).resolve()
            link = mirror / main.relative_to(root).parent / folder
            if source.is_dir() and not link.exists() and source.is_relative_to(root):
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(source, target_is_directory=True)
        with paused_if_allowed():  # as load_books does when allowed
            entries, errors, options = loader.load_file(str(mirror / top.relative_to(root)))
    return books_from_entries(top, entries, errors, options), names


def translate(message: str, names: Mapping[str, str]) -> str:
    """Replace mirror paths in a message by the real paths they stand for."""
    for mirror, real in names.items():
        message = message.replace(mirror, real)
    return message
