"""What a seal covers: a change to a protected field is always caught, naming the month
and the entry at its file and line; adding or changing an annotation never breaks a seal.

The month is built as directives (the canonical form reads loaded directives, so no
loader is needed for the properties); one test goes through files and the seals plugin.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount
from hypothesis import given, settings
from hypothesis import strategies as st

from coopledger.books import load_books
from coopledger.i18n import format_month
from coopledger.plugins.seals import SealError
from coopledger.seals import (
    ANNOTATION_KEYS,
    SEAL_VERSION,
    Seal,
    digest_entries,
    month_entries,
    verify_month_seals,
)
from tests.test_close_month import SAMPLE, close_both, write_ledger

MONTH = "2025-03"
START, END = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)
ACCOUNTS = ("Assets:Kafe:1930-Företagskonto", "Income:Kafe:3001-Försäljning",
            "Expenses:Kafe:4010-Inköp", "Assets:Kafe:1510-Kundfordringar")
ore = st.integers(1, 10_000_000).map(lambda n: Decimal(n).scaleb(-2))
texts = st.text(st.characters(codec="utf-8"), max_size=20)


def meta(line: int) -> dict[str, object]:
    return {"filename": "books/2025.beancount", "lineno": line}


@st.composite
def months(draw: st.DrawFn) -> list[data.Directive]:
    """A month of transactions (two or three postings, balanced), an open and a note."""
    entries: list[data.Directive] = [
        data.Open(meta(1), START, ACCOUNTS[0], ["SEK"], None),
        data.Note(meta(3), START, ACCOUNTS[0], "konto för kortbetalningar", None, None)]
    for index in range(draw(st.integers(1, 6))):
        day = draw(st.integers(1, 31))
        amount = draw(ore)
        first, second = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=2, max_size=2,
                                      unique=True))
        postings = [data.Posting(first, Amount(amount, "SEK"), None, None, None,
                                 meta(10 * index + 11)),
                    data.Posting(second, Amount(-amount, "SEK"), None, None, None,
                                 meta(10 * index + 12))]
        entry_meta = meta(10 * index + 10)
        entry_meta["ver"] = f"Kafe:A-2025-{index + 1:04d}"
        entries.append(data.Transaction(
            entry_meta, datetime.date(2025, 3, day), "*", draw(texts), draw(texts),
            frozenset(), frozenset(), postings))
    return entries


def sealed(entries: list[data.Directive]) -> dict[str, Seal]:
    digest = digest_entries(MONTH, month_entries(entries, START, END), SEAL_VERSION)
    days = " ".join(f"{d:02d}:{v[:16]}" for d, v in digest.days.items())
    short = " ".join(f"{d:02d}:" + ",".join(x[:8] for x in v)
                     for d, v in digest.entries.items())
    seal = Seal(id=MONTH, date=END - datetime.timedelta(days=1), digest=digest.digest,
                count=digest.count, days=days, entries=short, version=SEAL_VERSION)
    return {MONTH: seal}


def _other(value: str) -> str:
    return value + " (ändrad)"


PROTECTED = ("amount", "account", "date", "flag", "narration", "payee", "ver", "tag",
             "link", "posting-flag", "drop-posting", "currency")


def protected_change(  # noqa: PLR0911 - one return per kind of change
        entry: data.Transaction, kind: str, cents: int) -> data.Transaction:
    """One change to a field the law protects (the entry may no longer balance: the
    seal sees records, not the balancing)."""
    first, *rest = entry.postings
    assert first.units is not None
    assert first.units.number is not None
    if kind == "amount":
        number = first.units.number + Decimal(cents).scaleb(-2)
        return entry._replace(postings=[first._replace(units=Amount(number, "SEK")), *rest])
    if kind == "currency":
        return entry._replace(postings=[first._replace(
            units=Amount(first.units.number, "EUR")), *rest])
    if kind == "account":
        other = next(a for a in ACCOUNTS if a not in {p.account for p in entry.postings})
        return entry._replace(postings=[first._replace(account=other), *rest])
    if kind == "date":
        day = entry.date.day % 28 + 1
        return entry._replace(date=entry.date.replace(day=day))
    if kind == "flag":
        return entry._replace(flag="!")
    if kind == "narration":
        return entry._replace(narration=_other(entry.narration or ""))
    if kind == "payee":
        return entry._replace(payee=_other(entry.payee or ""))
    if kind == "ver":
        return entry._replace(meta={**entry.meta, "ver": "Kafe:A-2025-9999"})
    if kind == "tag":
        return entry._replace(tags=frozenset({"rättad"}))
    if kind == "link":
        return entry._replace(links=frozenset({"L-2025-01"}))
    if kind == "posting-flag":
        return entry._replace(postings=[first._replace(flag="!"), *rest])
    return entry._replace(postings=rest)  # drop-posting


@settings(max_examples=60)
@given(months(), st.integers(0, 100), st.sampled_from(PROTECTED), st.integers(1, 100_000))
def test_a_protected_change_is_always_caught_at_its_file_and_line(
        entries: list[data.Directive], pick: int, kind: str, cents: int) -> None:
    seals = sealed(entries)
    assert verify_month_seals(entries, seals) == {}
    positions = [i for i, e in enumerate(entries) if isinstance(e, data.Transaction)]
    at = positions[pick % len(positions)]
    original = entries[at]
    assert isinstance(original, data.Transaction)
    changed = protected_change(original, kind, cents)
    if kind == "date" and changed.date == original.date:
        return
    after = [*entries[:at], changed, *entries[at + 1:]]
    broken = verify_month_seals(after, seals)
    assert set(broken) == {MONTH}
    named = [entry for _, entry in broken[MONTH] if entry is not None]
    assert [(e.meta["filename"], e.meta["lineno"]) for e in named] == [
        ("books/2025.beancount", original.meta["lineno"])]
    assert all(message.plain().startswith(f"sealed month {MONTH}:")
               and message.text("sv").startswith(
                   f"förseglad månad {format_month(MONTH, 'sv', 'long')}:")
               for message, _ in broken[MONTH])


annotation = st.sampled_from(sorted(ANNOTATION_KEYS))


@settings(max_examples=60)
@given(months(), st.lists(st.tuples(st.integers(0, 100), st.sampled_from(["entry", "posting"]),
                                    annotation, texts), min_size=1, max_size=6))
def test_adding_or_changing_annotations_never_breaks_a_seal(
        entries: list[data.Directive],
        changes: list[tuple[int, str, str, str]]) -> None:
    seals = sealed(entries)
    after = list(entries)
    for pick, where, key, value in changes:
        at = pick % len(after)
        entry = after[at]
        if where == "posting" and isinstance(entry, data.Transaction):
            first, *rest = entry.postings
            posting = first._replace(meta={**(first.meta or {}), key: value})
            after[at] = entry._replace(postings=[posting, *rest])
        else:
            after[at] = entry._replace(meta={**entry.meta, key: value})
    assert verify_month_seals(after, seals) == {}


def test_a_version_1_seal_still_covers_every_key() -> None:
    """Seals written before version 2 stay valid, and are checked as they were made."""
    entries: list[data.Directive] = [
        data.Open({**meta(1), "iban": "SE35 5000 0000 0549 1000 0003"}, START, ACCOUNTS[0],
                  ["SEK"], None)]
    digest = digest_entries(MONTH, month_entries(entries, START, END))
    old = Seal(id=MONTH, date=END, digest=digest.digest, count=1,
               days=" ".join(f"{d:02d}:{v[:16]}" for d, v in digest.days.items()),
               entries=" ".join(f"{d:02d}:" + ",".join(x[:8] for x in v)
                                for d, v in digest.entries.items()))
    assert old.version == 1
    assert verify_month_seals(entries, {MONTH: old}) == {}
    removed = [entries[0]._replace(meta=meta(1))]
    assert set(verify_month_seals(removed, {MONTH: old})) == {MONTH}


def test_iban_on_a_sealed_open_keeps_the_seal_and_an_amount_does_not(tmp_path: Path) -> None:
    """Through files and the seals plugin: docs/import.md's ``iban:`` on an ``open``."""
    main = write_ledger(tmp_path, SAMPLE)
    close_both(main)
    text = main.read_text(encoding="utf-8")
    opening = '2025-01-01 open Assets:Kafe:1930-Företagskonto SEK\n  bas: "1930"\n'
    assert opening in text
    main.write_text(text.replace(opening, opening + '  iban: "SE4550000000058398257466"\n'
                                 '  note: "företagskontot"\n'), encoding="utf-8")
    books = load_books(main)
    assert books.errors == []
    txns = tmp_path / "txns.beancount"
    body = txns.read_text(encoding="utf-8")
    txns.write_text(body.replace("1234.50 SEK", "1234.60 SEK", 1), encoding="utf-8")
    errors = [e for e in load_books(main).errors if isinstance(e, SealError)]
    assert errors
    assert all("sealed month 2025-01" in e.message for e in errors)
    assert any(e.source and str(e.source["filename"]).endswith("txns.beancount")
               for e in errors)


