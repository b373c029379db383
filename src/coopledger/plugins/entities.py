"""Entities and per-entity balance: the first plugin every coopledger ledger loads.

It validates every ``coop-...`` declaration (an unknown or malformed one is an error at
its file and line), checks that every account belongs to a declared entity, and makes
every transaction balance inside each entity it touches, per currency, by completing
cross-entity transactions with clearing postings (see :mod:`coopledger.clearing`).
Clearing accounts the ledger does not open itself are opened on their first use. The
declarations it validates are left in the load's options map for the plugins after it
(see :mod:`coopledger.loadindex`), so that no plugin validates them again.

Enable it with::

    plugin "coopledger.plugins.entities"

Before::

    2026-10-05 * "Grossisten AB" "Kaffebönor till Kafé Linnéa"
      Expenses:Kafe:4010-Inköp-varor          800.00 SEK
      Liabilities:Paraply:2440-Leverantörsskulder

After, the same transaction with two more postings (metadata
``generated-by: "coopledger.clearing"``)::

      Assets:Kafe:1660-Avräkning-Paraply      -800.00 SEK
      Assets:Paraply:1660-Avräkning-Kafe       800.00 SEK
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from beancount.core import data

from coopledger.clearing import (
    clearing_counterparty,
    clearing_opens,
    complete_transaction,
    tolerance_bound,
)
from coopledger.collector import paused_if_allowed
from coopledger.entities import check_accounts, entity_of
from coopledger.errors import BalanceError, CoopError
from coopledger.loadindex import load_index, scan
from coopledger.plugins import SortedEntries, no_configuration

__plugins__ = ("validate_and_clear_entities",)


def validate_and_clear_entities(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None,
) -> tuple[list[data.Directive], list[CoopError]]:
    """Validate declarations and accounts; complete cross-entity transactions.

    Args:
        entries: The ledger's directives.
        options_map: The ledger's options.
        config: None: this plugin takes no configuration (one given is an error).

    Returns:
        The entries with cross-entity transactions completed and clearing accounts
        opened, and the errors found.
    """
    errors = no_configuration(__name__, config)
    if errors:
        return entries, errors
    # The plugin allocates a few containers per cross-entity transaction, none in
    # reference cycles (coopledger.collector).
    with paused_if_allowed():
        return _validate_and_clear(entries, options_map)


def _validate_and_clear(
    entries: list[data.Directive], options_map: dict[str, Any],
) -> tuple[list[data.Directive], list[CoopError]]:
    customs, opens = scan(entries)
    # Parsed once here and left in the options map for the loans and seals plugins.
    index = load_index(customs, options_map)
    errors: list[CoopError] = list(index.errors)
    entities = index.entities
    errors.extend(index.entity_errors)

    errors.extend(check_accounts(opens, entities))
    entity_by_account: dict[str, str | None] = {}
    for open_entry in opens:
        code = entity_of(open_entry.account)
        entity_by_account[open_entry.account] = code if code in entities else None

    first_use: dict[str, datetime.date] = {}
    new_entries: list[data.Directive] = []
    append = new_entries.append
    entity_for = entity_by_account.get
    transaction = data.Transaction
    bound = tolerance_bound(options_map)
    # Hot loop (one iteration per directive): most transactions stay inside one entity,
    # so check that inline and call out only for the others.
    for entry in entries:
        if type(entry) is transaction and len(postings := entry.postings) > 1:
            first = entity_for(postings[0].account)
            if first is not None:
                for posting in postings:
                    if entity_for(posting.account) != first:
                        break
                else:
                    append(entry)
                    continue
            append(_complete(entry, entity_by_account, options_map, bound, first_use, errors))
        else:
            append(entry)

    for clearing_open in clearing_opens(first_use, entity_by_account):
        counterparty = clearing_counterparty(clearing_open.account)
        owner = entity_of(clearing_open.account)
        if counterparty in entities and owner in entities:
            new_entries.append(clearing_open)
    # Beancount sorts it after this plugin; the plugins after it that change nothing
    # return it as it is, and the sorts after them are skipped (SortedEntries).
    return SortedEntries(new_entries), errors


def _complete(
    entry: data.Transaction,
    entity_by_account: dict[str, str | None],
    options_map: dict[str, Any],
    bound: Decimal,
    first_use: dict[str, datetime.date],
    errors: list[CoopError],
) -> data.Transaction:
    completed, problems = complete_transaction(entry, entity_by_account, options_map,
                                               tolerance_bound=bound)
    for problem in problems:
        errors.append(BalanceError(entry.meta, problem, entry))
    for posting in completed.postings:
        account = posting.account
        if (account not in entity_by_account and account not in first_use
                and clearing_counterparty(account) is not None):
            first_use[account] = entry.date
    return completed
