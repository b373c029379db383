"""coopledger's pad and balance plugins give Beancount's answers, and its plugin loop too.

:mod:`coopledger.transformations` answers Beancount's ``pad`` and ``balance`` plugins
faster. These properties hold them to Beancount's own on random ledgers: an account tree
with siblings whose names sort differently by name and by component (``A:B``, ``A-B``,
``AB``), assertions on parents and leaves, on accounts never opened and in currencies an
account does not allow, with and without a tolerance, lots at cost, ``pad`` directives,
and numbers of up to 30 digits (past Decimal's 28, where the order of a sum shows).
"""

from __future__ import annotations

import datetime
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.interpolate import BalanceError
from beancount.core.position import Cost
from beancount.ops import balance, pad
from beancount.parser import booking, parser
from hypothesis import event, given
from hypothesis import strategies as st

from coopledger import transformations

OPTIONS: dict[str, Any] = loader.load_string("")[2]
START = datetime.date(2026, 1, 1)

ACCOUNTS = ["Assets:A", "Assets:A:B", "Assets:A:B:C", "Assets:A-B", "Assets:AB",
            "Assets:A:Z", "Assets:B", "Equity:Open", "Income:Sales", "Income:Sales:Kiosk"]
#: Asserted, padded or opened: the tree's accounts and one parent never posted to.
NAMED = [*ACCOUNTS, "Assets", "Income"]

small = st.integers(-3, 3).map(Decimal)
large = st.builds(lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
                  st.integers(-10**30, 10**30), st.integers(-6, 2))
currencies = st.sampled_from(["SEK", "EUR"])


def meta(line: int) -> dict[str, Any]:
    return data.new_metadata("<test>", line)


@st.composite
def ledgers(draw: st.DrawFn) -> list[data.Directive]:
    """Opens, transactions, assertions and pads on a few days, sorted as a load sorts."""
    numbers = draw(st.sampled_from([small, large]))
    entries: list[data.Directive] = []
    for line, name in enumerate(draw(st.lists(st.sampled_from(NAMED), unique=True))):
        allowed = draw(st.sampled_from([None, ["SEK"], ["SEK", "EUR"]]))
        entries.append(data.Open(meta(line), START, name, allowed, None))  # type: ignore[arg-type]
    for line in range(100, 100 + draw(st.integers(0, 25))):
        day = START + datetime.timedelta(days=draw(st.integers(1, 4)))
        kind = draw(st.sampled_from(["transaction", "transaction", "transaction",
                                     "balance", "balance", "pad"]))
        if kind == "transaction":
            units = Amount(draw(numbers), draw(currencies))
            cost = (Cost(Decimal(draw(st.integers(1, 9))), "SEK", START, None)
                    if draw(st.integers(0, 4)) == 0 else None)
            postings = [data.Posting(draw(st.sampled_from(ACCOUNTS)), units, cost, None,
                                     None, {}),
                        data.Posting(draw(st.sampled_from(ACCOUNTS)), -units, cost, None,
                                     None, {})]
            entries.append(data.Transaction(meta(line), day, "*", None, f"t{line}",
                                            data.EMPTY_SET, data.EMPTY_SET, postings))
        elif kind == "balance":
            tolerance = draw(st.sampled_from([None, None, Decimal("0.5")]))
            expected = Amount(draw(numbers), draw(currencies))
            entries.append(data.Balance(meta(line), day, draw(st.sampled_from(NAMED)),
                                        expected, tolerance, None))
        else:
            entries.append(data.Pad(meta(line), day, draw(st.sampled_from(ACCOUNTS)),
                                    "Equity:Open"))
    entries.sort(key=data.entry_sortkey)
    return entries


def beancounts(entries: list[data.Directive]) -> tuple[list[Any], list[Any]]:
    """Beancount's pad, its sort and its balance check, as its loader runs them."""
    padded, pad_errors = pad.pad(list(entries), OPTIONS)  # type: ignore[no-untyped-call]
    padded.sort(key=data.entry_sortkey)
    checked, errors = balance.check(padded, OPTIONS)  # type: ignore[no-untyped-call]
    return checked, pad_errors + errors


def coopledgers(entries: list[data.Directive]) -> tuple[list[Any], list[Any]]:
    padded, pad_errors = transformations.pad(list(entries), OPTIONS)
    padded.sort(key=data.entry_sortkey)
    checked, errors = transformations.check_balances(padded, OPTIONS)
    return checked, pad_errors + errors


