"""One member's books: what a member cooperative's own board may see of the group's.

:func:`member_entries` projects the group's loaded entries (every plugin already run, so
each transaction balances inside every entity it touches) onto one entity:

- its own ``open``/``close``/``balance``/``note``/``document``/``pad`` directives; the
  ``open`` of each clearing account gains ``counterparty`` (the other entity's name);
- its own transactions as they are, except ``ver``, cut to its own voucher number;
- each transaction shared with other entities reduced to its own legs: the other
  entities' postings are gone (the clearing plugin already put the member's side of them
  on its ``1660-Avräkning-<Other>`` account), and of the metadata only keys that describe
  the member's own side are kept (:data:`SHARED_META`): no other member's voucher id,
  weight, area, cost or account;
- the declarations about it: its ``coop-entity``, its loans (and their rates,
  reschedules and openings), the fee rules that apply to it (its own or ``all``), its
  subsidies, its customers and suppliers and how it invoices; not the allocation keys,
  premises, seals or employees (personal data), which the board does not need;
- each month's close state (``custom "coopledger-close" "2026-10" "sealed"``), computed
  on the group's books, since a seal's digest covers every member's entries;
- each month's people as counts (``custom "coopledger-people" "2026-10" "Kafe"``,
  :func:`coopledger.people.people_marks`), computed on the group's books, since the
  target group and the extents come from the employee declarations left out above;
- other ``custom`` directives (Fava's options and extensions), commodities and prices.

Because each transaction balances inside the member, every account of the member has
exactly the balance it has in the group's books (a test compares them account by
account). :mod:`coopledger.plugins.member` runs this as the last step of a load, so Fava
shows a member's board its books through its ordinary loading path.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from coopledger.clearing import clearing_counterparty
from coopledger.entities import entity_of
from coopledger.errors import CoopError

if TYPE_CHECKING:
    from coopledger.books import Books

#: The custom directive that carries a month's close state into a member's books.
CLOSE_MARK = "coopledger-close"
#: The custom directive that says whose books these are (``"coopledger-member" "Kafe"``).
MEMBER_MARK = "coopledger-member"
#: The custom directive of a month's people counts (:mod:`coopledger.people`).
PEOPLE_MARK = "coopledger-people"
#: The voucher number metadata (``"Kafe:A-2026-0060 Paraply:A-2026-0077"``).
VOUCHER_KEY = "ver"
#: Metadata of a shared transaction that describes the member's own side of it.
SHARED_META = frozenset({
    "filename", "lineno", "coop-id", "generated-by", "fee-rule", "allocation", "key",
    "premises", "base", "percent", "fixed", "minimum", "cap", "opening-balances",
})
#: Declarations a member sees when they name it (their id or a field is its code).
MEMBER_DECLARATIONS = frozenset({"coop-entity", "coop-fee", "coop-subsidy",
                                 "coop-vacation-pay", "coop-thresholds"})
#: Fava's budget directive: kept only for the member's own accounts.
BUDGET = "budget"
#: Declarations owned by one entity through their ``entity`` field (its customers and
#: suppliers), or through their id (how it invoices).
OWNED_BY_FIELD = frozenset({"coop-customer", "coop-supplier"})
OWNED_BY_ID = frozenset({"coop-invoicing"})
#: Declarations that belong to a loan (their id is the loan's).
LOAN_DECLARATIONS = frozenset({"coop-loan", "coop-loan-rate", "coop-loan-reschedule",
                               "coop-loan-opening"})
#: Fee rules, vacation pay and thresholds written for every member.
EVERY_MEMBER = "all"

_ACCOUNT_DIRECTIVES = (data.Open, data.Close, data.Balance, data.Note, data.Document, data.Pad)


class MemberViewError(CoopError):
    """A problem with a member's view itself (an unknown entity, hidden errors)."""


def own_vouchers(value: object, code: str) -> str | None:
    """The member's part of a ``ver`` value (``Kafe:A-2026-0060``), or None."""
    mine = [part for part in str(value).split() if part.split(":", 1)[0] == code]
    return " ".join(mine) or None


def _fields(entry: data.Custom) -> list[object]:
    values: list[object] = [v.value for v in entry.values[:1]]
    values += [v for k, v in (entry.meta or {}).items() if k not in ("filename", "lineno")]
    return values


def member_loans(entries: Iterable[data.Directive], code: str) -> set[str]:
    """The ids of the loans the entity borrows or lends."""
    return {str(e.values[0].value) for e in entries
            if isinstance(e, data.Custom) and e.type == "coop-loan" and e.values
            and code in (e.meta.get("borrower"), e.meta.get("lender"))}


def _keep_custom(entry: data.Custom, code: str, loans: set[str]) -> bool:
    if entry.type in (CLOSE_MARK, MEMBER_MARK, PEOPLE_MARK):
        return False  # only the projection itself writes these
    if not entry.type.startswith("coop-"):  # another member's budget is its own business
        return entry.type != BUDGET or (bool(entry.values)
                                        and entity_of(str(entry.values[0].value)) == code)
    if entry.type in OWNED_BY_FIELD:
        return (entry.meta or {}).get("entity") == code
    ident = str(entry.values[0].value) if entry.values else None
    if entry.type in OWNED_BY_ID or entry.type in LOAN_DECLARATIONS:
        return ident == code if entry.type in OWNED_BY_ID else ident in loans
    if entry.type in MEMBER_DECLARATIONS:
        fields = _fields(entry)
        return code in fields or (entry.type != "coop-entity" and EVERY_MEMBER in fields)
    return False


