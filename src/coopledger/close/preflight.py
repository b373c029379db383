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
from coopledger.seals import read_seals, verify_month_seals

RECEIVABLE_BAS = ("1380", "1381")
BORROWING_BAS = ("2390",)
_LIMIT = 30


@dataclass(frozen=True)
class CheckResult:
    """One preflight check: its name, whether it passed, and what it found.

    Attributes:
        name: Short name (``errors``, ``bank``, ``clearing``, ``loans``, ``seals``,
            ``vouchers``).
        title: What the check proves, in a sentence.
        ok: Whether it passed.
        details: One line per problem (or, when passed, a short note).
        accepted: For a failed check that someone accepted before sealing, who and
            why (``"Anna Berg: bank lines of 30 Nov are booked in December"``).
    """

    name: str
    title: str
    ok: bool
    details: list[str] = field(default_factory=list)
    accepted: str = ""

    @property
    def title_sv(self) -> str:
        """The title in Swedish, for the board (the English one if it has none)."""
        return TITLES_SV.get(self.name, self.title)


#: What each check proves, in Swedish: the board pack and the Swedish board page show it.
TITLES_SV = {
    "errors": "Böckerna laddas utan fel",
    "bank": "Varje bankkonto har en saldokontroll vid månadens slut",
    "clearing": "Avräkningarna mellan enheterna stämmer mot varandra",
    "loans": "Varje lån i fonden speglas av låntagarens skuld",
    "seals": "Förseglade månader är oförändrade",
    "vouchers": "Verifikationsnumren är obrutna per enhet och serie",
    "vat": "Varje momsbelopp hamnar i en ruta i momsdeklarationen",
    "review": "Inget väntar på granskning (inga !-poster, tomt OBS-konto)",
    "overdue": "Inga fakturor är mer än 90 dagar förfallna",
}
#: Days past due after which an open invoice is a warning in the preflight.
OVERDUE_DAYS = 90

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


def check_errors(books: Books) -> CheckResult:
    """Beancount and coopledger report no error."""
    lines = [format_error(e) for e in books.errors]
    return CheckResult("errors", "The books load without errors", not lines,
                       _cap(lines) or ["no errors"])


def check_bank_assertions(books: Books, start: datetime.date, end: datetime.date) -> CheckResult:
    """Every bank account open in the month has a balance assertion at its end."""
    last_day = end - datetime.timedelta(days=1)
    closed = {e.account: e.date for e in books.entries if isinstance(e, data.Close)}
    banks = sorted(a for a, o in books.opens.items()
                   if (books.bas(a) or "").startswith("19") and o.date < end
                   and closed.get(a, end) >= end)
    asserted = {e.account for e in books.entries
                if isinstance(e, data.Balance) and last_day <= e.date <= end}
    missing = [f"{a}: no balance assertion dated {last_day} or {end} (add the bank "
               f"statement's closing balance)" for a in banks if a not in asserted]
    return CheckResult("bank", "Every bank account has a balance assertion at the month's "
                       "end", not missing, _cap(missing) or [f"{len(banks)} bank accounts "
                                                             "asserted"])


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
            problems.append(f"{owner} against {other}: {mine} but {other} against {owner}: "
                            f"{theirs} (should be {-mine})")
    return CheckResult("clearing", "Clearing balances between entities reconcile",
                       not problems, _cap(problems) or [f"{pairs} entity pairs reconcile"])


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
    problems = [f"loan ^{link}: the fund's receivable is {amount} but the borrower's "
                f"liability is {borrowed.get(link, Decimal(0))}"
                for link, amount in sorted(receivable.items())
                if amount + borrowed.get(link, Decimal(0)) != 0]
    return CheckResult("loans", "Every loan's receivable in the fund mirrors the borrower's "
                       "liability", not problems,
                       _cap(problems) or [f"{len(receivable)} loans mirror"])


