"""Printing HTML to PDF with headless Chromium: the invoices, the reminders, the board pack.

Chromium (``/usr/bin/chromium``, or the program named by ``COOPLEDGER_CHROMIUM``) is the
layout engine: the document's own CSS says the page size (``@page { size: A4 }``) and
how tables break across pages. :func:`print_pdf` returns the PDF's bytes;
:func:`write_pdf` writes them atomically. Chromium stamps the time of printing into the
PDF's ``/CreationDate`` and ``/ModDate``; given ``stamp``, both are set to that date
instead (same length, so the file's cross-reference offsets stay right): a board pack is
dated by its month, not by the day it was printed, and reprinting the same HTML with the
same Chromium gives, as a rule, the same bytes (Chromium does not promise it, so no
writer relies on it).
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import tempfile
from pathlib import Path

from coopledger.errors import CoopException
from coopledger.files import new_file_mode

CHROMIUM = Path(os.environ.get("COOPLEDGER_CHROMIUM", "/usr/bin/chromium"))

#: Chromium's date stamps: ``/CreationDate (D:20261206064508+00'00')``.
_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})")


def print_pdf(document: str, name: str, stamp: datetime.date | None = None) -> bytes:
    """Print an HTML document with headless Chromium.

    Args:
        document: The HTML, with its own CSS (no external files).
        name: What is printed, for messages (``invoice F-1001``).
        stamp: The date to set as the PDF's creation and modification date (midnight);
            None keeps Chromium's time of printing.

    Returns:
        The PDF's bytes.

    Raises:
        CoopException: Chromium is missing or failed.
    """
    if not CHROMIUM.exists():
        raise CoopException(f"{CHROMIUM} not found: install chromium (or set "
                            f"COOPLEDGER_CHROMIUM) to print {name}; nothing was written")
    with tempfile.TemporaryDirectory(prefix="coopledger-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(document, encoding="utf-8")
        printed = Path(tmp) / "page.pdf"
        command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                   "--no-first-run", "--disable-background-networking",
                   f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                   f"--print-to-pdf={printed}", page.as_uri()]
        try:
            subprocess.run(command, check=True, capture_output=True,  # noqa: S603 - fixed argv
                           timeout=120)
        except (subprocess.SubprocessError, OSError) as exc:
            raise CoopException(f"chromium could not print {name}: {exc}; nothing was "
                                "written") from None
        if not printed.exists() or printed.stat().st_size == 0:
            raise CoopException(f"chromium printed nothing for {name}; nothing was written")
        pdf = printed.read_bytes()
    if stamp is not None:
        fixed = f"{stamp:%Y%m%d}000000".encode()
        pdf = _DATES.sub(lambda found: b"/" + found.group(1) + b" (D:" + fixed, pdf)
    return pdf


def write_pdf(document: str, target: Path, stamp: datetime.date | None = None) -> Path:
    """Print an HTML document to a PDF file with headless Chromium, atomically.

    Args:
        document: The HTML.
        target: The PDF to write (replaced only when printing succeeded).
        stamp: The PDF's date (see :func:`print_pdf`).

    Returns:
        The target.

    Raises:
        CoopException: Chromium is missing or failed; nothing was written.
    """
    pdf = print_pdf(document, target.name, stamp)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        os.chmod(name, new_file_mode())  # as any other file written (mkstemp makes 0600)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target
