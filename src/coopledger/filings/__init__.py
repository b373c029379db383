"""Filings: what each taxable person reports to Skatteverket, as pure functions of the books.

A filing belongs to a *taxable person* (DOMAIN.md section 7): a separate legal person
files for itself alone; the umbrella files for itself and every unit inside it, which
have no orgnr of their own. The functions here return values; the command line renders
them and writes the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coopledger.entities import Entity, EntityKind, LegalForm, VatPeriod
from coopledger.errors import CoopException

__all__ = ["TaxablePerson", "taxable_person", "taxable_persons"]


@dataclass(frozen=True)
class TaxablePerson:
    """One legal person that files: the entity that registers, and the entities it covers.

    Attributes:
        head: The filing entity (a separate member, the fund or the umbrella).
        entities: The head first, then the units it files for, by code.
    """

    head: Entity
    entities: tuple[Entity, ...]

    @property
    def code(self) -> str:
        """The filing entity's code."""
        return self.head.code

    @property
    def codes(self) -> frozenset[str]:
        """The codes of every entity whose books make up the filing."""
        return frozenset(e.code for e in self.entities)

    @property
    def orgnr(self) -> str | None:
        """The organisation number the filing is made under (None if not declared)."""
        return self.head.orgnr

    @property
    def vat_period(self) -> VatPeriod:
        """The VAT period of the whole taxable person: its head's."""
        return self.head.vat_period


def taxable_person(entities: Mapping[str, Entity], code: str) -> TaxablePerson:
    """The taxable person an entity belongs to.

    Args:
        entities: Every declared entity, by code.
        code: Any entity's code; a unit gives its umbrella's taxable person.

    Returns:
        The entity itself when it is separate (the umbrella with all units when it is the
        umbrella), or the umbrella with its units when it is a unit.

    Raises:
        CoopException: The code is not declared, or a unit has no umbrella to file with.
    """
    entity = entities.get(code)
    if entity is None:
        known = ", ".join(sorted(entities)) or "none declared"
        raise CoopException(f"entity {code!r} is not declared (known: {known})")
    if entity.legal_form is LegalForm.UNIT or entity.kind is EntityKind.UMBRELLA:
        umbrella = next((e for e in entities.values() if e.kind is EntityKind.UMBRELLA), None)
        if umbrella is None:
            raise CoopException(f"entity {code} is a unit but the books declare no umbrella "
                                "to file with", entity.meta)
        units = sorted((e for e in entities.values() if e.legal_form is LegalForm.UNIT),
                       key=lambda e: e.code)
        return TaxablePerson(umbrella, (umbrella, *units))
    return TaxablePerson(entity, (entity,))


def taxable_persons(entities: Mapping[str, Entity]) -> list[TaxablePerson]:
    """Every taxable person of the books, in the order their heads were declared.

    Args:
        entities: Every declared entity, by code.

    Returns:
        One taxable person per separate entity; units are inside their umbrella's.
    """
    return [taxable_person(entities, e.code) for e in entities.values()
            if e.legal_form is LegalForm.SEPARATE]
