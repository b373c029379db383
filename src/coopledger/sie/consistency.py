"""Does a SIE 4E file add up? Opening balances plus vouchers against closing balances.

For the current year (``#RAR 0``), every balance-sheet account's ``#IB`` plus its voucher
rows must equal its ``#UB``, and every result account's rows must sum to its ``#RES``.
An account is a balance-sheet account when ``#KTYP`` says T or S, or, without ``#KTYP``,
when its number starts with 1 or 2 (BAS classes 1 and 2).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from coopledger.sie.records import Problem, Severity, SieFile

ZERO = Decimal(0)


def is_balance_account(sie: SieFile, number: str) -> bool:
    """Whether an account belongs to the balance sheet (else to the income statement)."""
    account = sie.accounts.get(number)
    if account is not None and account.kind in ("T", "S", "K", "I"):
        return account.kind in ("T", "S")
    return number[:1] in ("1", "2")


def voucher_movements(sie: SieFile, year: int = 0) -> dict[str, Decimal]:
    """Account to the sum of the counted voucher rows dated in a relative year.

    Args:
        sie: The file.
        year: The relative year; its ``#RAR`` dates select the vouchers (all vouchers when
            the file has no ``#RAR`` for it).

    Returns:
        Account number to movement.
    """
    bounds = sie.years.get(year)
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for voucher in sie.vouchers:
        if bounds is not None and not bounds[0] <= voucher.date <= bounds[1]:
            continue
        for row in voucher.rows:
            totals[row.account] += row.amount
    return dict(totals)


def closing_balances(sie: SieFile, year: int = 0) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Closing balances recomputed from ``#IB`` and the vouchers.

    Returns:
        (balance-sheet account to closing balance, result account to result), with
        accounts of zero dropped.
    """
    movements = voucher_movements(sie, year)
    opening = sie.balances_of("IB", year)
    closing: dict[str, Decimal] = {}
    results: dict[str, Decimal] = {}
    for number in set(movements) | set(opening):
        if is_balance_account(sie, number):
            closing[number] = opening.get(number, ZERO) + movements.get(number, ZERO)
        else:
            results[number] = movements.get(number, ZERO)
    return ({k: v for k, v in closing.items() if v},
            {k: v for k, v in results.items() if v})


def balance_differences(sie: SieFile, year: int = 0) -> list[Problem]:
    """Where ``#IB`` plus the vouchers do not give the file's ``#UB`` and ``#RES``.

    Args:
        sie: The file (a 4E file; a file without ``#UB``/``#RES`` has nothing to check).
        year: The relative year to check.

    Returns:
        One error per account that differs, at the line of its ``#UB``/``#RES``.
    """
    declared_ub = sie.balances_of("UB", year)
    declared_res = sie.balances_of("RES", year)
    if not declared_ub and not declared_res:
        return []
    closing, results = closing_balances(sie, year)
    lines = {(b.kind, b.account): b.line for b in sie.balances if b.year == year}
    problems = []
    for kind, declared, computed in (("UB", declared_ub, closing),
                                     ("RES", declared_res, results)):
        for number in sorted(set(declared) | set(computed)):
            want = declared.get(number, ZERO)
            have = computed.get(number, ZERO)
            if want != have:
                source = "#IB + vouchers" if kind == "UB" else "the vouchers"
                problems.append(Problem(
                    Severity.ERROR, lines.get((kind, number), 0),
                    f"account {number}: #{kind} {year} is {want} but {source} give {have} "
                    f"(difference {want - have})"))
    return problems
