"""Every bank file reader coopledger has, in the order files are tried.

``identify(path)`` names the format of a file (or None); ``READERS[kind]`` reads it. The
``import`` command and the tests use this table; a beangulp ``import.py`` lists the
importer classes instead (see ``IMPORTERS``).
"""

from __future__ import annotations

from collections.abc import Callable

from coopledger.bank.model import Statement
from coopledger.importers.bankcsv import BankCsvImporter, read_bankcsv, sniff_bankcsv
from coopledger.importers.base import BankImporter
from coopledger.importers.bgmax import BgMaxImporter, read_bgmax, sniff_bgmax
from coopledger.importers.camt import CamtImporter, read_camt, sniff_camt
from coopledger.importers.handelsbanken import (
    HandelsbankenImporter,
    read_handelsbanken,
    sniff_handelsbanken,
)
from coopledger.importers.mt940 import Mt940Importer, read_mt940, sniff_mt940

Reader = Callable[[str], list[Statement]]
Sniffer = Callable[[str], bool]

#: Format name -> (sniff, read), most specific formats first.
FORMATS: dict[str, tuple[Sniffer, Reader]] = {
    "camt": (sniff_camt, read_camt),
    "bgmax": (sniff_bgmax, read_bgmax),
    "mt940": (sniff_mt940, read_mt940),
    "handelsbanken": (sniff_handelsbanken, read_handelsbanken),
    "bankcsv": (sniff_bankcsv, read_bankcsv),
}

#: The importer class of each format.
IMPORTERS: dict[str, type[BankImporter]] = {
    "camt": CamtImporter,
    "bgmax": BgMaxImporter,
    "mt940": Mt940Importer,
    "handelsbanken": HandelsbankenImporter,
    "bankcsv": BankCsvImporter,
}


def identify(path: str) -> str | None:
    """The format of a bank file, or None if no reader claims it."""
    return next((kind for kind, (sniff, _) in FORMATS.items() if sniff(path)), None)


def read_statements(path: str, kind: str) -> list[Statement]:
    """Read a file with the reader of its format.

    Raises:
        BankFileError: The file is bad.
    """
    return FORMATS[kind][1](path)
