"""Per-entity balance and the clearing completion of cross-entity transactions.

A transaction must balance inside every entity it touches, per currency. When the umbrella
pays a member's invoice, the user writes the natural entry::

    2026-10-05 * "Grossisten AB" "Kaffebönor till Kafé Linnéa"
      Expenses:Kafe:4010-Inköp-varor          800.00 SEK
      Liabilities:Paraply:2440-Leverantörsskulder

and the books complete it with clearing postings between the two entities' clearing
accounts, so that each entity balances on its own::

      Assets:Kafe:1660-Avräkning-Paraply      -800.00 SEK   ; Kafe owes Paraply
      Assets:Paraply:1660-Avräkning-Kafe       800.00 SEK   ; Paraply is owed by Kafe

One clearing account per pair and side, ``Assets:<A>:1660-Avräkning-<B>`` (BAS 1660,
intra-group), holds A's net position against B; it is positive when B owes A. The
completion is deterministic: entities that are owed are paired with entities that owe in
code order, greedily, so a transaction touching several entities gets the fewest pairs.
Clearing accounts are opened automatically, on the first day they are used, unless the
ledger opens them itself.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from beancount.core import convert, data, interpolate
from beancount.core.amount import Amount

from coopledger.entities import entity_of

CLEARING_BAS = "1660"
CLEARING_PREFIX = "1660-Avräkning-"
GENERATED_BY = "coopledger.clearing"
#: The tolerance of a currency that the transaction's amounts say nothing about.
DEFAULT_TOLERANCE = Decimal("0.005")

_tuple_new = tuple.__new__


@functools.lru_cache(maxsize=4096)
def clearing_account(owner: str, counterparty: str) -> str:
    """The account in ``owner``'s books that holds its position against ``counterparty``."""
    return f"Assets:{owner}:{CLEARING_PREFIX}{counterparty}"


def clearing_counterparty(account: str) -> str | None:
    """The counterparty of a clearing account, or None if it is not one."""
    parts = account.split(":")
    if len(parts) == 3 and parts[0] == "Assets" and parts[2].startswith(CLEARING_PREFIX):
        return parts[2].removeprefix(CLEARING_PREFIX)
    return None


#: What the residuals' lookup gets for an account the ledger does not open (no entity
#: code can be this string, so it is told apart from every code and from None).
_UNKNOWN = "\0 not opened"
_ZERO = Decimal(0)


def _residuals(
    entry: data.Transaction, entity_by_account: Mapping[str, str | None],
) -> tuple[dict[tuple[str, str], Decimal], bool]:
    # The residuals, and whether every posting was plain units (no cost, no price).
    sums: dict[tuple[str, str], Decimal] = {}
    plain = True
    entity_for = entity_by_account.get
    for posting in entry.postings:
        units = posting.units
        if units is None:
            continue
        if posting.cost is None and posting.price is None:
            number, currency = units.number, units.currency
        else:
            plain = False
            weight: Amount = convert.get_weight(posting)  # type: ignore[no-untyped-call]
            number, currency = weight.number, weight.currency
        if number is None:
            continue
        code = entity_for(posting.account, _UNKNOWN)
        if code is _UNKNOWN:  # not opened: Beancount reports that; still attribute it
            code = entity_of(posting.account)
        key = (code or "", currency)
        sums[key] = sums.get(key, _ZERO) + number
    return sums, plain


def settle(residuals: Mapping[str, Decimal]) -> list[tuple[str, str, Decimal]]:
    """Pair entities that are owed with entities that owe, deterministically.

    Args:
        residuals: Entity code to the sum of its postings in one currency; the values sum
            to zero. A positive residual means the entity received value (a debit) that
            another entity paid for.

    Returns:
        ``(debtor, creditor, amount)`` triples with positive amounts: the debtor owes the
        creditor ``amount``.
    """
    if len(residuals) == 2:  # the common case: one entity paid for another
        (first, owed), (second, due) = residuals.items()
        if owed == -due and owed:
            return [(first, second, owed)] if owed > 0 else [(second, first, due)]
    debtors = sorted((code, r) for code, r in residuals.items() if r > 0)
    creditors = sorted((code, -r) for code, r in residuals.items() if r < 0)
    pairs: list[tuple[str, str, Decimal]] = []
    i = j = 0
    while i < len(debtors) and j < len(creditors):
        debtor, owed = debtors[i]
        creditor, due = creditors[j]
        amount = min(owed, due)
        pairs.append((debtor, creditor, amount))
        debtors[i] = (debtor, owed - amount)
        creditors[j] = (creditor, due - amount)
        if debtors[i][1] == 0:
            i += 1
        if creditors[j][1] == 0:
            j += 1
    return pairs


