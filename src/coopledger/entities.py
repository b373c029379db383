"""Entities: the umbrella, its member cooperatives and the fund, each with its own books.

An entity is declared once and owns the account tree ``<Root>:<Code>:...``::

    2025-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa ekonomisk förening"
      kind: "member"
      orgnr: "769612-3456"

The code is the second component of every account the entity owns, so it follows
Beancount's account rules and, because it also appears in links and metadata, is ASCII:
a capital letter, then letters and digits. The declaration's date is the entity's start.

The legal form decides who files (DOMAIN.md section 7). A ``separate`` entity is its own
legal person: its own orgnr, VAT and employer registration. A ``unit`` (resultatenhet) has
no orgnr and files with the umbrella. Without ``legal-form`` an entity with an orgnr is
separate and one without is a unit; the umbrella is always separate. The VAT fields say
how the taxable person files and deducts::

    2025-01-01 custom "coop-entity" "Omsorg"
      name: "Omsorgskooperativet Varsam ekonomisk förening"
      kind: "member"
      orgnr: "769656-7895"
      legal-form: "separate"
      vat-period: "month"          ; month | quarter (default) | year
      vat-sales: "mixed"           ; taxable (default; the fund: exempt) | exempt | mixed
      vat-deduction: 0.40          ; the deductible share of input VAT, for mixed only

A unit's VAT period is its umbrella's (it may not declare one of its own).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beancount.core import data
from pydantic import field_validator, model_validator

from coopledger.declarations import Declaration, declaration
from coopledger.errors import EntityError
from coopledger.periods import Period, fiscal_year_containing, fiscal_year_from

CODE_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]{0,31}$")


class EntityKind(StrEnum):
    """What an entity is inside the umbrella."""

    UMBRELLA = "umbrella"
    MEMBER = "member"
    FUND = "fund"


def validate_orgnr(value: str) -> str:
    """Check a Swedish organisation number (length and check digit).

    Args:
        value: The number as written, with or without the hyphen.

    Returns:
        The number in its standard ``NNNNNN-NNNN`` form.

    Raises:
        ValueError: The number is malformed or its check digit is wrong.
    """
    # python-stdnum imports ssl and pydoc with its first module (about 30 ms): imported
    # here, only a run that validates a declaration pays for it.
    from stdnum.exceptions import ValidationError as StdnumValidationError
    from stdnum.se import orgnr as se_orgnr

    try:
        return str(se_orgnr.format(se_orgnr.validate(value)))
    except StdnumValidationError as exc:
        raise ValueError(f"{value!r} is not a valid Swedish organisation number "
                         f"({str(exc).rstrip('.').lower()})") from None


class LegalForm(StrEnum):
    """Whether an entity is a legal person of its own."""

    UNIT = "unit"
    SEPARATE = "separate"


class VatPeriod(StrEnum):
    """The period of a taxable person's VAT return."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class VatSales(StrEnum):
    """Whether an entity's own sales carry VAT, and so whether it may deduct input VAT."""

    TAXABLE = "taxable"
    EXEMPT = "exempt"
    MIXED = "mixed"


def _legal_defaults(payload: dict[str, Any]) -> dict[str, Any]:
    """Fill the legal form and VAT defaults of a raw entity payload, refusing contradictions.

    Raises:
        ValueError: A unit with an orgnr or a VAT period, a separate member without an
            orgnr, an umbrella declared as a unit, or a deduction share that does not fit
            the sales.
    """
    filled = dict(payload)
    kind = filled.get("kind")
    orgnr = filled.get("orgnr")
    form = filled.get("legal_form")
    if form is None:
        form = "separate" if orgnr or kind == "umbrella" else "unit"
        filled["legal_form"] = form
    if form == "unit":
        if kind == "umbrella":
            raise ValueError("legal-form: the umbrella is a legal person, not a unit")
        if orgnr:
            raise ValueError("legal-form: a unit has no orgnr of its own (it files with "
                             "the umbrella); remove the orgnr or declare it separate")
        if filled.get("vat_period") is not None:
            raise ValueError("vat-period: a unit files with the umbrella; declare the VAT "
                             "period on the umbrella")
    elif form == "separate" and not orgnr and kind != "umbrella":
        raise ValueError("orgnr: a separate legal person needs its organisation number")
    filled.setdefault("vat_period", "quarter")
    sales = filled.setdefault("vat_sales", "exempt" if kind == "fund" else "taxable")
    share = filled.get("vat_deduction")
    if sales == "mixed" and share is None:
        raise ValueError("vat-deduction: mixed sales need the deductible share (0 to 1)")
    if sales != "mixed" and share is not None:
        raise ValueError(f"vat-deduction: only mixed sales take a share ({sales} sales "
                         "deduct all or nothing)")
    if share is None:
        filled["vat_deduction"] = Decimal(1) if sales == "taxable" else Decimal(0)
    return filled