@given(ledgers())
def test_pad_and_the_balance_check_give_beancounts_answers(
        entries: list[data.Directive]) -> None:
    expected = beancounts(entries)
    got = coopledgers(entries)
    event("an assertion fails" if any(isinstance(error, BalanceError)
                                      for error in expected[1]) else "none fails")
    event("padded" if any(isinstance(entry, data.Pad) for entry in entries) else "no pad")
    assert got[0] == expected[0]
    assert [entry.meta for entry in got[0]] == [entry.meta for entry in expected[0]]
    assert got[1] == expected[1]
    assert [error.message for error in got[1]] == [error.message for error in expected[1]]


def test_a_parent_sums_its_subtree_in_beancounts_order_past_decimals_precision() -> None:
    """Summed in another order, 28 significant digits round these differently."""
    big, tiny = Decimal("1E27"), Decimal("0.6")
    entries: list[data.Directive] = [data.Open(meta(0), START, name, [], None)
                                     for name in ("Assets:A", "Assets:A:B", "Assets:A-B",
                                                  "Equity:Open")]
    for line, (name, number) in enumerate([("Assets:A-B", tiny), ("Assets:A:B", big),
                                           ("Assets:A", tiny)], start=10):
        entries.append(data.Transaction(
            meta(line), START, "*", None, "t", data.EMPTY_SET, data.EMPTY_SET,
            [data.Posting(name, Amount(number, "SEK"), None, None, None, {}),
             data.Posting("Equity:Open", Amount(-number, "SEK"), None, None, None, {})]))
    entries.append(data.Balance(meta(20), START + datetime.timedelta(days=1), "Assets",
                                Amount(big, "SEK"), None, None))
    expected = balance.check(entries, OPTIONS)  # type: ignore[no-untyped-call]
    assert expected[1], "the example must fail Beancount's check to show the order"
    assert transformations.check_balances(entries, OPTIONS) == expected


def test_without_a_pad_the_entries_come_back_as_they_are() -> None:
    entries: list[data.Directive] = [data.Open(meta(0), START, "Assets:A", [], None)]
    assert transformations.pad(entries, OPTIONS) == (entries, [])
    assert transformations.pad(entries, OPTIONS)[0] is entries


def booked(text: str) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    """Parsed, sorted and booked as Beancount's loader does before its plugins."""
    entries, errors, options = parser.parse_string(textwrap.dedent(text))
    entries.sort(key=data.entry_sortkey)
    entries, booking_errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    return entries, errors + booking_errors, options


LEDGER = """\
    {plugins}
    2026-01-01 open Assets:Bank SEK
    2026-01-01 open Equity:Open
    2026-01-02 pad Assets:Bank Equity:Open
    2026-01-03 balance Assets:Bank 10.00 SEK
    2026-01-04 * "kiosk"
      Assets:Bank  -2.00 SEK
      Expenses:Kiosk
    2026-01-05 balance Assets:Bank 9.00 SEK
    """

FAILING_PLUGIN = """\
__plugins__ = ("fail",)
def fail(entries, options_map, config=None):
    raise ValueError("this plugin always fails")
"""


@pytest.mark.parametrize("plugins", [
    "",
    'plugin "beancount.plugins.auto_accounts"',
    'plugin "beancount.plugins.auto_accounts"\nplugin "beancount.plugins.check_commodity"',
    'option "plugin_processing_mode" "raw"\nplugin "beancount.plugins.auto_accounts"',
])
def test_the_plugin_loop_gives_beancounts_load(plugins: str) -> None:
    entries, errors, options = booked(LEDGER.format(plugins=plugins))
    expected = loader.run_transformations(list(entries), errors, options, None)
    got = transformations.run_transformations(list(entries), errors, options)
    assert got is not None
    assert got[0] == expected[0]
    assert [(type(e), e.message, e.source) for e in got[1]] == [
        (type(e), e.message, e.source) for e in expected[1]]
    assert plugins.startswith("option") or any(  # the pad and the failed assertion ran
        isinstance(e, BalanceError) for e in got[1])


@pytest.mark.parametrize("plugin", ["coopledger_no_such_plugin", "failingtestplugin"])
def test_a_plugin_that_fails_is_left_to_beancount(plugin: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Beancount's error names its own loop's line: the caller loads with Beancount."""
    (tmp_path / "failingtestplugin.py").write_text(FAILING_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "failingtestplugin", raising=False)
    entries, errors, options = booked(LEDGER.format(plugins=f'plugin "{plugin}"'))
    _, expected = loader.run_transformations(list(entries), errors, options, None)
    assert any(plugin in e.message for e in expected)
    assert transformations.run_transformations(list(entries), errors, options) is None
