"""Voucher lines inserted into a file's text: after each numbered header, nothing else moved."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.close.numbering import _HEADER, _line_ending, insert_voucher_lines
from coopledger.errors import CoopException
from coopledger.vouchers import VOUCHER_KEY


def _line_by_line(text: str, lines: Mapping[int, str]) -> str:
    # The plain reading of the contract: every line in turn, a ver line after each header
    # numbered in ``lines`` (indented as the line below it), every other byte unchanged.
    source = text.splitlines(keepends=True)
    out: list[str] = []
    for number, line in enumerate(source, start=1):
        out.append(line)
        if number in lines:
            if not _HEADER.match(line):
                raise CoopException(f"line {number}")
            body = line.rstrip("\r\n")
            eol = line[len(body):] or _line_ending(text)
            following = source[number] if number < len(source) else ""
            stripped = following.lstrip(" \t")
            indent = following[:len(following) - len(stripped)] if stripped.strip() else ""
            out[-1] = body + eol
            out.append(f'{indent or "  "}{VOUCHER_KEY}: "{lines[number]}"{eol}')
    return "".join(out)


_LINES = st.sampled_from([
    '2026-01-05 * "Kafé" "kaffe"', "  Assets:Bank  -10 SEK", "\tExpenses:Food", "",
    "; a comment", "2026-01-06 balance Assets:Bank 0 SEK", '2026-01-07 ! "review"'])


@given(st.lists(_LINES, max_size=20), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.sets(st.integers(-1, 22), max_size=8))
def test_voucher_lines_go_after_their_headers(rows: list[str], eol: str, last_eol: bool,
                                              numbers: set[int]) -> None:
    text = eol.join(rows) + (eol if last_eol and rows else "")
    lines = {n: f"Kafe:A-2026-{n:04d}" for n in numbers}
    try:
        expected = _line_by_line(text, lines)
    except CoopException:
        with pytest.raises(CoopException, match="expected a transaction's first line"):
            insert_voucher_lines(text, lines, Path("year.beancount"))
        return
    assert insert_voucher_lines(text, lines, Path("year.beancount")) == expected


def test_the_first_line_that_is_no_header_is_named() -> None:
    text = '2026-01-05 * "a"\n  Assets:Bank 1 SEK\n; note\n  x\n'
    with pytest.raises(CoopException, match=r"year.beancount:2: expected"):
        insert_voucher_lines(text, {4: "v", 2: "v", 1: "v"}, Path("year.beancount"))