@declaration("coop-entity")
class Entity(Declaration):
    """An entity with its own books: the umbrella, a member cooperative or the fund.

    Attributes:
        id: The entity code, the second component of its accounts (``Kafe``).
        name: The legal or trading name, in Swedish as registered.
        kind: umbrella, member or fund.
        orgnr: Swedish organisation number, check digit verified (optional for units
            that are not legal persons of their own).
        fiscal_year_start: The month (1-12) in which the entity's fiscal year starts.
        first_year_end: The last day of a first fiscal year that is not twelve months
            (``first-year-end: 2011-12-31``): it runs from the declaration's date, ends the
            day before a regular year starts, and lasts at most eighteen months.
        legal_form: unit (files with the umbrella) or separate (its own legal person).
        vat_period: month, quarter or year; a unit's is its umbrella's.
        vat_sales: taxable, exempt or mixed: what the entity's own sales are.
        vat_deduction: The share of input VAT it may deduct, 0 to 1 (1 for taxable
            sales, 0 for exempt ones, declared for mixed).
    """

    name: str
    kind: EntityKind
    orgnr: str | None = None
    fiscal_year_start: int = 1
    first_year_end: datetime.date | None = None
    legal_form: LegalForm = LegalForm.SEPARATE
    vat_period: VatPeriod = VatPeriod.QUARTER
    vat_sales: VatSales = VatSales.TAXABLE
    vat_deduction: Decimal = Decimal(1)

    @model_validator(mode="before")
    @classmethod
    def _legal_form(cls, payload: Any) -> Any:
        return _legal_defaults(payload) if isinstance(payload, dict) else payload

    @field_validator("id")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError(f"entity code {value!r} must be ASCII: a capital letter, then "
                             "letters and digits (it is an account component and a link)")
        return value

    @field_validator("orgnr")
    @classmethod
    def _orgnr(cls, value: str | None) -> str | None:
        return None if value is None else validate_orgnr(value)

    @field_validator("fiscal_year_start")
    @classmethod
    def _month(cls, value: int) -> int:
        if not 1 <= value <= 12:
            raise ValueError("must be a month number, 1 to 12")
        return value

    @model_validator(mode="after")
    def _first_year(self) -> Entity:
        end = self.first_year_end
        if end is None:
            return self
        after = end + datetime.timedelta(days=1)
        if after.day != 1 or after.month != self.fiscal_year_start:
            raise ValueError(f"first-year-end {end} must be the day before a fiscal year "
                             f"starts (month {self.fiscal_year_start})")
        months = (after.year - self.date.year) * 12 + after.month - self.date.month
        if end < self.date or months > 18:
            raise ValueError(f"first-year-end {end}: the first fiscal year runs from "
                             f"{self.date} and lasts at most eighteen months")
        return self

    def fiscal_year(self, year: int) -> Period:
        """The entity's fiscal year that starts in ``year`` (its first year may differ)."""
        return fiscal_year_from(year, self.fiscal_year_start, self._first())

    def fiscal_year_of(self, date: datetime.date) -> Period:
        """The entity's fiscal year a date falls in (its first year may differ)."""
        return fiscal_year_containing(date, self.fiscal_year_start, self._first())

    def _first(self) -> tuple[datetime.date, datetime.date] | None:
        return None if self.first_year_end is None else (self.date, self.first_year_end)
    @field_validator("vat_deduction")
    @classmethod
    def _share(cls, value: Decimal) -> Decimal:
        if not Decimal(0) <= value <= Decimal(1):
            raise ValueError("must be a share from 0 to 1 (0.40 for 40 %)")
        return value

    @property
    def code(self) -> str:
        """The entity code (its id)."""
        return self.id

    @property
    def start(self) -> datetime.date:
        """The day the entity's books start."""
        return self.date


def entity_of(account: str) -> str | None:
    """The entity code of an account: its second component (None for a bare root)."""
    parts = account.split(":", 2)
    return parts[1] if len(parts) > 1 else None


def index_entities(
    declared: Iterable[Entity],
) -> tuple[dict[str, Entity], list[EntityError]]:
    """Index entity declarations by code, reporting duplicates and extra umbrellas.

    Args:
        declared: Entity declarations in date order.

    Returns:
        Code to entity (the first declaration wins) and the errors found.
    """
    entities: dict[str, Entity] = {}
    errors: list[EntityError] = []
    umbrella: Entity | None = None
    for entity in declared:
        if entity.code in entities:
            first = entities[entity.code].meta
            errors.append(EntityError(
                entity.meta,
                f"entity {entity.code} is declared twice (first at "
                f"{first.get('filename')}:{first.get('lineno')})", None))
            continue
        if entity.kind is EntityKind.UMBRELLA:
            if umbrella is not None:
                errors.append(EntityError(
                    entity.meta, f"entity {entity.code}: the books already have an umbrella, "
                    f"{umbrella.code}; there is one umbrella per ledger", None))
                continue
            umbrella = entity
        entities[entity.code] = entity
    return entities, errors


def check_accounts(
    opens: Iterable[data.Open], entities: Mapping[str, Entity],
) -> list[EntityError]:
    """Every opened account must sit under a root and a declared entity, open after its start.

    Args:
        opens: The ledger's ``open`` directives.
        entities: Declared entities by code.

    Returns:
        One error per account at fault, at its ``open`` directive.
    """
    errors: list[EntityError] = []
    for entry in opens:
        code = entity_of(entry.account)
        entity = entities.get(code) if code else None
        if entity is None:
            known = ", ".join(sorted(entities)) or "none declared"
            errors.append(EntityError(
                entry.meta, f"account {entry.account}: {code!r} is not a declared entity "
                f"(declare it with custom \"coop-entity\"; known: {known})", entry))
        elif entry.date < entity.start:
            errors.append(EntityError(
                entry.meta, f"account {entry.account} opens on {entry.date}, before entity "
                f"{code} starts on {entity.start}", entry))
    return errors
