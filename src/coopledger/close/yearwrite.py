"""Year-end close, step 3 of 3: write what :mod:`.yearcompute` computed (see :mod:`.yearend`).

Every file at once or none (:class:`coopledger.files.FileTransaction`: each written to a
temporary file, then renamed); a dry run stages them and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from coopledger.files import FileTransaction


def write_year(staged: Mapping[Path, str], *, dry_run: bool) -> dict[Path, str]:
    """Write the close's files (unless ``dry_run``).

    Args:
        staged: Each file's whole new text.
        dry_run: Stage only; write nothing.

    Returns:
        The files that change (or would), with their new text.

    Raises:
        CoopException: A file cannot be written (the period lock, the disk).
    """
    tx = FileTransaction()
    for file, text in staged.items():
        tx.write(file, text)
    written = tx.changed()
    if not dry_run:
        tx.commit()
    return written
