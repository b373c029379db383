"""What coopledger's plugins share within one load: the declarations, validated once.

Every coopledger plugin needs the books' ``coop-...`` declarations, validated with
pydantic, and the entities they declare. The first plugin of a load (normally
``coopledger.plugins.entities``) builds this index and leaves it in the load's options
map under :data:`INDEX_KEY`, the one channel between coopledger's plugins (documented in
docs/api.md, read with :func:`shared_index`); the loans and seals plugins take it from
there instead of validating every declaration again. Beancount makes a new options map
for every load and hands that same map to each plugin of the load, so the index lives
exactly as long as the load's result and never reaches another load (Fava's reloads, a
test loading many books in one process); nothing is kept at module level.

The index remembers the ``custom`` directives it was built from, by identity and in
order. A plugin passes the custom directives of the entries it was given: when another
plugin in between added, removed or replaced one (the seals plugin leaves out the closed
years of daily books), the index no longer describes them and a new one is built for
them and left for the plugins after it; it validates only the directives the old one had
not seen, since a directive's validation depends on nothing else. A plugin run alone
builds its own.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from coopledger.declarations import (
    Declaration,
    Declarations,
    collect_declarations,
    parse_each,
)
from coopledger.entities import Entity, index_entities
from coopledger.errors import DeclarationError, EntityError

#: The options map key of the index: a leading underscore, as no Beancount option has,
#: and named for its owner. Beancount hands the same options map to every plugin of a
#: load, so it is the load's own place for what its plugins share.
INDEX_KEY = "_coopledger_load_index"


#: What validating one custom directive gave: its declaration, the error that says why
#: it does not validate, or None for a custom directive outside the ``coop-`` namespace.
Outcome = Declaration | DeclarationError | None


@dataclass(frozen=True, eq=False)
class LoadIndex:
    """The declarations of one load's books, validated once.

    Attributes:
        customs: Every ``custom`` directive the index was built from, in the entries'
            order.
        outcomes: What validating each of ``customs`` gave.
        declarations: The valid declarations by type.
        errors: One error per declaration that does not validate.
        entities: Declared entities by code (the first declaration of a code wins).
        entity_errors: Entities declared twice, and extra umbrellas.
    """

    customs: tuple[data.Custom, ...]
    outcomes: tuple[Outcome, ...]
    declarations: Declarations
    errors: tuple[DeclarationError, ...]
    entities: dict[str, Entity]
    entity_errors: tuple[EntityError, ...]
    _by_directive: dict[int, Outcome] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # By identity: the directives are held in ``customs``, so their ids stay unique
        # while the index lives.
        by_directive = {id(entry): outcome
                        for entry, outcome in zip(self.customs, self.outcomes, strict=True)}
        object.__setattr__(self, "_by_directive", by_directive)

    def __reduce__(self) -> tuple[Any, ...]:
        # Beancount's cache pickles the options map: rebuild the identity map on the
        # way back rather than carry ids of objects that no longer exist.
        return (LoadIndex, (self.customs, self.outcomes, self.declarations, self.errors,
                            self.entities, self.entity_errors))

    def describes(self, customs: Sequence[data.Custom]) -> bool:
        """Whether these are the custom directives the index was built from.

        Args:
            customs: The custom directives of some entries, in their order.

        Returns:
            True when they are the same directive objects in the same order.
        """
        return (len(customs) == len(self.customs)
                and all(map(operator.is_, customs, self.customs)))

    def declaration_of(self, entry: data.Custom) -> Declaration | None:
        """The valid declaration of one of the index's custom directives, else None."""
        outcome = self._by_directive.get(id(entry))
        return outcome if isinstance(outcome, Declaration) else None

    def outcome_of(self, entry: data.Custom) -> Outcome:
        """What validating a custom directive gives: from the index when it has seen it.

        Args:
            entry: A custom directive.

        Returns:
            Its declaration, its error, or None outside the ``coop-`` namespace.
        """
        key = id(entry)
        if key in self._by_directive:
            return self._by_directive[key]
        return validate(entry)

    def __repr__(self) -> str:
        # The options map may be printed whole (bean-doctor print_options): stay short.
        return (f"LoadIndex({len(self.customs)} custom directives, "
                f"{len(self.declarations.by_type)} declaration types)")


def validate(entry: data.Custom) -> Outcome:
    """Validate one custom directive (see :func:`coopledger.declarations.parse_each`).

    Args:
        entry: A custom directive.

    Returns:
        Its declaration, its error, or None outside the ``coop-`` namespace.
    """
    parsed, errors = parse_each([entry])
    if parsed:
        return parsed[0][1]
    return errors[0] if errors else None


def scan(entries: Iterable[data.Directive]) -> tuple[list[data.Custom], list[data.Open]]:
    """The ``custom`` and ``open`` directives of the entries, in their order, in one pass.

    Args:
        entries: The ledger's directives.

    Returns:
        Its custom directives and its open directives.
    """
    customs: list[data.Custom] = []
    opens: list[data.Open] = []
    for entry in entries:
        if type(entry) is data.Open:
            opens.append(entry)
        elif type(entry) is data.Custom:
            customs.append(entry)
    return customs, opens


def build_index(customs: Sequence[data.Custom], known: LoadIndex | None = None) -> LoadIndex:
    """Validate the declarations among custom directives and index the entities.

    Args:
        customs: The ledger's custom directives, in the entries' order.
        known: An index of the same load whose outcomes are reused for the directives
            it has seen.

    Returns:
        The index.
    """
    outcomes = tuple(known.outcome_of(entry) if known is not None else validate(entry)
                     for entry in customs)
    parsed = [(entry, outcome) for entry, outcome in zip(customs, outcomes, strict=True)
              if isinstance(outcome, Declaration)]
    errors = tuple(outcome for outcome in outcomes if isinstance(outcome, DeclarationError))
    declarations = collect_declarations(parsed)
    entities, entity_errors = index_entities(declarations.of(Entity))
    return LoadIndex(tuple(customs), outcomes, declarations, errors, entities,
                     tuple(entity_errors))


def load_index(customs: Sequence[data.Custom],
               options_map: MutableMapping[str, Any]) -> LoadIndex:
    """The load's index for these custom directives: shared when it can be, else new.

    Args:
        customs: The custom directives of the entries a plugin was given, in order.
        options_map: The load's options map, which carries the index between plugins.

    Returns:
        The index an earlier plugin of the same load left when it describes these
        directives; otherwise a new one (reusing what that one validated), which
        replaces it in the options map.
    """
    known = shared_index(options_map)
    if known is not None and known.describes(customs):
        return known
    index = build_index(customs, known)
    options_map[INDEX_KEY] = index
    return index


def shared_index(options_map: Mapping[str, Any]) -> LoadIndex | None:
    """The index a coopledger plugin left in a load's options map, if any.

    Args:
        options_map: A load's options map.

    Returns:
        The index of the last coopledger plugin that built one, or None.
    """
    found = options_map.get(INDEX_KEY)
    return found if isinstance(found, LoadIndex) else None
