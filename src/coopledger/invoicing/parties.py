"""Customers and suppliers: who an entity invoices and whom it pays.

A customer or supplier belongs to one entity (a member sells and buys in its own name);
its id is the short name used on the command line and in the ledger's metadata::

    2025-01-01 custom "coop-customer" "LkpgKommun"
      entity: "Stad"
      name: "Linköpings kommun"
      orgnr: "212000-0449"
      street: "Box 1000"
      postcode: "581 81"
      city: "Linköping"
      peppol: "0007:2120000449"
      reference: "STAD-4711"
      terms: 30
      einvoice: TRUE

    2025-01-01 custom "coop-supplier" "Grossisten"
      entity: "Kafe"
      name: "Grossisten i Linköping AB"
      bankgiro: "5050-1055"
      terms: 30

A public buyer must receive e-invoices (lag 2018:1277): ``einvoice: TRUE`` needs a
Peppol participant id (``scheme:identifier``, 0007 for a Swedish organisation number) and
a complete address. A supplier's bankgiro and plusgiro numbers are checked by their Luhn
digit and an IBAN by its mod 97 check (python-stdnum), so a payment file never carries a
mistyped account.
"""

from __future__ import annotations

import re

from pydantic import field_validator, model_validator

from coopledger.declarations import Declaration, declaration
from coopledger.entities import validate_orgnr

__all__ = ["Customer", "Seller", "Supplier", "validate_bankgiro", "validate_iban",
           "validate_plusgiro"]

_PEPPOL = re.compile(r"^(?P<scheme>\d{4}):(?P<id>[A-Za-z0-9.\-_]{1,50})$")