def _shared_meta(meta: data.Meta, code: str) -> data.Meta:
    kept = {k: v for k, v in meta.items() if k in SHARED_META}
    vouchers = own_vouchers(meta[VOUCHER_KEY], code) if VOUCHER_KEY in meta else None
    if vouchers:
        kept[VOUCHER_KEY] = vouchers
    return kept


def _transaction(entry: data.Transaction, code: str) -> data.Transaction | None:
    own = [p for p in entry.postings if entity_of(p.account) == code]
    if not own:
        return None
    meta = entry.meta or {}
    if len(own) == len(entry.postings):
        if VOUCHER_KEY not in meta:
            return entry
        kept = {k: v for k, v in meta.items() if k != VOUCHER_KEY}
        vouchers = own_vouchers(meta[VOUCHER_KEY], code)
        if vouchers:
            kept[VOUCHER_KEY] = vouchers
        return entry._replace(meta=kept)
    return entry._replace(meta=_shared_meta(meta, code), postings=own)


def _open(entry: data.Open, names: dict[str, str]) -> data.Open:
    other = clearing_counterparty(entry.account)
    if other is None or other not in names:
        return entry
    return entry._replace(meta={**(entry.meta or {}), "counterparty": names[other]})


def close_marks(states: Iterable[tuple[str, str]]) -> list[data.Custom]:
    """One ``coopledger-close`` directive per month: ``(YYYY-MM, state)`` pairs."""
    marks = []
    for month, state in states:
        first = datetime.date(int(month[:4]), int(month[5:7]), 1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        meta = data.new_metadata("<coopledger-close>", 0)
        marks.append(data.Custom(meta, last, CLOSE_MARK, [
            ValueType(month, str), ValueType(state, str)]))
    return marks


def read_close_marks(entries: Iterable[data.Directive]) -> dict[str, str]:
    """Month (``YYYY-MM``) to close state, from a member's books' close marks."""
    return {str(e.values[0].value): str(e.values[1].value) for e in entries
            if isinstance(e, data.Custom) and e.type == CLOSE_MARK and len(e.values) == 2}


def member_of(entries: Iterable[data.Directive]) -> str | None:
    """The entity whose projection the entries are (its ``coopledger-member`` mark), or
    None for the group's books."""
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == MEMBER_MARK and entry.values:
            return str(entry.values[0].value)
    return None


def member_code(books: Books) -> str | None:
    """:func:`member_of` the loaded books, remembered with them: finding that there is no
    member's mark reads every entry, and the pages ask at each request."""
    return books.remember(("member.member_of",), lambda: member_of(books.entries))


def declared_entities(entries: Iterable[data.Directive]) -> dict[str, str]:
    """Entity code to name, from the ``coop-entity`` declarations."""
    return {str(e.values[0].value): str(e.meta.get("name", e.values[0].value))
            for e in entries
            if isinstance(e, data.Custom) and e.type == "coop-entity" and e.values}


def member_entries(entries: Sequence[data.Directive], code: str,
                   states: Iterable[tuple[str, str]] = (),
                   people: Iterable[data.Custom] = ()) -> list[data.Directive]:
    """Project the group's loaded entries onto one entity (see the module's manual).

    Args:
        entries: The group's entries, every plugin run.
        code: The entity's code.
        states: ``(YYYY-MM, state)`` of each month's close, from the group's books.
        people: The entity's ``coopledger-people`` directives, from the group's books
            (:func:`coopledger.people.people_marks`); any other is left out.

    Returns:
        The member's entries, sorted as Beancount sorts them.
    """
    names = declared_entities(entries)
    loans = member_loans(entries, code)
    kept: list[data.Directive] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            own = _transaction(entry, code)
            if own is not None:
                kept.append(own)
        elif isinstance(entry, data.Open):
            if entity_of(entry.account) == code:
                kept.append(_open(entry, names))
        elif isinstance(entry, _ACCOUNT_DIRECTIVES):
            if entity_of(entry.account) == code:
                kept.append(entry)
        elif isinstance(entry, data.Custom):
            if _keep_custom(entry, code, loans):
                kept.append(entry)
        elif isinstance(entry, data.Commodity | data.Price):
            kept.append(entry)
    # Events and queries are left out: free text and queries over every entity.
    kept.extend(close_marks(states))
    kept.extend(mark for mark in people if mark.type == PEOPLE_MARK
                and [v.value for v in mark.values[1:]] == [code])
    start = min((e.date for e in kept), default=datetime.date(1970, 1, 1))
    kept.append(data.Custom(data.new_metadata("<coopledger-member>", 0), start, MEMBER_MARK,
                            [ValueType(code, str)]))
    kept.sort(key=data.entry_sortkey)
    return kept


def _touches(entry: Any, code: str) -> bool:
    if isinstance(entry, data.Transaction):
        return any(entity_of(p.account) == code for p in entry.postings)
    account = getattr(entry, "account", None)
    return account is not None and entity_of(account) == code


def member_errors(errors: Sequence[Any], code: str) -> list[Any]:
    """The load's errors about the member's own entries, plus one line counting the rest.

    An error without an entry, or about another entity's entry, may quote another
    member's figures or file, so only its count is shown.
    """
    kept = [e for e in errors if _touches(getattr(e, "entry", None), code)]
    hidden = len(errors) - len(kept)
    if hidden:
        kept.append(MemberViewError(
            data.new_metadata("<coopledger-member>", 0),
            f"{hidden} fel i gruppens övriga böcker visas inte här / {hidden} error(s) "
            "elsewhere in the group's books are not shown here", None))
    return kept


__all__ = ["CLOSE_MARK", "MEMBER_MARK", "PEOPLE_MARK", "SHARED_META", "MemberViewError",
           "close_marks", "declared_entities", "member_entries", "member_errors", "member_loans",
           "member_of", "own_vouchers", "read_close_marks"]
