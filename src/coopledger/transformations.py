"""Beancount's plugin run, with its pad and balance plugins answering faster.

After the ledger's own plugins, Beancount's loader always runs two of its own:
``beancount.ops.pad`` and ``beancount.ops.balance``. On the daily books of the
benchmark (13 000 entries, 2 265 accounts, 676 balance assertions on 52 accounts, no
``pad``) they took 0.11 s of a 0.8 s check after an edit (0.04 s here):

- the pad plugin groups every posting by account (``realization.postings_by_account``)
  before it looks for a ``pad`` directive, and a ledger without one pays for it all;
- the balance check matches every account against every asserted account's pattern (a
  regular expression each, accounts times asserted accounts), finds each posting's
  account by walking a tree of its name's components, and sums an asserted account's
  subtree over every node of the tree, empty ones included.

:func:`pad` returns the entries as they are when there is no ``pad`` directive (what
Beancount's gives then: the same entries, in the same order, no error) and is
Beancount's otherwise. :func:`check_balances` is Beancount's check with the same
arithmetic in the same order: each tracked account's inventory is built posting by
posting as Beancount builds it, and an assertion sums its account's subtree in the
order Beancount walks it (depth first, children by name); it leaves out only the
nodes that hold nothing, as adding an empty inventory adds nothing. The same errors,
with the same texts, and the same failing entries come out. Property tests hold both
to Beancount's own on random ledgers (``tests/test_transformations.py``).

:func:`run_transformations` is the loop of ``beancount.loader.run_transformations``
with these two in place of Beancount's: the ledger's plugins see the same entries and
the same options map, and the entries are sorted after each plugin module as
Beancount sorts them. Where Beancount would turn a failure into an error whose text
carries the traceback of its own loop (a plugin that cannot be imported or that
raises, or a renamed plugin it warns about), this loop does not imitate it: it
returns None, and the caller loads the ledger with Beancount itself, so the error
reads exactly as Beancount's.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from beancount import loader
from beancount.core import amount, data, getters, inventory
from beancount.core.interpolate import BalanceError
from beancount.ops import balance as beancount_balance
from beancount.ops import pad as beancount_pad

Plugin = Callable[..., tuple[list[data.Directive], list[Any]]]


def pad(entries: list[data.Directive],
        options_map: dict[str, Any]) -> tuple[list[data.Directive], list[Any]]:
    """``beancount.ops.pad.pad``, answered at once for a ledger without a ``pad``.

    Args:
        entries: The directives, sorted.
        options_map: The options map.

    Returns:
        The entries with the padding transactions inserted, and the pad errors.
    """
    if not any(isinstance(entry, data.Pad) for entry in entries):
        return entries, []
    result: tuple[list[data.Directive], list[Any]] = beancount_pad.pad(  # type: ignore[no-untyped-call]
        entries, options_map)
    return result


def _components(name: str) -> list[str]:
    return name.split(":")


def check_balances(entries: list[data.Directive],
                   options_map: dict[str, Any]) -> tuple[list[data.Directive], list[Any]]:
    """``beancount.ops.balance.check``: the same answers, computed faster.

    An account is tracked when it or one of its parents is asserted (Beancount's
    ``account.parent_matcher``: the name itself or the name followed by ``:``); its
    inventory takes its postings in the order of the entries, as Beancount's does.

    Args:
        entries: The directives, sorted.
        options_map: The options map (the tolerances).

    Returns:
        The entries, each failing balance directive replaced by a copy with its
        ``diff_amount`` set, and the balance errors.
    """
    new_entries: list[data.Directive] = []
    check_errors: list[Any] = []
    asserted = {entry.account for entry in entries if isinstance(entry, data.Balance)}
    balances: dict[str, inventory.Inventory | None] = {}  # None: not tracked
    inventories: dict[str, inventory.Inventory] = {}  # the tracked ones
    subtree: dict[str, list[str]] = {name: [] for name in asserted}
    unsorted: set[str] = set()

    def tracked(name: str) -> inventory.Inventory | None:
        parts = name.split(":")
        holders = [prefix for prefix in (":".join(parts[:size])
                                         for size in range(1, len(parts) + 1))
                   if prefix in asserted]
        made = inventory.Inventory() if holders else None
        balances[name] = made
        if made is not None:
            inventories[name] = made
        for holder in holders:
            subtree[holder].append(name)
            unsorted.add(holder)
        return made

    # An asserted account's own inventory exists from the start, as its node does in
    # Beancount's tree; the others' are made at their first posting.
    for name in asserted:
        tracked(name)
    open_close_map = getters.get_account_open_close(entries)  # type: ignore[no-untyped-call]
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                name = posting.account
                held = balances[name] if name in balances else tracked(name)
                if held is not None:
                    held.add_position(posting)
        elif isinstance(entry, data.Balance):
            expected_amount = entry.amount
            opened = None
            try:
                opened, _ = open_close_map[entry.account]
            except KeyError:
                check_errors.append(BalanceError(
                    entry.meta, f"Invalid reference to unknown account '{entry.account}'",
                    entry))
            if (expected_amount is not None and opened and opened.currencies
                    and expected_amount.currency not in opened.currencies):
                check_errors.append(BalanceError(
                    entry.meta,
                    f"Invalid currency '{expected_amount.currency}' for Balance directive: ",
                    entry))
            names = subtree[entry.account]
            if entry.account in unsorted:  # Beancount's walk: depth first, children by name
                names.sort(key=_components)
                unsorted.discard(entry.account)
            subtree_balance = functools.reduce(
                operator.add, [inventories[name] for name in names])
            balance_amount = subtree_balance.get_currency_units(  # type: ignore[no-untyped-call]
                expected_amount.currency)
            diff_amount = amount.sub(balance_amount, expected_amount)
            difference = cast(Decimal, diff_amount.number)
            tolerance = beancount_balance.get_balance_tolerance(  # type: ignore[no-untyped-call]
                entry, options_map)
            if abs(difference) > tolerance:
                check_errors.append(BalanceError(
                    entry.meta,
                    f"Balance failed for '{entry.account}': expected {expected_amount} != "
                    f"accumulated {balance_amount} ({abs(difference)} "
                    f"{'too much' if difference > 0 else 'too little'})",
                    entry))
                new_entries.append(entry._replace(meta=entry.meta.copy(),
                                                  diff_amount=diff_amount))
                continue
        new_entries.append(entry)
    return new_entries, check_errors


#: Beancount's plugins answered here, by the module name Beancount's loader runs.
FASTER: dict[str, Plugin] = {
    "beancount.ops.pad": pad,
    "beancount.ops.balance": check_balances,
}


def _functions(name: str) -> list[Plugin] | None:
    """A plugin module's functions (none but a sort without ``__plugins__``: see below).

    Returns None where Beancount would report the module: renamed, or not importable.
    """
    if name in FASTER:
        return [FASTER[name]]
    if name in loader.RENAMED_MODULES:
        return None
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    if not hasattr(module, "__plugins__"):
        return _NOT_A_PLUGIN
    return [getattr(module, each) if isinstance(each, str) else each
            for each in module.__plugins__]


#: What :func:`_functions` gives for a module without ``__plugins__``: Beancount skips
#: it, without the sort that follows every plugin module.
_NOT_A_PLUGIN: list[Plugin] = []


def run_transformations(
        entries: list[data.Directive], parse_errors: list[Any],
        options_map: dict[str, Any]) -> tuple[list[data.Directive], list[Any]] | None:
    """``beancount.loader.run_transformations``, with :data:`FASTER` in Beancount's place.

    Args:
        entries: The booked directives.
        parse_errors: The errors so far.
        options_map: The options map, given to each plugin as Beancount gives it.

    Returns:
        The entries and errors Beancount's loop returns, or None where a plugin cannot
        be imported, is renamed, or raises: the caller then loads with Beancount itself.
    """
    if options_map["plugin_processing_mode"] != "default":  # raw: the plugins named only
        result: tuple[list[data.Directive], list[Any]] = loader.run_transformations(
            entries, parse_errors, options_map, None)
        return result
    errors = list(parse_errors)
    for name, config in itertools.chain(loader.PLUGINS_PRE, options_map["plugin"],
                                        loader.PLUGINS_AUTO, loader.PLUGINS_POST):
        functions = _functions(name)
        if functions is None:
            return None
        arguments = () if config is None else (config,)
        for function in functions:
            try:
                entries, plugin_errors = function(entries, options_map, *arguments)
                errors.extend(plugin_errors)
            except Exception:  # Beancount reports it, in its words: the caller reloads
                return None
        if functions is not _NOT_A_PLUGIN:
            entries.sort(key=data.entry_sortkey)
    return entries, errors