def _digits(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def validate_bankgiro(value: str) -> str:
    """Check a bankgiro number: 7 or 8 digits, the last a Luhn check digit.

    Args:
        value: The number as written (``5050-1055``).

    Returns:
        The number in its usual form, a hyphen before the last four digits.

    Raises:
        ValueError: Not 7-8 digits, or a wrong check digit.
    """
    # python-stdnum is imported on first use, as in coopledger.entities.validate_orgnr.
    from stdnum import luhn

    digits = _digits(value)
    if not re.fullmatch(r"\d{7,8}", digits) or not luhn.is_valid(digits):
        raise ValueError(f"{value!r} is not a valid bankgiro number (7-8 digits, Luhn check)")
    return f"{digits[:-4]}-{digits[-4:]}"


def validate_plusgiro(value: str) -> str:
    """Check a plusgiro number: 2 to 8 digits, the last a Luhn check digit.

    Args:
        value: The number as written (``12 34 56-7``).

    Returns:
        The digits, a hyphen before the check digit.

    Raises:
        ValueError: Not 2-8 digits, or a wrong check digit.
    """
    from stdnum import luhn

    digits = _digits(value)
    if not re.fullmatch(r"\d{2,8}", digits) or not luhn.is_valid(digits):
        raise ValueError(f"{value!r} is not a valid plusgiro number (2-8 digits, Luhn check)")
    return f"{digits[:-1]}-{digits[-1]}"


def validate_iban(value: str) -> str:
    """Check an IBAN (country format and mod 97 check digits).

    Args:
        value: The IBAN as written, spaces allowed.

    Returns:
        The IBAN in compact form (``SE4550000000058398257466``).

    Raises:
        ValueError: The IBAN is malformed or its check digits are wrong.
    """
    from stdnum import iban as std_iban
    from stdnum.exceptions import ValidationError as StdnumValidationError

    try:
        return str(std_iban.validate(value))
    except StdnumValidationError as exc:
        raise ValueError(f"{value!r} is not a valid IBAN "
                         f"({str(exc).rstrip('.').lower()})") from None


def _peppol(value: str | None) -> str | None:
    if value is None:
        return None
    match = _PEPPOL.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a Peppol participant id (scheme:id, like "
                         "0007:2120000449)")
    if match["scheme"] == "0007":
        validate_orgnr(match["id"])
    return value.strip()


class Party(Declaration):
    """What customers and suppliers share: entity, name, address, terms."""

    entity: str
    name: str
    orgnr: str | None = None
    vat_number: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "SE"
    terms: int = 30

    @field_validator("orgnr")
    @classmethod
    def _orgnr(cls, value: str | None) -> str | None:
        return None if value is None else validate_orgnr(value)

    @field_validator("terms")
    @classmethod
    def _terms(cls, value: int) -> int:
        if not 0 <= value <= 365:
            raise ValueError("payment terms are 0 to 365 days")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError("a two-letter country code (SE)")
        return value

    @property
    def has_address(self) -> bool:
        """Whether street, postcode and city are all given."""
        return bool(self.street and self.postcode and self.city)


@declaration("coop-customer")
class Customer(Party):
    """Someone an entity invoices.

    Attributes:
        peppol: Peppol participant id, ``scheme:identifier``.
        reference: The buyer's reference to quote on every invoice (a public buyer's
            "Er referens"; Peppol needs it or an order number).
        einvoice: The customer must get e-invoices (a public buyer).
        email: Where the PDF invoice goes.
    """

    peppol: str | None = None
    reference: str | None = None
    einvoice: bool = False
    email: str | None = None

    @field_validator("peppol")
    @classmethod
    def _peppol_id(cls, value: str | None) -> str | None:
        return _peppol(value)

    @model_validator(mode="after")
    def _einvoice_needs(self) -> Customer:
        if self.einvoice and (self.peppol is None or not self.has_address):
            raise ValueError("an e-invoice customer needs peppol, street, postcode and city")
        return self


@declaration("coop-supplier")
class Supplier(Party):
    """Someone an entity pays.

    Attributes:
        bankgiro: Bankgiro number (Luhn checked).
        plusgiro: Plusgiro number (Luhn checked).
        iban: IBAN (mod 97 checked).
        bic: The bank's BIC, for an IBAN payment abroad.
    """

    bankgiro: str | None = None
    plusgiro: str | None = None
    iban: str | None = None
    bic: str | None = None

    @field_validator("bankgiro")
    @classmethod
    def _bankgiro(cls, value: str | None) -> str | None:
        return None if value is None else validate_bankgiro(value)

    @field_validator("plusgiro")
    @classmethod
    def _plusgiro(cls, value: str | None) -> str | None:
        return None if value is None else validate_plusgiro(value)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return None if value is None else validate_iban(value)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", value):
            raise ValueError(f"{value!r} is not a BIC")
        return value

    @model_validator(mode="after")
    def _one_account(self) -> Supplier:
        if not (self.bankgiro or self.plusgiro or self.iban):
            raise ValueError("a supplier needs a bankgiro, plusgiro or iban to be paid")
        return self


@declaration("coop-invoicing")
class Seller(Declaration):
    """How an entity invoices: its address and the account its customers pay to.

    The id is the entity code. The entity's name and organisation number come from its
    ``coop-entity`` declaration; the VAT number is ``SE`` + the orgnr digits + ``01``
    unless ``vat-number`` says otherwise.

    Attributes:
        street: Street address.
        postcode: Postcode.
        city: City.
        bankgiro: The bankgiro customers pay to (Luhn checked).
        iban: An IBAN customers may pay to instead.
        peppol: The entity's own Peppol participant id (default ``0007:<orgnr>``).
        vat_number: The VAT registration number, if not derived from the orgnr.
        email: Contact e-mail printed on the invoice.
        reminder_fee: A reminder fee (60 SEK) is agreed in the customer terms.
    """

    street: str
    postcode: str
    city: str
    bankgiro: str | None = None
    iban: str | None = None
    peppol: str | None = None
    vat_number: str | None = None
    email: str | None = None
    reminder_fee: bool = False

    @field_validator("bankgiro")
    @classmethod
    def _bankgiro(cls, value: str | None) -> str | None:
        return None if value is None else validate_bankgiro(value)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return None if value is None else validate_iban(value)

    @field_validator("peppol")
    @classmethod
    def _peppol_id(cls, value: str | None) -> str | None:
        return _peppol(value)

    @model_validator(mode="after")
    def _payable(self) -> Seller:
        if not (self.bankgiro or self.iban):
            raise ValueError("customers need a bankgiro or iban to pay to")
        return self
