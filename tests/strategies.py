"""Hypothesis strategies: entities, balanced multi-entity transactions, ledger text.

Money is drawn as integer öre and scaled by -2, so every amount is exact. A transaction's
last posting is the negated sum of the others, so it balances as a whole but, when its
postings belong to several entities, not inside each: the entities plugin has to complete
it with clearing postings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st

ENTITY_CODES = ("Paraply", "Kafe", "Stad", "Fonden")
KINDS = {"Paraply": "umbrella", "Kafe": "member", "Stad": "member", "Fonden": "fund"}
ACCOUNTS = ("Assets:{}:1930-Företagskonto", "Expenses:{}:4010-Inköp",
            "Income:{}:3001-Försäljning", "Liabilities:{}:2440-Leverantörsskulder")
START = datetime.date(2025, 1, 1)


def header(codes: tuple[str, ...] = ENTITY_CODES) -> str:
    """Declarations and opens for the given entities."""
    lines = ['option "operating_currency" "SEK"', 'plugin "coopledger.plugins.entities"']
    for code in codes:
        lines += [f'{START} custom "coop-entity" "{code}"', f'  name: "{code} ek. för."',
                  f'  kind: "{KINDS[code]}"']
        lines += [f"{START} open {template.format(code)} SEK" for template in ACCOUNTS]
    return "\n".join(lines) + "\n"


ore = st.integers(min_value=-5_000_000, max_value=5_000_000).filter(lambda n: n != 0)
accounts = st.sampled_from([t.format(c) for c in ENTITY_CODES for t in ACCOUNTS])


@st.composite
def balanced_transaction(draw: st.DrawFn) -> tuple[int, list[tuple[str, Decimal]]]:
    """A day offset and postings that sum to zero (the last is the negated sum)."""
    postings = draw(st.lists(st.tuples(accounts, ore), min_size=1, max_size=5))
    amounts = [(account, Decimal(n).scaleb(-2)) for account, n in postings]
    total = sum((amount for _, amount in amounts), Decimal(0))
    last = draw(accounts)
    if total == 0:
        total = Decimal("1.00")
        amounts.append((draw(accounts), Decimal("-1.00")))
    amounts.append((last, -total))
    return draw(st.integers(min_value=0, max_value=400)), amounts


def transaction_text(offset: int, postings: list[tuple[str, Decimal]], n: int) -> str:
    """One transaction as ledger text."""
    date = START + datetime.timedelta(days=offset)
    lines = [f'{date} * "Motpart {n}" "Transaktion {n}"']
    lines += [f"  {account}  {amount} SEK" for account, amount in postings]
    return "\n".join(lines) + "\n"


ledgers = st.lists(balanced_transaction(), min_size=1, max_size=12).map(
    lambda txns: header() + "".join(transaction_text(o, p, i) for i, (o, p) in enumerate(txns)))
