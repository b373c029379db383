"""The camt parser's two paths: Python's C parser for files without a DTD, ``defusedxml``
for the rest. Both must build the same tree and fail with the same message; a DTD in any
encoding must take the careful path, where its entities are refused."""

from __future__ import annotations

from pathlib import Path
from unittest import mock
from xml.etree.ElementTree import Element, tostring

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.bank.model import BankFileError
from coopledger.importers import camt
from tests.conftest import fixture_path
from tests.importers.test_fuzz import mutated, seeds

HERE = Path(__file__).resolve().parent
OWN = sorted((HERE / "camt").glob("*.xml"))
REAL = ["business_sample_camt.052.001.04.xml", "business_sample_camt.053.001.04.xml",
        "business_sample_camt.054.001.04.xml"]

XXE = ('<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE Document [\n'
       '<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
       '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
       "<BkToCstmrStmt><Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>\n")


def careful(raw: bytes) -> Element | str:
    """The tree ``defusedxml`` builds (the path every file took before), or its error."""
    with mock.patch.object(camt, "has_no_dtd", return_value=False):
        try:
            return camt.parse_xml("f.xml", raw)
        except BankFileError as exc:
            return str(exc)


def fast(raw: bytes) -> Element | str:
    """What :func:`camt.parse_xml` gives, or its error."""
    try:
        return camt.parse_xml("f.xml", raw)
    except BankFileError as exc:
        return str(exc)


def same(left: Element | str, right: Element | str) -> bool:
    """The same error, or trees that serialise to the same bytes."""
    if isinstance(left, str) or isinstance(right, str):
        return left == right
    return tostring(left) == tostring(right)


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.name)
def test_own_files_take_the_fast_path_and_give_the_same_tree(path: Path) -> None:
    raw = path.read_bytes()
    assert camt.has_no_dtd(raw)
    tree = fast(raw)
    assert isinstance(tree, Element)
    assert same(tree, careful(raw))


@pytest.mark.parametrize("name", REAL)
def test_real_samples_give_the_same_tree(name: str) -> None:
    raw = fixture_path("camt", name).read_bytes()
    tree = fast(raw)
    assert isinstance(tree, Element)
    assert same(tree, careful(raw))


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "ISO-8859-1"])
def test_a_dtd_in_any_encoding_takes_the_careful_path(encoding: str) -> None:
    raw = XXE.format(encoding=encoding).encode(encoding.lower())
    assert not camt.has_no_dtd(raw)
    with pytest.raises(BankFileError, match="refused unsafe XML"):
        camt.parse_xml("xxe.xml", raw)


@pytest.mark.parametrize("encoding", ["UTF-16-LE", "UTF-16-BE", "UTF-32"])
def test_a_dtd_in_an_encoding_expat_does_not_name_is_refused(encoding: str) -> None:
    """Declared by a name expat lacks (UTF-16 without a byte-order mark, UTF-32): one line
    naming the declaration, not a traceback, and never the entity's text."""
    raw = XXE.format(encoding=encoding).encode(encoding.lower())
    assert not camt.has_no_dtd(raw)
    with pytest.raises(BankFileError, match=r"XML declaration|not well-formed XML"):
        camt.parse_xml("xxe.xml", raw)


def test_a_doctype_without_entities_takes_the_careful_path_too() -> None:
    raw = (b'<?xml version="1.0"?>\n<!DOCTYPE Document>\n'
           b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>')
    assert not camt.has_no_dtd(raw)
    assert isinstance(camt.parse_xml("f.xml", raw), Element)


@given(data=st.data())
def test_mutated_files_give_the_same_tree_or_the_same_error(data: st.DataObject) -> None:
    raw = data.draw(mutated(seeds("camt")))
    assert same(fast(raw), careful(raw))