def tolerance_bound(options_map: Mapping[str, Any]) -> Decimal:
    """An upper bound of every tolerance Beancount can infer for a transaction.

    For postings without cost or price Beancount infers, per currency, the multiplier
    times the unit of the last digit of the amounts written with decimals (so at most
    a tenth times the multiplier), or takes the declared default. A residual above this
    bound is above the transaction's tolerance whatever its amounts look like.

    Args:
        options_map: The ledger's options.

    Returns:
        The bound (at least the default tolerance, 0.005).
    """
    multiplier = max(Decimal(str(options_map.get(key) or "0.5"))
                     for key in ("tolerance_multiplier", "inferred_tolerance_multiplier"))
    defaults = options_map.get("inferred_tolerance_default") or {}
    return max([DEFAULT_TOLERANCE, multiplier / 10, *map(Decimal, defaults.values())])


def _clearly_unbalanced(residuals: Mapping[tuple[str, str], Decimal], bound: Decimal) -> bool:
    """Whether every entity residual is zero or above any tolerance, and they sum to zero.

    Then the tolerances are not needed: zeros are dropped, the rest are all kept. (Only
    for transactions without cost or price, whose tolerances can exceed the bound.)
    """
    totals: dict[str, Decimal] = {}
    for (_, currency), amount in residuals.items():
        if amount and abs(amount) <= bound:
            return False
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return not any(totals.values())


def complete_transaction(
    entry: data.Transaction,
    entity_by_account: Mapping[str, str | None],
    options_map: Mapping[str, object],
    *,
    tolerance_bound: Decimal | None = None,
) -> tuple[data.Transaction, list[str]]:
    """Add clearing postings so that a transaction balances inside every entity.

    Args:
        entry: A transaction that balances as a whole.
        entity_by_account: Account to entity code (None for undeclared).
        options_map: The ledger's options, for the balance tolerance.
        tolerance_bound: :func:`tolerance_bound` of the options, computed once per load:
            lets the common case skip inferring the transaction's tolerances (same
            result, less work).

    Returns:
        The transaction (unchanged when nothing was needed, else a new one with the
        clearing postings appended) and messages for what could not be completed.
    """
    residuals, plain = _residuals(entry, entity_by_account)
    if plain and tolerance_bound is not None and len(residuals) == 2:
        paired = _pair_of_two(entry, residuals, tolerance_bound)
        if paired is not None:
            return paired, []
    default_tolerance = DEFAULT_TOLERANCE
    tolerances: dict[str, Decimal]
    if plain and tolerance_bound is not None and _clearly_unbalanced(residuals,
                                                                     tolerance_bound):
        tolerances = {}  # every tolerance Beancount could infer is below every residual
    else:
        tolerances = interpolate.infer_tolerances(  # type: ignore[no-untyped-call]
            entry.postings, options_map)
    by_currency: dict[str, dict[str, Decimal]] = {}
    for (code, currency), amount in residuals.items():
        if abs(amount) > tolerances.get(currency, default_tolerance):
            by_currency.setdefault(currency, {})[code] = amount
    if not by_currency:
        return entry, []
    problems: list[str] = []
    new_postings = list(entry.postings)
    for currency, per_entity in sorted(by_currency.items()):
        total = sum(per_entity.values(), Decimal(0))
        if abs(total) > tolerances.get(currency, default_tolerance) or len(per_entity) < 2:
            listing = ", ".join(f"{code} {amount} {currency}"
                                for code, amount in sorted(per_entity.items()))
            problems.append(f"transaction does not balance inside its entities and cannot be "
                            f"cleared: {listing}")
            continue
        if "" in per_entity:
            strays = sorted({p.account for p in entry.postings
                             if not entity_by_account.get(p.account, entity_of(p.account))})
            balanced = ", ".join(f"{code} {amount} {currency}"
                                 for code, amount in sorted(per_entity.items()) if code)
            problems.append(f"cannot clear {balanced}: {per_entity[''].copy_abs()} {currency} "
                            f"goes to {', '.join(strays)}, which belongs to no declared entity")
            continue
        filename, lineno = entry.meta.get("filename"), entry.meta.get("lineno")
        for debtor, creditor, amount in settle(per_entity):
            new_postings += _clearing_pair(debtor, creditor, amount, currency,
                                           entry.postings, filename, lineno)
    if len(new_postings) == len(entry.postings):
        return entry, problems
    return _with_postings(entry, new_postings), problems


