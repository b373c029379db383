"""Fuzzing the readers: random bytes and mutated documents either import or raise the
importers' own error, :class:`~coopledger.bank.model.BankFileError`, never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.bank.accounts import BankAccounts
from coopledger.bank.book import statement_entries
from coopledger.bank.context import BankContext
from coopledger.bank.model import BankFileError
from coopledger.importers.registry import FORMATS, identify, read_statements
from tests.conftest import FIXTURES

HERE = Path(__file__).resolve().parent
OWN = {kind: sorted(p for p in (HERE / kind).iterdir() if p.suffix != ".beancount")
       for kind in FORMATS}
REAL_FOLDERS = {"camt": "camt", "bgmax": "bgmax", "mt940": "mt940"}


def seeds(kind: str) -> list[bytes]:
    """Our own documents of a format, and the real samples of it where present."""
    paths = list(OWN[kind])
    folder = FIXTURES / REAL_FOLDERS.get(kind, "-")
    if folder.is_dir():
        paths += sorted(p for p in folder.rglob("*") if p.is_file()
                        and p.suffix in (".xml", ".txt", ".sta"))
    return [p.read_bytes() for p in paths]


def read_and_book(raw: bytes, kind: str, suffix: str) -> None:
    """Read bytes as a file of ``kind`` and book what it gives; BankFileError allowed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(raw)
        identify(str(path))  # identification never raises
        try:
            for statement in read_statements(str(path), kind):
                statement_entries(statement, "Assets:Prov:1930-Bank",
                                  BankContext(BankAccounts()))
        except BankFileError as exc:
            message = str(exc)
        else:
            return
    assert message.startswith(f"{path}: ")
    assert "\n" not in message


@st.composite
def mutated(draw: st.DrawFn, documents: list[bytes]) -> bytes:
    """A document with a few bytes flipped, cut out, inserted or the tail cut off."""
    raw = bytearray(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 4))):
        if not raw:
            break
        where = draw(st.integers(0, len(raw) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "digit"]))
        if action == "flip":
            raw[where] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[where:where + draw(st.integers(1, 40))]
        elif action == "insert":
            raw[where:where] = draw(st.binary(min_size=1, max_size=12))
        elif action == "digit":
            raw[where] = draw(st.sampled_from(b"0123456789-.,"))
        else:
            del raw[where:]
    return bytes(raw)


SUFFIX = {"camt": ".xml", "bgmax": ".txt", "bankcsv": ".csv", "mt940": ".sta",
          "handelsbanken": ".xls"}


@pytest.mark.parametrize("kind", sorted(FORMATS))
@given(raw=st.binary(max_size=600))
def test_random_bytes(kind: str, raw: bytes) -> None:
    read_and_book(raw, kind, SUFFIX[kind])


@pytest.mark.parametrize("kind", sorted(FORMATS))
@given(data=st.data())
def test_mutated_documents(kind: str, data: st.DataObject) -> None:
    raw = data.draw(mutated(seeds(kind)))
    read_and_book(raw, kind, SUFFIX[kind])


@pytest.mark.parametrize("kind", sorted(FORMATS))
@given(data=st.data())
def test_mutated_documents_as_other_formats(kind: str, data: st.DataObject) -> None:
    other = data.draw(st.sampled_from(sorted(set(FORMATS) - {kind})))
    raw = data.draw(mutated(seeds(kind)))
    read_and_book(raw, other, SUFFIX[other])
