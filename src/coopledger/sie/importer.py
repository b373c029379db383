"""A member's old books from another program (SIE 4) as Beancount text for one entity.

Accounts are opened as ``<Root>:<Entity>:<BAS>-<Name>`` with ``bas`` metadata, the name
from ``#KONTO`` (spaces and punctuation become hyphens: Beancount account components hold
letters, digits and hyphens only). The root comes from ``#KTYP`` (T Assets, S Liabilities
or, for 20xx, Equity, I Income, K Expenses) or else from the BAS class. ``#IB`` becomes one
opening transaction on the first day of the fiscal year; each voucher becomes one
transaction with its series and number kept (``sie-series``/``sie-number``, and ``ver``
when they fit coopledger's voucher ids), its rows' objects in ``sie-objects`` posting
metadata. Rows removed in the old program (``#BTRANS``) are not booked; added rows
(``#RTRANS``) are.

Finally the closing balances of what was written are compared with the file's ``#UB`` and
``#RES``; every difference is reported. A file with errors (an unbalanced voucher, a bad
account or date) is refused: nothing half-imported is ever written.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from coopledger.entities import CODE_PATTERN, validate_orgnr
from coopledger.errors import CoopException
from coopledger.sie.consistency import is_balance_account
from coopledger.sie.records import SieFile

ZERO = Decimal(0)
RETAINED = "2091"
_SERIES = re.compile(r"^[A-Z][A-Z0-9]*$")
_NUMBER = re.compile(r"^\d{1,7}$")


@dataclass(frozen=True)
class Imported:
    """The Beancount text of an import and what the user should know about it.

    Attributes:
        text: The ledger text (accounts, opening balances, one transaction per voucher).
        warnings: Notes (skipped empty vouchers, removed rows, opening difference).
        differences: Accounts whose imported closing balance differs from ``#UB``/``#RES``.
    """

    text: str
    warnings: tuple[str, ...]
    differences: tuple[str, ...]


#: ``#KTYP`` to root; S is Equity for BAS 20xx.
_KTYP_ROOT = {"T": "Assets", "S": "Liabilities", "I": "Income", "K": "Expenses"}
#: BAS number prefix to root when ``#KTYP`` is absent (longest prefix first).
_CLASS_ROOT = (("20", "Equity"), ("80", "Income"), ("81", "Income"), ("82", "Income"),
               ("83", "Income"), ("1", "Assets"), ("2", "Liabilities"), ("3", "Income"))


def root_of(sie: SieFile, number: str) -> str:
    """The Beancount root for an account number (``#KTYP`` first, then the BAS class)."""
    account = sie.accounts.get(number)
    root = _KTYP_ROOT.get(account.kind if account is not None else "")
    if root == "Liabilities" and number.startswith("20"):
        return "Equity"
    if root is not None:
        return root
    return next((r for prefix, r in _CLASS_ROOT if number.startswith(prefix)), "Expenses")


def account_component(number: str, name: str) -> str:
    """``1930-Företagskonto``: the BAS number and the name, hyphenated.

    Letters (Latin, å, ä, ö, é ...) and digits stay; everything else becomes a hyphen, and
    runs of hyphens collapse, so the component is valid in Beancount.
    """
    chars = [c if (c.isalpha() and ord(c) < 0x250) or (c.isdigit() and c.isascii()) else "-"
             for c in name]
    cleaned = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    return f"{number}-{cleaned}" if cleaned else number


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def import_sie(sie: SieFile, code: str, *, currency: str = "SEK", declare: bool = False,
               existing: Mapping[str, str] | None = None) -> Imported:
    """Turn a SIE file into Beancount text for one entity.

    Args:
        sie: The file as read (it must have no errors).
        code: The entity code whose account tree receives the books.
        currency: The currency of the amounts.
        declare: Also write the entity's ``coop-entity`` declaration (as a member, from
            ``#FNAMN``, ``#ORGNR`` and the fiscal year's first month).
        existing: BAS number to the account the entity already has for it (from its
            ``open`` directives); those accounts are used and not opened again.

    Returns:
        The text, warnings, and differences against ``#UB``/``#RES``.

    Raises:
        CoopException: The file has errors, the code is not an entity code, or the file
            has neither a fiscal year nor vouchers to date the books by.
    """
    if not CODE_PATTERN.match(code):
        raise CoopException(f"entity code {code!r} must be a capital letter, then ASCII "
                            "letters and digits")
    if sie.errors:
        shown = "; ".join(str(p) for p in sie.errors[:3])
        more = f" (and {len(sie.errors) - 3} more)" if len(sie.errors) > 3 else ""
        raise CoopException(f"the SIE file has {len(sie.errors)} error(s), nothing imported: "
                            f"{shown}{more}")
    year = sie.years.get(0)
    dates = [v.date for v in sie.vouchers]
    if year is None and not dates:
        raise CoopException("the SIE file has no #RAR 0 and no vouchers: no date to start "
                            "the books on")
    start = year[0] if year is not None else min(dates)
    first_day = min([start, *dates])
    opening = {a: v for a, v in sie.balances_of("IB", 0).items()
               if v and is_balance_account(sie, a)}
    used = set(opening) | {r.account for v in sie.vouchers for r in v.rows}
    warnings: list[str] = []
    off = sum(opening.values(), ZERO)
    if off:
        warnings.append(f"the opening balances (#IB) sum to {off}, not zero; the difference "
                        f"is booked on {RETAINED}")
        opening[RETAINED] = opening.get(RETAINED, ZERO) - off
        used.add(RETAINED)
    names = {n: root_of(sie, n) + f":{code}:" + account_component(
        n, sie.accounts[n].name if n in sie.accounts else "") for n in sorted(used)}
    if RETAINED in names and RETAINED not in sie.accounts:
        names[RETAINED] = f"Equity:{code}:{RETAINED}-Balanserad-vinst-eller-förlust"
    known = dict(existing or {})
    names.update({n: known[n] for n in names if n in known})

    out: list[str] = []
    if declare:
        out.extend(_declaration(sie, code, first_day, warnings))
    for number, account in names.items():
        if number in known:
            continue
        out.append(f"{first_day} open {account} {currency}\n  bas: \"{number}\"")
    out.append("")
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    if opening:
        lines = [f'{start} * "Ingående balans"', '  sie-source: "IB"']
        for number, amount in sorted(opening.items()):
            lines.append(f"  {names[number]}  {amount} {currency}")
            totals[number] += amount
        out.append("\n".join(lines) + "\n")
    out.extend(_vouchers(sie, code, names, currency=currency, start=start, totals=totals,
                         warnings=warnings))
    differences = _differences(sie, totals)
    return Imported("\n".join(out).rstrip("\n") + "\n", tuple(warnings), tuple(differences))


def _declaration(sie: SieFile, code: str, day: datetime.date,
                 warnings: list[str]) -> list[str]:
    lines = [f'{day} custom "coop-entity" "{code}"',
             f"  name: {_string(sie.first('FNAMN') or code)}", '  kind: "member"']
    orgnr = sie.first("ORGNR")
    if orgnr:
        try:
            lines.append(f'  orgnr: "{validate_orgnr(orgnr)}"')
        except ValueError as exc:
            warnings.append(f"#ORGNR left out of the declaration: {exc}")
    year = sie.years.get(0)
    if year is not None and year[0].month != 1:
        lines.append(f"  fiscal-year-start: {year[0].month}")
    return ["\n".join(lines), ""]


def _vouchers(sie: SieFile, code: str, names: dict[str, str], *, currency: str,
              start: datetime.date, totals: defaultdict[str, Decimal],
              warnings: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    removed = empty = 0
    year = sie.years.get(0)
    for voucher in sie.vouchers:
        removed += len(voucher.removed)
        if not voucher.rows:
            empty += 1
            continue
        lines = [f"{voucher.date} * {_string(voucher.text)}"]
        key = (voucher.series, voucher.number)
        if (_SERIES.match(voucher.series) and _NUMBER.match(voucher.number)
                and key not in seen):
            fy = year[0].year if year is not None else start.year
            lines.append(f'  ver: "{code}:{voucher.series}-{fy}-{int(voucher.number):04d}"')
        seen.add(key)
        lines.append(f"  sie-series: {_string(voucher.series)}")
        lines.append(f"  sie-number: {_string(voucher.number)}")
        for row in voucher.rows:
            lines.append(f"  {names[row.account]}  {row.amount} {currency}")
            totals[row.account] += row.amount
            if row.objects:
                refs = " ".join(f"{dim}:{obj}" for dim, obj in row.objects)
                lines.append(f"    sie-objects: {_string(refs)}")
            if row.text and row.text != voucher.text:
                lines.append(f"    sie-text: {_string(row.text)}")
        out.append("\n".join(lines) + "\n")
    if removed:
        warnings.append(f"{removed} row(s) removed in the old program (#BTRANS) are not "
                        "booked")
    if empty:
        warnings.append(f"{empty} voucher(s) without rows are skipped")
    return out


def _differences(sie: SieFile, totals: dict[str, Decimal]) -> list[str]:
    declared = {**sie.balances_of("RES", 0), **sie.balances_of("UB", 0)}
    if not declared:
        return []
    problems = []
    for number in sorted(set(declared) | set(totals)):
        want = declared.get(number, ZERO)
        have = totals.get(number, ZERO)
        if want != have:
            kind = "#UB" if is_balance_account(sie, number) else "#RES"
            problems.append(f"account {number}: the file's {kind} is {want}, the imported "
                            f"books give {have} (difference {want - have})")
    return problems
