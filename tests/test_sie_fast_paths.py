"""The SIE writer's and reader's fast paths give what their general paths give.

The writer writes a plain ``#TRANS`` row (account, objects, amount) and a plain ``#VER``
(series, number, date, text) without building field lists; the reader tells a CP437 file
from a UTF-8 one without looking at each line when no byte could start a UTF-8 letter;
both encode CP437 through Latin-1 and a byte table. Each is checked here against the
general path it stands in for, on random input.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coopledger.sie import writer
from coopledger.sie.checksum import encode_cp437
from coopledger.sie.reader import _plain_row, _split_lines, decode
from coopledger.sie.records import Row, Voucher
from coopledger.sie.tokens import Field, checksum_text, tokenize

#: Text as books hold it, and the characters that need care: quotes, backslashes, braces,
#: blanks and control characters, letters CP437 has and letters it has not.
_TEXT = st.text(alphabet=st.sampled_from(list('aZ09 -_.,:/+"\\{}\t\r\nåäöÅÄÖé€\x00\u2028')),
                max_size=12)
_AMOUNT = st.integers(-10**9, 10**9).map(lambda n: Decimal(n).scaleb(-2))
_DATE = st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))
_OBJECTS = st.lists(st.tuples(st.integers(1, 20), _TEXT), max_size=3).map(tuple)


@st.composite
def _rows(draw: st.DrawFn) -> Row:
    plain = draw(st.booleans())
    return Row(draw(st.sampled_from(["1930", "3001", "19"])), draw(_OBJECTS), draw(_AMOUNT),
               None if plain else draw(st.none() | _DATE), "" if plain else draw(_TEXT),
               None if plain else draw(st.none() | _AMOUNT), "" if plain else draw(_TEXT), 0,
               draw(st.booleans()))


@st.composite
def _vouchers(draw: st.DrawFn) -> Voucher:
    plain = draw(st.booleans())
    return Voucher(draw(_TEXT), draw(_TEXT), draw(_DATE), draw(_TEXT),
                   None if plain else draw(st.none() | _DATE), "" if plain else draw(_TEXT),
                   (), (), 0)


def _general(label: str, fields: list[str], raw: list[Field]) -> writer._Lines:
    out = writer._Lines()
    out.add(label, *fields, raw=tuple(raw))
    return out


def _read_back(out: writer._Lines) -> None:
    """The checksum text written is the one the reader's tokenizer gets from the line."""
    for line, crc in zip(out.lines, out.crc, strict=True):
        record = tokenize(line)
        assert record is not None
        assert checksum_text(record) == crc


@given(st.lists(_rows(), min_size=1, max_size=4))
def test_row_lines_match_the_general_path(rows: list[Row]) -> None:
    fast = writer._Lines()
    for row in rows:
        writer._row_line(fast, "#TRANS", row)
        general = _general("#TRANS", *writer._row_fields(row))
        assert (fast.lines[-1], fast.crc[-1]) == (general.lines[0], general.crc[0])
    _read_back(fast)


@given(_vouchers())
def test_ver_lines_match_the_general_path(voucher: Voucher) -> None:
    fast = writer._Lines()
    writer._ver_line(fast, voucher)
    general = _general("#VER", *writer._ver_fields(voucher))
    assert (fast.lines, fast.crc) == (general.lines, general.crc)
    _read_back(fast)


@given(st.text())
def test_cp437_encoding_matches_the_codec(text: str) -> None:
    every_latin1 = "".join(map(chr, range(256)))
    for sample in (text, every_latin1, every_latin1 + text):
        assert encode_cp437(sample) == sample.encode("cp437", errors="replace")


@given(st.text(alphabet=st.sampled_from(list("ab\r\n")), max_size=20))
def test_line_split_strips_one_cr_per_line(text: str) -> None:
    assert _split_lines(text) == [line[:-1] if line.endswith("\r") else line
                                  for line in text.split("\n")]


#: Bytes of CP437 files (Swedish letters, box drawing) and of UTF-8 ones; 0xC3 and 0xA5
#: make ``å`` in UTF-8.
_BYTES = st.lists(st.sampled_from([b"#VER A 1", b"\r\n", b"\n", b'"', b"\x86\x84\x94",
                                   b"\xc3\xa5", b"\xc3", b"\xa5", b"\xcd\xba", b"\xef\xbb\xbf"]),
                  max_size=10).map(b"".join)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(_BYTES)
@example(b"#VER A 1 \"\xc3\xa5\"\r\n#VER A 2 \"\x86\"")  # mixed
@example(b"\xcd \xba\n\x86")  # box drawing (CP437) that could start UTF-8 but does not
def test_encodings_are_told_apart_by_content(data: bytes) -> None:
    # The rules the quick checks stand in for: a byte order mark means UTF-8; UTF-8 when
    # the whole file is, unless the
    # bytes are letters in CP437 or Latin-1 too (refused); a file with some lines UTF-8
    # and others not is an error; otherwise CP437 where all bytes beyond ASCII are CP437
    # letters or no letters at all, as whole-file CP437.
    body = data.removeprefix(b"\xef\xbb\xbf")
    lines, encoding, problems = decode(data)
    errors = [p for p in problems if p.severity == "error"]
    if body != data:  # a byte order mark says UTF-8: the rest must be
        assert encoding == "utf-8"
        assert bool(errors) != _utf8(body)
    elif body.isascii():
        assert (encoding, problems) == ("ascii", [])
    elif _utf8(body):
        assert encoding == "utf-8"
        assert errors or lines == [line.removesuffix("\r")
                                   for line in body.decode("utf-8").split("\n")]
    elif any(not raw.isascii() and _utf8(raw) for raw in body.split(b"\n")):
        assert encoding == "mixed"
        assert len(problems) == 1
    elif encoding == "cp437" and not errors:
        assert lines == [line.removesuffix("\r") for line in body.decode("cp437").split("\n")]


@pytest.mark.parametrize("date", [None, datetime.date(2026, 1, 31)])
def test_a_plain_row_is_the_dataclass_row(date: datetime.date | None) -> None:
    """The fast path's rows, built slot by slot, equal the dataclass's own in every field
    (a field added to Row breaks the slot list at import, or this test)."""
    objects = ((1, "M002"), (6, "P1"))
    fast = _plain_row("1930", objects, Decimal("-12.50"), date, "text", 7)
    slow = Row("1930", objects, Decimal("-12.50"), date, "text", None, "", 7)
    assert type(fast) is Row
    assert fast == slow
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)
    assert [f.name for f in dataclasses.fields(Row)] == list(Row.__slots__)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.amount = Decimal(0)  # type: ignore[misc]
