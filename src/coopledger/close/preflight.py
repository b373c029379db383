"""Preflight: the checks a month must pass before it is closed.

1. **errors**: Beancount and coopledger report no error.
2. **bank**: every bank account (BAS 19xx) open in the month has a balance assertion dated
   the month's last day or the first day of the next month. Beancount checks an assertion
   at the *start* of its day, so ``2026-11-01 balance`` proves the balance after all of
   October, while one dated ``2026-10-31`` proves it before that day's entries (both are
   accepted: bank statements are dated either way).
3. **clearing**: between every pair of entities, A's clearing balance against B is minus
   B's against A at the month's end.
4. **loans**: for every loan link, the fund's receivable (BAS 1380/1381) on entries with
   the link is minus the borrower's liability (BAS 2390) on them.
5. **seals**: no sealed month changed, and nothing is dated in a sealed month.
6. **vouchers**: voucher ids already written are consistent and gapless.
7. **review**: nothing in the month awaits the accountant's review: no transaction or
   posting flagged ``!`` and no balance on a suspense account (BAS 2999 OBS-konto, or
   any account whose ``open`` carries ``suspense: TRUE``) at the month's end. The close
   may seal such a month only when someone accepts it (``--accept``), and the seal then
   records who accepted what (see :class:`Acceptance`).
8. **vat**: no VAT account (BAS 26xx but 2650) holds an amount of the month that no box
   of a VAT return takes (see :mod:`coopledger.filings.vat`).
9. **overdue**: a warning, never a failure: customer and supplier invoices more than 90
   days past their due date at the month's end.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from coopledger.books import Books
from coopledger.clearing import clearing_counterparty
from coopledger.close.numbering import numbering_problems
from coopledger.entities import EntityKind, entity_of
from coopledger.errors import format_error
from coopledger.fund.ledger import is_opening, posting_loan
from coopledger.i18n import Message, message
from coopledger.seals import read_seals, verify_month_seals

RECEIVABLE_BAS = ("1380", "1381")
BORROWING_BAS = ("2390",)
_LIMIT = 30


@dataclass(frozen=True)
class CheckResult:
    """One preflight check: its name, whether it passed, and what it found.

    The library's record is language-neutral: ``heading`` and ``notes`` are catalogue
    messages (:class:`coopledger.i18n.Message`), said in a page's or a pack's language by
    :meth:`title_in` and :meth:`details_in`; ``title`` and ``details`` are the same in
    plain English, for the command line, ``checks.csv`` and the seal's record.

    Attributes:
        name: Short name (``errors``, ``bank``, ``clearing``, ``loans``, ``seals``,
            ``vouchers``, ``review``, ``vat``, ``overdue``).
        title: What the check proves, in a sentence (English).
        ok: Whether it passed.
        details: One line per problem (or, when passed, a short note), in English.
        accepted: For a failed check that someone accepted before sealing, who and
            why (``"Anna Berg: bank lines of 30 Nov are booked in December"``).
        notes: The details as messages, in the same order (empty: only ``details``).
        heading: The title as a message (None: the catalogue's ``check.<name>``).
    """

    name: str
    title: str
    ok: bool
    details: list[str] = field(default_factory=list)
    accepted: str = ""
    notes: tuple[Message, ...] = ()
    heading: Message | None = None

    def title_in(self, language: str) -> str:
        """What the check proves, in ``language`` (``sv`` or ``en``)."""
        if self.heading is not None:
            return self.heading.text(language)
        if f"check.{self.name}" == message(language, f"check.{self.name}"):
            return self.title  # not one of the catalogue's checks
        return heading_of(self.name).text(language)

    def details_in(self, language: str) -> list[str]:
        """What the check found, one line each, in ``language``."""
        if not self.notes:
            return list(self.details)
        return [note.text(language) for note in self.notes]

    @property
    def title_sv(self) -> str:
        """The title in Swedish, for the board."""
        return self.title_in("sv")


#: Days past due after which an open invoice is a warning in the preflight.
OVERDUE_DAYS = 90
#: The checks, in the order :func:`preflight` runs them.
CHECKS = ("errors", "bank", "clearing", "loans", "seals", "vouchers", "review", "vat",
          "overdue")


def heading_of(name: str) -> Message:
    """What the check ``name`` proves, as the catalogue's message ``check.<name>``."""
    if name == "overdue":
        return Message.of("check.overdue", days=OVERDUE_DAYS)
    return Message.of(f"check.{name}")


#: What each check proves, in Swedish (from the message catalogue).
TITLES_SV = {name: heading_of(name).text("sv") for name in CHECKS}

#: BAS number of the suspense account (OBS-konto); ``suspense: TRUE`` on an ``open``
#: marks any other account as one.
SUSPENSE_BAS = "2999"
SUSPENSE_KEY = "suspense"
#: The check that an accountant may accept (``--accept``); every other one must pass.
ACCEPTABLE = frozenset({"review"})


def _where(meta: dict[str, object] | None) -> str:
    if not meta or not meta.get("filename"):
        return ""
    return f"{meta.get('filename')}:{meta.get('lineno')}: "


def account_balances(
    books: Books, end: datetime.date, accounts: Iterable[str] | None = None,
) -> dict[str, Decimal]:
    """Balances in the operating currency of entries dated before ``end``, in one pass."""
    wanted = set(accounts) if accounts is not None else None
    currency = books.operating_currency
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        if entry.date >= end:
            break
        for posting in entry.postings:
            if wanted is not None and posting.account not in wanted:
                continue
            units = posting.units
            if units is not None and units.currency == currency and units.number is not None:
                totals[posting.account] += units.number
    return dict(totals)


def result(name: str, ok: bool, notes: list[Message], *, accepted: str = "",
           heading: Message | None = None) -> CheckResult:
    """A check's result from its findings as messages (at most :data:`_LIMIT` of them).

    Args:
        name: The check's name; its title is the catalogue's ``check.<name>``.
        ok: Whether it passed.
        notes: What it found, one message each.
        accepted: Who accepted a failure, and why.
        heading: The title, when it is not the catalogue's ``check.<name>``.

    Returns:
        The result, with its English ``title`` and ``details`` filled in.
    """
    heading = heading or heading_of(name)
    notes = _cap(notes)
    return CheckResult(name, heading.plain(), ok, [n.plain() for n in notes], accepted,
                       tuple(notes), heading)


def text_note(text: str, meta: dict[str, object] | None = None) -> Message:
    """A finding the catalogue has no words for (an error's own text), with its place."""
    return Message.of("check.text", text=f"{_where(meta)}{text}")


def located(note: Message, meta: dict[str, object] | None = None) -> Message:
    """A finding in the catalogue's words, after its place (``file:line: ``)."""
    return Message.of("check.at", where=_where(meta), note=note) if _where(meta) else note


def check_errors(books: Books) -> CheckResult:
    """Beancount and coopledger report no error."""
    lines = [text_note(format_error(e)) for e in books.errors]
    return result("errors", not lines, lines or [Message.of("check.errors.ok")])


def check_bank_assertions(books: Books, start: datetime.date, end: datetime.date) -> CheckResult:
    """Every bank account open in the month has a balance assertion at its end."""
    last_day = end - datetime.timedelta(days=1)
    closed = {e.account: e.date for e in books.entries if isinstance(e, data.Close)}
    banks = sorted(a for a, o in books.opens.items()
                   if (books.bas(a) or "").startswith("19") and o.date < end
                   and closed.get(a, end) >= end)
    asserted = {e.account for e in books.entries
                if isinstance(e, data.Balance) and last_day <= e.date <= end}
    missing = [Message.of("check.bank.missing", account=a, last_day=last_day, end=end)
               for a in banks if a not in asserted]
    return result("bank", not missing,
                  missing or [Message.of("check.bank.ok", n=len(banks))])


def check_clearing(books: Books, end: datetime.date) -> CheckResult:
    """Clearing balances between every pair of entities mirror each other."""
    accounts = [a for a in books.opens if clearing_counterparty(a) is not None]
    totals = account_balances(books, end, accounts)
    problems = []
    pairs = 0
    for account in sorted(accounts):
        owner, other = entity_of(account), clearing_counterparty(account)
        if owner is None or other is None or owner > other:
            continue
        pairs += 1
        mirror = f"Assets:{other}:1660-Avräkning-{owner}"
        mine, theirs = totals.get(account, Decimal(0)), totals.get(mirror, Decimal(0))
        if mine + theirs != 0:
            problems.append(Message.of("check.clearing.mismatch", owner=owner, other=other,
                                       mine=mine, theirs=theirs, expected=-mine))
    return result("clearing", not problems,
                  problems or [Message.of("check.clearing.ok", n=pairs)])


def check_loan_mirrors(books: Books, end: datetime.date) -> CheckResult:
    """The fund's receivable per loan link is minus the borrower's liability."""
    funds = {c for c, e in books.entities.items() if e.kind is EntityKind.FUND}
    receivable: dict[str, Decimal] = defaultdict(Decimal)
    borrowed: dict[str, Decimal] = defaultdict(Decimal)
    for entry in books.transactions:
        if entry.date >= end:
            break
        if not entry.links:
            continue
        for posting in entry.postings:
            bas = books.bas(posting.account) or ""
            number = (posting.units.number if posting.units else None) or Decimal(0)
            # daily books: an opening-balance posting names its loan in metadata
            links = [posting_loan(posting) or ""] if is_opening(entry) else entry.links
            if entity_of(posting.account) in funds and bas in RECEIVABLE_BAS:
                for link in links:
                    receivable[link] += number
            elif bas in BORROWING_BAS:
                for link in links:
                    borrowed[link] += number
    problems = [Message.of("check.loans.mismatch", link=link, receivable=amount,
                           liability=borrowed.get(link, Decimal(0)))
                for link, amount in sorted(receivable.items())
                if amount + borrowed.get(link, Decimal(0)) != 0]
    return result("loans", not problems,
                  problems or [Message.of("check.loans.ok", n=len(receivable))])


def check_seals(books: Books) -> CheckResult:
    """No sealed month changed and no entry is dated in a sealed month."""
    seals, duplicates = read_seals(books.entries)
    problems = [Message.of("check.seals.twice", where=_where(e.meta),
                           period=e.values[0].value) for e in duplicates]
    for problems_of_month in verify_month_seals(books.entries, seals).values():
        for note, entry in problems_of_month:
            problems.append(located(note, entry.meta if entry else None))
    return result("seals", not problems,
                  problems or [Message.of("check.seals.ok", n=len(seals))])


def check_vouchers(books: Books) -> CheckResult:
    """Voucher ids already written are consistent and gapless."""
    starts = {c: e.fiscal_year_start for c, e in books.entities.items()}
    problems = [located(note, meta)
                for note, meta in numbering_problems(books.entries, starts)]
    return result("vouchers", not problems, problems or [Message.of("check.vouchers.ok")])


def suspense_accounts(books: Books) -> list[str]:
    """The suspense accounts: BAS 2999 (OBS-konto) and any ``open`` marked ``suspense``."""
    return sorted(account for account, entry in books.opens.items()
                  if books.bas(account) == SUSPENSE_BAS
                  or (entry.meta or {}).get(SUSPENSE_KEY) is True)


def review_items(books: Books, start: datetime.date, end: datetime.date) -> list[str]:
    """What awaits review in the month ``[start, end)``, one line each, in English.

    Every transaction dated in the month that is flagged ``!`` or holds a posting
    flagged ``!`` (at its file and line), then every suspense account with a balance at
    the month's end (the balance in the operating currency). The seal records these
    lines when someone accepts them.
    """
    return [note.plain() for note in review_notes(books, start, end)]


def review_notes(books: Books, start: datetime.date, end: datetime.date) -> list[Message]:
    """:func:`review_items` as messages, to be said in a page's language."""
    lines = []
    for entry in books.transactions:
        if entry.date >= end:
            break
        if entry.date < start:
            continue
        if entry.flag == "!" or any(p.flag == "!" for p in entry.postings):
            text = " ".join(t for t in (entry.payee, entry.narration) if t)
            lines.append(located(Message.of("check.review.flagged", date=entry.date,
                                            text=f" {text}" if text else ""), entry.meta))
    accounts = suspense_accounts(books)
    balances = account_balances(books, end, accounts)
    lines.extend(Message.of("check.review.suspense", account=account,
                            amount=balances[account], currency=books.operating_currency,
                            end=end)
                 for account in accounts if balances.get(account))
    return lines


def check_review(books: Books, start: datetime.date, end: datetime.date) -> CheckResult:
    """Nothing awaits review: no ``!`` entry in the month, no suspense balance at its end."""
    items = review_notes(books, start, end)
    return result("review", not items, items or [Message.of("check.review.ok")])


def preflight(books: Books, start: datetime.date, end: datetime.date) -> list[CheckResult]:
    """Run every check for the month ``[start, end)``, in order.

    Returns:
        One result per check; the month may be closed when all passed (or when the
        only failures are in :data:`ACCEPTABLE` checks and someone accepted them).
    """
    return [check_errors(books), check_bank_assertions(books, start, end),
            check_clearing(books, end), check_loan_mirrors(books, end), check_seals(books),
            check_vouchers(books), check_review(books, start, end),
            check_vat_boxes(books, start, end), check_overdue(books, end)]


def check_vat_boxes(books: Books, start: datetime.date, end: datetime.date) -> CheckResult:
    """Every amount on a VAT account in the month is taken by a box of a VAT return."""
    from coopledger.filings.vat import unboxed_vat

    lines = [Message.of("check.vat.unboxed", where=_where(entry.meta), date=entry.date,
                        account=account, amount=amount, why=why)
             for entry, account, amount, why in unboxed_vat(books, start, end)]
    return result("vat", not lines, lines or [Message.of("check.vat.ok")])


def check_overdue(books: Books, end: datetime.date) -> CheckResult:
    """Warn of invoices more than :data:`OVERDUE_DAYS` days overdue on the month's last day.

    Always passes: an unpaid invoice does not stop the close, but the board should see it.
    Each line starts with ``warning:``.
    """
    from coopledger.invoicing.receivables import PAYABLES_BAS, RECEIVABLES_BAS, open_items
    from coopledger.invoicing.receivables import overdue as overdue_items

    last = end - datetime.timedelta(days=1)
    lines = []
    for bas, kind in ((RECEIVABLES_BAS, "check.overdue.customer"),
                      (PAYABLES_BAS, "check.overdue.supplier")):
        for item in overdue_items(open_items(books, bas, date=last), last, OVERDUE_DAYS):
            lines.append(Message.of("check.overdue.invoice", entity=item.entity,
                                    kind=Message.of(kind), invoice=item.invoice,
                                    party=item.party, amount=abs(item.balance),
                                    days=item.days_overdue(last)))
    return result("overdue", True,
                  lines or [Message.of("check.overdue.ok", days=OVERDUE_DAYS)])


def _cap(lines: list[Message]) -> list[Message]:
    if len(lines) <= _LIMIT:
        return lines
    return [*lines[:_LIMIT], Message.of("check.more", n=len(lines) - _LIMIT)]
