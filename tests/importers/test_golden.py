"""Golden files: each document under ``tests/importers/<format>/`` next to its expected
output ``<document>.beancount`` (beangulp's layout: ``;; Account:``, ``;; Date:``,
``;; Name:`` header, then the entries), extracted against ``books.beancount``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from beangulp import testing

from coopledger.importers.registry import IMPORTERS, identify

HERE = Path(__file__).resolve().parent
BOOKS = HERE / "books.beancount"
FORMATS = ("camt", "bgmax", "bankcsv", "mt940", "handelsbanken")
DOCUMENTS = sorted(path for kind in FORMATS for path in (HERE / kind).iterdir()
                   if path.suffix != ".beancount" and not path.name.startswith("."))


def extracted_text(document: Path) -> str:
    """The importer's output for a document, in beangulp's expected-file format."""
    kind = identify(str(document))
    assert kind is not None, f"{document.name} is not identified"
    importer = IMPORTERS[kind](BOOKS)
    account, date, name, entries = testing.run_importer(importer, str(document))
    buffer = io.StringIO()
    testing.write_expected(buffer, account, date, name, entries)
    return buffer.getvalue()


def test_every_format_has_documents() -> None:
    assert {path.parent.name for path in DOCUMENTS} == set(FORMATS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(document: Path, request: pytest.FixtureRequest) -> None:
    assert identify(str(document)) == document.parent.name
    output = extracted_text(document)
    expected = document.with_name(document.name + ".beancount")
    if request.config.getoption("--update-golden", default=False):
        expected.write_text(output, encoding="utf-8")
    assert expected.exists(), f"no expected output; run pytest {HERE} --update-golden"
    assert output == expected.read_text(encoding="utf-8")
