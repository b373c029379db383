"""The dry run's diff: trimmed to what changed, with the whole file's line numbers."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.cli.close import _diff, _inserted

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def apply(before: list[str], diff: str) -> list[str]:
    """Apply a unified diff, checking every context and removed line against the file."""
    result: list[str] = []
    at = 0  # lines of ``before`` consumed
    lines = diff.splitlines(keepends=True)[2:]
    index = 0
    while index < len(lines):
        found = HUNK.match(lines[index])
        assert found, lines[index]
        start, count = int(found.group(1)), int(found.group(2) or 1)
        first = start - 1 if count else start  # difflib numbers an empty range by the line before
        result.extend(before[at:first])
        at = first
        index += 1
        while index < len(lines) and not lines[index].startswith("@@"):
            tag, text = lines[index][0], lines[index][1:]
            if tag in " -":
                assert before[at] == text, (at, before[at], text)
                at += 1
            if tag in " +":
                result.append(text)
            index += 1
    return result + before[at:]


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", '  ver: "X"\n', "\n"]), max_size=30)


@given(before=lines, after=lines)
def test_diff_turns_the_old_text_into_the_new(tmp_path_factory: pytest.TempPathFactory,
                                              before: list[str], after: list[str]) -> None:
    path = tmp_path_factory.mktemp("diff") / "f.beancount"
    path.write_text("".join(before), encoding="utf-8")
    diff = _diff(path, "".join(after))
    assert apply(before, diff) == after
    assert (diff == "") == (before == after)


def test_diff_of_an_insertion_far_into_a_file_matches_difflib(tmp_path: Path) -> None:
    before = [f"line {n}\n" for n in range(1, 2001)]
    after = [*before[:1500], '  ver: "Kafe:A-2026-0001"\n', *before[1500:1700],
             '  ver: "Kafe:A-2026-0002"\n', *before[1700:]]
    path = tmp_path / "year.beancount"
    path.write_text("".join(before), encoding="utf-8")
    whole = "".join(difflib.unified_diff(before, after, fromfile=str(path),
                                         tofile=str(path), n=1))
    assert _diff(path, "".join(after)) == whole


def test_diff_of_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.beancount"
    diff = _diff(path, "a\nb\n")
    assert diff.splitlines()[2] == "@@ -0,0 +1,2 @@"
    assert apply([], diff) == ["a\n", "b\n"]


@given(size=st.integers(0, 40), inserts=st.lists(st.integers(0, 40), max_size=12))
def test_inserted_lines_give_difflibs_diff(tmp_path_factory: pytest.TempPathFactory,
                                           size: int, inserts: list[int]) -> None:
    # Lines that are all different: one alignment only, so the direct diff of an
    # insertion must be exactly difflib's.
    before = [f"line {n}\n" for n in range(size)]
    after = list(before)
    for number, place in enumerate(sorted(inserts, reverse=True)):
        after.insert(min(place, len(after)), f'  ver: "Kafe:A-2026-{number:04d}"\n')
    path = tmp_path_factory.mktemp("insert") / "year.beancount"
    path.write_text("".join(before), encoding="utf-8")
    whole = "".join(difflib.unified_diff(before, after, fromfile=str(path),
                                         tofile=str(path), n=1))
    assert _diff(path, "".join(after)) == whole


def _pairs_going_down(before: list[str], after: list[str]) -> list[int] | None:
    # The plain reading of _inserted's contract: one line at a time.
    new, at = [], 0
    for index, line in enumerate(after):
        if at < len(before) and before[at] == line:
            at += 1
        else:
            new.append(index)
    return new if at == len(before) else None


@given(before=st.lists(st.sampled_from(["\n", "a\n", "b\n"]), max_size=30),
       after=st.lists(st.sampled_from(["\n", "a\n", "b\n"]), max_size=40),
       inserts=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["\n", "a\n", "v\n"])),
                        max_size=12))
def test_new_lines_are_found_as_a_reader_going_down_pairs_them(
        before: list[str], after: list[str], inserts: list[tuple[int, str]]) -> None:
    """Repeated lines (blank ones) included; for an insertion and for any other change."""
    inserted = list(before)
    for place, line in inserts:
        inserted.insert(min(place, len(inserted)), line)
    for new in (inserted, after):
        assert _inserted(before, new) == _pairs_going_down(before, new)