def _pair_of_two(
    entry: data.Transaction, residuals: Mapping[tuple[str, str], Decimal], bound: Decimal,
) -> data.Transaction | None:
    # The common case, one entity paying for another in one currency, done directly;
    # gives exactly what the general path gives, or None to take the general path.
    ((first, currency), owed), ((second, other), due) = residuals.items()
    if currency != other or owed != -due or abs(owed) <= bound or not first or not second:
        return None
    debtor, creditor, amount = (first, second, owed) if owed > 0 else (second, first, due)
    meta = entry.meta
    postings = entry.postings
    return _with_postings(entry, [
        *postings, *_clearing_pair(debtor, creditor, amount, currency, postings,
                                   meta.get("filename"), meta.get("lineno"))])


def _clearing_pair(
    debtor: str, creditor: str, amount: Decimal, currency: str,
    postings: Sequence[data.Posting], filename: object, lineno: object,
) -> tuple[data.Posting, data.Posting]:
    """The two clearing postings for ``debtor`` owing ``creditor`` ``amount``.

    Built directly (``tuple.__new__``): the named tuple's own constructor is a Python
    function that builds the same tuple, and this runs for every cross-entity
    transaction of every load.
    """
    return (
        _tuple_new(data.Posting, (
            clearing_account(debtor, creditor), _units(-amount, currency, postings),
            None, None, None,
            {"filename": filename, "lineno": lineno, "generated-by": GENERATED_BY})),
        _tuple_new(data.Posting, (
            clearing_account(creditor, debtor), _units(amount, currency, postings),
            None, None, None,
            {"filename": filename, "lineno": lineno, "generated-by": GENERATED_BY})),
    )


def _units(number: Decimal, currency: str, postings: Sequence[data.Posting]) -> Amount:
    """The units of a clearing posting: a posting's own units when they are exactly these.

    A clearing leg usually carries the amount of one of the transaction's postings (the
    umbrella's -800.00 SEK, the member's 800.00 SEK). Sharing that immutable object,
    when number (to the last written digit), sign and currency are the same, builds
    nothing new for the collector to track and scan; otherwise a new ``Amount`` is made
    (directly: Beancount's constructor only checks the types these already have).
    """
    for posting in postings:
        units = posting.units
        if (units is not None and units.currency == currency and units.number == number
                and not units.number.compare_total(number)):
            return units
    amount: Amount = _tuple_new(Amount, (number, currency))
    return amount


def _with_postings(entry: data.Transaction, postings: list[data.Posting]) -> data.Transaction:
    """The transaction with these postings (``entry._replace(postings=...)``, faster)."""
    meta, date, flag, payee, narration, tags, links, _ = entry
    completed: data.Transaction = _tuple_new(
        data.Transaction, (meta, date, flag, payee, narration, tags, links, postings))
    return completed


def clearing_opens(
    first_use: Mapping[str, datetime.date], opened: Iterable[str],
) -> list[data.Open]:
    """``open`` directives for clearing accounts used but not opened by the ledger."""
    already = set(opened)
    opens = []
    for account, date in sorted(first_use.items()):
        if account in already:
            continue
        meta = data.new_metadata(f"<{GENERATED_BY}>", 0,
                                 {"bas": CLEARING_BAS, "intragroup": True,
                                  "counterparty": clearing_counterparty(account)})
        opens.append(data.Open(meta, date, account, [], None))
    return opens