def test_example_books_take_a_bank_identifier_and_catch_an_amount(tmp_path: Path) -> None:
    """On a copy of the example books, as docs/import.md asks: a bank identifier changed
    and ``bic:``/``note:`` added on a sealed month's ``open`` keep every seal; an edited
    amount names the month and the entry's file and line."""
    example = Path(__file__).resolve().parent.parent / "ledgers" / "example"
    books_dir = tmp_path / "example"
    shutil.copytree(example, books_dir, ignore=shutil.ignore_patterns("*.picklecache"))
    entities = books_dir / "entities.beancount"
    text = entities.read_text(encoding="utf-8")
    opened = "2025-01-01 open Assets:Kafe:1930-Företagskonto SEK\n"
    assert opened in text
    changed = text.replace(opened, opened + '  bic: "ESSESESS"\n  note: "företagskontot"\n', 1)
    changed = changed.replace('iban: "SE4550000000058398257466"',
                              'iban: "SE0850000000054910000003"', 1)
    assert changed.count("ESSESESS") == 1
    assert "SE0850000000054910000003" in changed
    entities.write_text(changed, encoding="utf-8")
    assert load_books(books_dir / "main.beancount").errors == []
    transactions = books_dir / "transactions" / "2025.beancount"
    lines = transactions.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  Expenses:Kafe:4010"))
    lines[at] = lines[at].replace(".00 SEK", ".01 SEK", 1)
    transactions.write_text("".join(lines), encoding="utf-8")
    errors = [e for e in load_books(books_dir / "main.beancount").errors
              if isinstance(e, SealError)]
    assert errors
    entry_line = max(i for i in range(at) if lines[i][:1].isdigit()) + 1
    assert any(e.source is not None and e.source["lineno"] == entry_line
               and str(e.source["filename"]).endswith("transactions/2025.beancount")
               and e.message.startswith(f"sealed month {lines[entry_line - 1][:7]}:")
               and "(Kafe: " in e.message and "Expenses:Kafe:4010-" in e.message
               for e in errors)
