"""One member's books cut out of the group's: the ledger a cooperative's own board sees.

Kept: the entity's ``open``/``close``/``balance``/``note``/``document`` directives, its
postings of every transaction (transactions without any are dropped), the ``coop-...``
declarations that name it (its ``coop-entity``, loans it borrows or lends), and every
other ``custom`` directive (Fava's options and extensions).

Every transaction balances inside each entity it touches (the clearing plugin sees to
that), so keeping only one entity's postings of each transaction leaves a ledger that
still balances: the member's own books, with its side of every dealing with the umbrella
and the fund on its clearing and loan accounts. ``coopledger serve --entity Kafe`` shows
Fava this ledger instead of the group's, so the other members' accounts are not merely
filtered out of view (as Fava's account filter does, which anyone can clear) but absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beancount.core import data

from coopledger.entities import entity_of
from coopledger.errors import CoopError

#: The option naming the entity whose view the books are (absent in the group's books).
ENTITY_VIEW_OPTION = "coopledger_entity_view"


class RestrictionError(CoopError):
    """A problem with the per-entity view itself (an unknown entity, hidden errors)."""


def _touches(entry: Any, code: str) -> bool:
    if entry is None:
        return True
    if isinstance(entry, data.Transaction):
        return any(entity_of(p.account) == code for p in entry.postings)
    account = getattr(entry, "account", None)
    return account is None or entity_of(account) == code


def _names(entry: data.Custom, code: str) -> bool:
    # A declaration belongs to the entity's view when its id or one of its fields is the
    # entity's code: its own declaration, the loans it borrows or lends, its fee rules.
    # Declarations about the whole group (seals) or other entities are left out.
    values = [v.value for v in entry.values[:1]]
    values += [v for k, v in (entry.meta or {}).items() if k not in ("filename", "lineno")]
    return any(value == code for value in values)


def _keep(entry: data.Directive, code: str) -> data.Directive | None:
    if isinstance(entry, data.Transaction):
        postings = [p for p in entry.postings if entity_of(p.account) == code]
        return entry._replace(postings=postings) if postings else None
    if isinstance(entry, data.Custom):
        if entry.type.startswith("coop-"):
            return entry if _names(entry, code) else None
        return entry
    account = getattr(entry, "account", None)
    if account is not None and entity_of(account) != code:
        return None
    return entry


def restrict_to_entity(
    entries: Sequence[data.Directive], errors: Sequence[Any], options: dict[str, Any],
    code: str,
) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    """Keep one entity's accounts, postings and declarations, and its errors.

    Args:
        entries: The group's loaded entries (plugins already run).
        errors: The load's errors.
        options: The options map (not changed; a copy with the title is returned).
        code: The entity code.

    Returns:
        The entity's entries, its errors (plus one line counting the errors elsewhere,
        whose text is not shown), and options titled with the entity's code.
    """
    declared = any(isinstance(e, data.Custom) and e.type == "coop-entity" and e.values
                   and e.values[0].value == code for e in entries)
    kept_errors = [e for e in errors if _touches(getattr(e, "entry", None), code)]
    hidden = len(errors) - len(kept_errors)
    if hidden:
        kept_errors.append(RestrictionError(
            None, f"{hidden} error(s) in other entities' books are not shown here", None))
    new_options = dict(options)
    new_options["title"] = f"{options.get('title') or 'coopledger'} – {code}"
    new_options[ENTITY_VIEW_OPTION] = code
    if not declared:
        kept_errors.append(RestrictionError(
            None, f"entity {code!r} is not declared in these books", None))
        return [], kept_errors, new_options
    kept = [e for e in (_keep(entry, code) for entry in entries) if e is not None]
    return kept, kept_errors, new_options


def is_declared(entries: Sequence[data.Directive], code: str) -> bool:
    """Whether the restricted entries still declare the entity (it was known)."""
    return any(isinstance(e, data.Custom) and e.type == "coop-entity" and e.values
               and e.values[0].value == code for e in entries)