def check_seals(books: Books) -> CheckResult:
    """No sealed month changed and no entry is dated in a sealed month."""
    seals, duplicates = read_seals(books.entries)
    problems = [f"{_where(e.meta)}period {e.values[0].value} is sealed twice"
                for e in duplicates]
    for problems_of_month in verify_month_seals(books.entries, seals).values():
        for message, entry in problems_of_month:
            problems.append(f"{_where(entry.meta if entry else None)}{message}")
    return CheckResult("seals", "Sealed months are unchanged", not problems,
                       _cap(problems) or [f"{len(seals)} seals hold"])


def check_vouchers(books: Books) -> CheckResult:
    """Voucher ids already written are consistent and gapless."""
    starts = {c: e.fiscal_year_start for c, e in books.entities.items()}
    problems = [f"{_where(meta)}{message}"
                for message, meta in numbering_problems(books.entries, starts)]
    return CheckResult("vouchers", "Voucher numbers are gapless per entity and series",
                       not problems, _cap(problems) or ["voucher numbers are gapless"])


def suspense_accounts(books: Books) -> list[str]:
    """The suspense accounts: BAS 2999 (OBS-konto) and any ``open`` marked ``suspense``."""
    return sorted(account for account, entry in books.opens.items()
                  if books.bas(account) == SUSPENSE_BAS
                  or (entry.meta or {}).get(SUSPENSE_KEY) is True)


def review_items(books: Books, start: datetime.date, end: datetime.date) -> list[str]:
    """What awaits review in the month ``[start, end)``, one line each.

    Every transaction dated in the month that is flagged ``!`` or holds a posting
    flagged ``!`` (at its file and line), then every suspense account with a balance at
    the month's end (the balance in the operating currency).
    """
    lines = []
    for entry in books.transactions:
        if entry.date >= end:
            break
        if entry.date < start:
            continue
        if entry.flag == "!" or any(p.flag == "!" for p in entry.postings):
            text = " ".join(t for t in (entry.payee, entry.narration) if t)
            lines.append(f"{_where(entry.meta)}{entry.date} ! {text}".rstrip())
    accounts = suspense_accounts(books)
    balances = account_balances(books, end, accounts)
    lines.extend(f"{account}: {balances[account]} {books.operating_currency} at {end}"
                 for account in accounts if balances.get(account))
    return lines


def check_review(books: Books, start: datetime.date, end: datetime.date) -> CheckResult:
    """Nothing awaits review: no ``!`` entry in the month, no suspense balance at its end."""
    items = review_items(books, start, end)
    return CheckResult("review", "Nothing awaits review (no ! entry, no balance on a "
                       "suspense account)", not items,
                       _cap(items) or ["nothing awaits review"])


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

    lines = [f"{_where(entry.meta)}{entry.date} {account} {amount} SEK: {why}"
             for entry, account, amount, why in unboxed_vat(books, start, end)]
    return CheckResult("vat", "Every VAT amount is taken by a box of the VAT return",
                       not lines, _cap(lines) or ["every VAT amount has its box"])


def check_overdue(books: Books, end: datetime.date) -> CheckResult:
    """Warn of invoices more than :data:`OVERDUE_DAYS` days overdue on the month's last day.

    Always passes: an unpaid invoice does not stop the close, but the board should see it.
    Each line starts with ``warning:``.
    """
    from coopledger.invoicing.receivables import PAYABLES_BAS, RECEIVABLES_BAS, open_items
    from coopledger.invoicing.receivables import overdue as overdue_items

    last = end - datetime.timedelta(days=1)
    lines = []
    for bas, kind in ((RECEIVABLES_BAS, "customer invoice"), (PAYABLES_BAS, "supplier invoice")):
        for item in overdue_items(open_items(books, bas, date=last), last, OVERDUE_DAYS):
            lines.append(f"warning: {item.entity} {kind} {item.invoice} ({item.party}), "
                         f"{abs(item.balance)} open, {item.days_overdue(last)} days overdue")
    return CheckResult("overdue", f"No invoice is more than {OVERDUE_DAYS} days overdue", True,
                       _cap(lines) or [f"no invoice is more than {OVERDUE_DAYS} days overdue"])


def _cap(lines: list[str]) -> list[str]:
    if len(lines) <= _LIMIT:
        return lines
    return [*lines[:_LIMIT], f"... and {len(lines) - _LIMIT} more"]
