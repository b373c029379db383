"""Employees: who a payroll line pays, for the employer declaration (AGI).

The payroll export names each employee by an id; the identity Skatteverket needs lives
in the books as a declaration, one per employee::

    2025-01-01 custom "coop-employee" "K01"
      employer: "Kafe"
      personnummer: "19900314-9805"
      specification: 101
      workplace: "Stångågatan 12"
      workplace-city: "Linköping"

- ``employer``: the entity code of the employing entity (a member, or the umbrella);
- ``personnummer``: the Swedish personal identity number, checked with python-stdnum
  (date and check digit) and kept as ``YYYYMMDD-NNNN``;
- ``specification``: the AGI's specification number (field 570), which must stay the same
  for the same person every month. Optional: when left out it is a number derived from
  the employee id (the same id always gives the same number);
- ``workplace``, ``workplace-city``: the address of the employee's one place of work
  (tjänsteställe), which the AGI reports in fields 245 and 246 (both or neither);
- ``target-group``: ``TRUE`` when the person was hired from the umbrella's target group
  (long-term unemployed, or far from the labour market); what the board's people figures
  count (:mod:`coopledger.people`). Default ``FALSE``;
- ``extent``: the employment's extent in percent of full time (sysselsättningsgrad), for
  the full-time equivalents the board sees; when left out, the person is not counted in
  them.

A redeclaration of the same id from a later date replaces the earlier one (a person who
leaves the target group's programme, or changes extent).

A payroll line whose ``employee`` is declared must be paid by the declared employer, and
its ``birth_year`` (which decides the contribution rate) must be the personnummer's.

Who answers for the filings (the AGI's sender and employer contact) is declared once for
every entity, or per entity, with ``coop-contact`` (see :class:`Contact`).
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterable
from decimal import Decimal

from pydantic import Field, field_validator, model_validator

from coopledger.declarations import Declaration, declaration

#: Specification numbers derived from the employee id fall in this range.
_DERIVED_SPECIFICATION = (100_000, 999_999)


def validate_personnummer(value: str) -> str:
    """Check a Swedish personnummer (date and check digit).

    Args:
        value: The number as written: ten or twelve digits, with or without ``-``/``+``.

    Returns:
        The number as ``YYYYMMDD-NNNN``.

    Raises:
        ValueError: The number is malformed, names no date, or its check digit is wrong.
    """
    # Imported on first use, as in coopledger.entities.validate_orgnr (python-stdnum's
    # first import costs about 30 ms).
    from stdnum.exceptions import ValidationError as StdnumValidationError
    from stdnum.se import personnummer as se_personnummer

    try:
        return str(se_personnummer.compact(se_personnummer.validate(value)))
    except StdnumValidationError as exc:
        raise ValueError(f"{value!r} is not a valid Swedish personnummer "
                         f"({str(exc).rstrip('.').lower()})") from None


@declaration("coop-employee")
class Employee(Declaration):
    """One employee: the employer and the personal identity the AGI reports.

    Attributes:
        id: The employee id used in the payroll export.
        employer: The employing entity's code.
        personnummer: ``YYYYMMDD-NNNN``, checked.
        specification: The AGI specification number (field 570), if declared.
        name: The employee's name, for people reading the books (optional).
        workplace: The street address of the employee's place of work (field 245).
        workplace_city: Its town (field 246).
        target_group: Hired from the umbrella's target group.
        extent: Percent of full time, if declared.
    """

    employer: str = Field(min_length=1)
    personnummer: str
    specification: int | None = Field(default=None, ge=1, le=999_999_999)
    name: str | None = None
    workplace: str | None = Field(default=None, min_length=1, max_length=100)
    workplace_city: str | None = Field(default=None, min_length=1, max_length=100)
    target_group: bool = False
    extent: Decimal | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _workplace(self) -> Employee:
        if (self.workplace is None) != (self.workplace_city is None):
            raise ValueError("workplace and workplace-city go together: declare both or "
                             "neither")
        return self

    @field_validator("personnummer")
    @classmethod
    def _personnummer(cls, value: str) -> str:
        return validate_personnummer(value)

    @property
    def identity(self) -> str:
        """The twelve digits Skatteverket's files take (field 215)."""
        return "".join(char for char in self.personnummer if char.isdigit())

    @property
    def birth_date(self) -> datetime.date:
        """The date of birth the personnummer states."""
        return datetime.date(int(self.identity[:4]), int(self.identity[4:6]),
                             int(self.identity[6:8]))

    @property
    def specification_number(self) -> int:
        """Field 570: the declared number, or one derived from the id (always the same)."""
        if self.specification is not None:
            return self.specification
        low, high = _DERIVED_SPECIFICATION
        return low + zlib.crc32(self.id.encode("utf-8")) % (high - low + 1)


def employees_by_id(declared: Iterable[Employee]) -> dict[str, Employee]:
    """The employee declarations by id; a later declaration of the same id replaces it.

    Args:
        declared: ``coop-employee`` declarations in date order.

    Returns:
        Employee id to its latest declaration.
    """
    return {employee.id: employee for employee in declared}


@declaration("coop-contact")
class Contact(Declaration):
    """Who answers for an entity's filings (the AGI's sender and employer contact).

    Declared for one entity, or for ``"all"`` when the umbrella's staff answer for every
    member::

        2025-01-01 custom "coop-contact" "all"
          name: "Lönekontoret, Kooperativa Paraplyet"
          phone: "013-12 34 56"
          email: "lon@paraplyet.example"

    Attributes:
        id: An entity code, or ``all``.
        name: The contact's name.
        phone: A telephone number.
        email: An e-mail address.
    """

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=30)
    email: str = Field(min_length=3, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


def contact_for(declared: Iterable[Contact], code: str,
                date: datetime.date) -> Contact | None:
    """The contact for an entity's filings on a date: its own, else the one for all.

    Args:
        declared: ``coop-contact`` declarations in date order.
        code: The filing entity's code.
        date: The day the filing is made for.

    Returns:
        The latest declaration for the entity on or before the date, else the latest for
        ``all``; None when there is none.
    """
    own = [c for c in declared if c.id == code and c.date <= date]
    shared = [c for c in declared if c.id == "all" and c.date <= date]
    found = own or shared
    return found[-1] if found else None
