"""Seals: any edit, insertion or deletion in a sealed month is reported; layout is not."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger.books import load_books
from coopledger.plugins.seals import SealError
from coopledger.seals import canonical, digest_entries, month_bounds, month_entries
from tests.conftest import load_text
from tests.test_close_month import SAMPLE, Txn, close_both, txns, write_ledger

BLOCK = re.compile(r"^\d{4}-\d{2}-\d{2} ", re.MULTILINE)


def blocks(text: str) -> tuple[str, list[str]]:
    """Split a transactions file into its leading comment and one block per entry."""
    starts = [m.start() for m in BLOCK.finditer(text)]
    head = text[:starts[0]]
    return head, [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def seal_errors(main: Path) -> list[SealError]:
    return [e for e in load_books(main).errors if isinstance(e, SealError)]


def mutate(text: str, kind: str, index: int, cents: int) -> tuple[str, str]:
    """Apply one change to an entry of the file; return the new text and its month."""
    head, parts = blocks(text)
    i = index % len(parts)
    month = parts[i][:7]
    if kind == "delete":
        del parts[i]
    elif kind == "insert":
        parts.insert(i, f'{month}-15 * "Tillagd" "Efteråt"\n'
                        "  Assets:Kafe:1930-Företagskonto  1.00 SEK\n"
                        "  Income:Kafe:3001-Försäljning  -1.00 SEK\n")
    elif kind == "narration":
        parts[i] = parts[i].replace('"\n', ' (ändrad)"\n', 1)
    else:  # amount: change both postings so the entry still balances
        numbers = re.findall(r"(-?\d+\.\d\d) SEK", parts[i])
        delta = Decimal(cents).scaleb(-2)
        for number in numbers:
            value = Decimal(number)
            new = value + delta if value > 0 else value - delta
            parts[i] = parts[i].replace(f" {number} SEK", f" {new:.2f} SEK", 1)
    return head + "".join(parts), month


@settings(max_examples=25)
@given(st.lists(txns, max_size=8),
       st.sampled_from(["delete", "insert", "narration", "amount"]),
       st.integers(0, 100), st.integers(1, 10_000))
def test_any_change_in_a_sealed_month_is_reported(
        items: list[Txn], kind: str, index: int, cents: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        main = write_ledger(Path(tmp), items)
        close_both(main)
        assert seal_errors(main) == []
        txns_file = Path(tmp) / "txns.beancount"
        text, month = mutate(txns_file.read_text(encoding="utf-8"), kind, index, cents)
        txns_file.write_text(text, encoding="utf-8")
        errors = seal_errors(main)
        assert errors, f"{kind} in {month} went unnoticed"
        assert all(f"sealed month {month}" in e.message for e in errors)


def test_changed_entry_is_named_at_its_line(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    txns_file = tmp_path / "txns.beancount"
    text = txns_file.read_text(encoding="utf-8")
    txns_file.write_text(text.replace('"Försäljning"\n', '"Försäljning, kaffe"\n', 1),
                         encoding="utf-8")
    (error,) = seal_errors(main)
    line = text[:text.index('"Försäljning"\n')].count("\n") + 1
    assert error.source is not None
    assert (Path(error.source["filename"]).name, error.source["lineno"]) == \
        ("txns.beancount", line)
    assert "sealed month 2025-01" in error.message
    assert "changed after sealing" in error.message


def test_layout_comments_and_moves_do_not_break_a_seal(tmp_path: Path) -> None:
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    txns_file = tmp_path / "txns.beancount"
    head, parts = blocks(txns_file.read_text(encoding="utf-8"))
    moved = parts.pop(3)
    txns_file.write_text(head + "\n; a comment\n\n".join(reversed(parts)), encoding="utf-8")
    (tmp_path / "moved.beancount").write_text("\n\n" + moved, encoding="utf-8")
    with main.open("a", encoding="utf-8") as handle:
        handle.write('include "moved.beancount"\n')
    assert seal_errors(main) == []


def test_canonical_form_holds_every_field_but_the_location() -> None:
    books = load_text("""
2025-01-01 open Assets:A
2025-01-01 open Assets:B
2025-01-05 * "Payee" "Text" #tag ^link
  ver: "Kafe:A-2025-0001"
  Assets:A  10.00 SEK
  Assets:B
""")
    (txn,) = books.transactions
    text = canonical(txn)
    for part in ('"Payee"', '"Text"', '"tag"', '"link"', "ver", "Kafe:A-2025-0001",
                 "Assets:A", "#10.00", "#-10.00", "2025-01-05"):
        assert part in text
    assert "lineno" not in text
    assert "filename" not in text
    moved = txn._replace(meta={**txn.meta, "lineno": 99, "filename": "other.beancount"})
    assert canonical(moved) == text
    changed = txn._replace(narration="Text!")
    start, end = month_bounds("2025-01")
    digest = digest_entries("2025-01", month_entries([*books.entries], start, end))
    other = digest_entries("2025-01", month_entries(
        [changed if e is txn else e for e in books.entries], start, end))
    assert digest.digest != other.digest
    assert digest.days[1] == other.days[1]
    assert digest.days[5] != other.days[5]
