"""A large file parsed in parts is the file parsed whole (coopledger.fileparts)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from beancount.parser import parser
from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger import fileparts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example"


def parse(content: bytes, name: str = "books.beancount", first: int = 1) -> Any:
    return parser.parse_file(io.BytesIO(content), report_filename=name, report_firstline=first)


def by_parts(content: bytes, name: str = "books.beancount") -> Any:
    """The file's parse from its parts, or None when it is not cut or a part has errors."""
    split = fileparts.split(content)
    if split is None:
        return None
    parses = [parse(content[start:end], name, first) for first, start, end in split]
    if any(errors for _, errors, _ in parses):
        return None
    return (fileparts.entries_of([entries for entries, _, _ in parses]), [],
            fileparts.combine([options for _, _, options in parses]))


def assert_same(got: Any, expected: Any) -> None:
    assert [(repr(e), e.meta) for e in got[0]] == [(repr(e), e.meta) for e in expected[0]]
    for mine, theirs in zip(got[0], expected[0], strict=True):
        for a, b in zip(getattr(mine, "postings", ()), getattr(theirs, "postings", ()),
                        strict=True):
            assert a.meta == b.meta
    assert got[1] == expected[1] == []

    def shown(options: dict[str, Any]) -> dict[str, str]:
        return {k: str(v) if k == "dcontext" else repr(v) for k, v in options.items()}

    assert shown(got[2]) == shown(expected[2])


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileparts, "PART_LINES", 40)
    monkeypatch.setattr(fileparts, "MIN_BYTES", 0)


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("path", sorted(EXAMPLE.rglob("*.beancount")), ids=lambda p: p.name)
def test_every_example_file_parses_the_same_in_parts(path: Path) -> None:
    content = path.read_bytes()
    parted = by_parts(content, str(path))
    if parted is None:  # not cut: it holds an option, include, plugin... or is short
        assert (fileparts._STATEFUL.search(content) is not None
                or content.count(b"\n") < 2 * fileparts.PART_LINES)
        return
    assert_same(parted, parse(content, str(path)))


def test_the_parts_cover_the_file_and_each_begins_with_an_entry() -> None:
    content = (EXAMPLE / "transactions" / "2025.beancount").read_bytes()
    split = fileparts.split(content)
    assert split is not None
    assert len(split) >= 2
    assert b"".join(content[start:end] for _, start, end in split) == content
    assert [end for _, _, end in split[:-1]] == [start for _, start, _ in split[1:]]
    for first, start, _ in split:
        assert content.count(b"\n", 0, start) + 1 == first
        assert start == 0 or (content[start:start + 4].isdigit()
                              and content[start - 1:start] == b"\n")


@pytest.mark.parametrize("line", [b'option "title" "x"', b"pushtag #trip", b"pushmeta a: 1",
                                  b'include "other.beancount"', b'plugin "p"'])
def test_a_file_with_a_directive_that_changes_the_parser_is_read_whole(line: bytes) -> None:
    body = b"".join(b'2024-01-%02d * "x"\n  Assets:Bank  1 SEK\n  Income:Sales\n' % (1 + i % 28)
                    for i in range(20000))
    assert fileparts.split(body) is not None
    assert fileparts.split(line + b"\n" + body) is None
    assert fileparts.split(b"\r".join(body.split(b"\n"))) is None  # lone carriage returns
    assert fileparts.split(body[:1000]) is None  # small


def test_a_cut_inside_a_multi_line_string_gives_an_error_so_the_file_is_read_whole(
        small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileparts, "PART_LINES", 43)  # the first cut: line 44, in a string
    lines = [b'2024-01-01 open Assets:Bank', b'2024-01-01 open Income:Sales']
    for i in range(60):
        lines += [b'2024-01-02 * "a note', b'2024-01-03 * \\"looks like an entry', b'"',
                  b"  Assets:Bank  %d.00 SEK" % i, b"  Income:Sales"]
    content = b"\n".join(lines) + b"\n"
    split = fileparts.split(content)
    assert split is not None  # cut, at a line inside a string...
    assert any(parse(content[start:end], "x", first)[1] for first, start, end in split)
    assert by_parts(content) is None  # ...which its part's errors reveal
    assert parse(content)[1] == []


notes = st.text(alphabet=st.sampled_from(list('ab "\\\n;2024-01-05*')), max_size=30)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 28), notes, st.integers(-10**6, 10**6),
                               st.sampled_from(["SEK", "EUR", ""]),
                               st.sampled_from(["", "  ; a comment", "\n; between"])),
                     min_size=1, max_size=40),
       size=st.integers(1, 9))
def test_any_file_parses_the_same_in_parts_or_is_read_whole(
        rows: list[tuple[int, str, int, str, str]], size: int) -> None:
    """Random transactions, narrations with quotes, escapes, breaks and dates in them."""
    text = ["2024-01-01 open Assets:Bank", "2024-01-01 open Income:Sales"]
    for day, note, ore, currency, tail in rows:
        text += [f'2024-01-{day:02d} * "{note}"{tail}', f"  Assets:Bank  {ore / 100} {currency}",
                 "  Income:Sales"]
    content = ("\n".join(text) + "\n").encode()
    old = fileparts.PART_LINES, fileparts.MIN_BYTES
    fileparts.PART_LINES, fileparts.MIN_BYTES = size, 0
    try:
        parted = by_parts(content)
    finally:
        fileparts.PART_LINES, fileparts.MIN_BYTES = old
    whole = parse(content)
    if parted is not None:
        assert_same(parted, whole)
    elif not whole[1] and not any(c in note for _, note, *_ in rows for c in ('"', "\\")) \
            and not any("\n2" in note for _, note, *_ in rows):
        # well-formed strings, none with a line that begins with a date: cut if long enough
        assert content.count(b"\n") <= size


def cuts_line_by_line(content: bytes) -> list[tuple[int, int, int]] | None:
    """The cuts as the rule says them: the first entry at least PART_LINES lines on."""
    if (len(content) < fileparts.MIN_BYTES or fileparts._STATEFUL.search(content)
            or fileparts._LONE_CR.search(content)):
        return None
    cuts = [(0, 1)]
    for match in fileparts._ENTRY.finditer(content):
        line = content.count(b"\n", 0, match.start()) + 1
        if line - cuts[-1][1] >= fileparts.PART_LINES:
            cuts.append((match.start(), line))
    if len(cuts) < 2:
        return None
    ends = [start for start, _ in cuts[1:]] + [len(content)]
    return [(first, start, end) for (start, first), end in zip(cuts, ends, strict=True)]


lines = st.sampled_from([b"2026-01-02 * \"x\"", b"  Assets:Bank  1 SEK", b"", b"; note",
                         b"2026-1-2 open Assets:Bank", b" 2026-01-02 not at the start",
                         b"  \"2026-01-03 in a string\"", b"  Assets:Bank  2 SEK\r",
                         b"optional", b" option \"a\" \"b\""])
#: Lines that keep a file from being cut: a directive that changes the parser's state,
#: a carriage return alone.
never = st.sampled_from([b"pushtag #x", b"option \"a\" \"b\"", b"\r "])


@given(st.lists(lines, max_size=60), st.none() | st.tuples(never, st.integers(0, 60)),
       st.integers(1, 7), st.booleans())
def test_the_cuts_fall_where_the_rule_says(body: list[bytes],
                                           poison: tuple[bytes, int] | None, size: int,
                                           end: bool) -> None:
    """Skipping whole lines at once cuts where counting every entry's line does."""
    if poison is not None:
        body.insert(poison[1], poison[0])
    content = b"\n".join(body) + (b"\n" if end else b"")
    old = fileparts.PART_LINES, fileparts.MIN_BYTES
    fileparts.PART_LINES, fileparts.MIN_BYTES = size, 0
    try:
        assert fileparts.split(content) == cuts_line_by_line(content)
    finally:
        fileparts.PART_LINES, fileparts.MIN_BYTES = old
