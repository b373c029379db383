"""The e-invoice: Peppol BIS Billing 3.0, a UBL 2.1 ``Invoice`` or ``CreditNote``.

:func:`ubl_document` turns a booked invoice, its seller and its customer into the UBL
document a public buyer receives over Peppol (DOMAIN.md, section 8). The seller is
identified by its organisation number (scheme 0007) as legal registration and Peppol
endpoint, its VAT number is ``SE`` + orgnr digits + ``01``; the payment means is a credit
transfer (code 30) to the seller's bankgiro (``SE:BANKGIRO``) or IBAN, with the OCR as
payment id. Every amount is the booked one: line nets, VAT per rate and the total are
taken from the same :class:`~coopledger.invoicing.invoice.Invoice` that was booked, so
the document's totals equal the books. Tests run CEN's EN 16931 rules and OpenPEPPOL's
rules over every invoice the example books issue.
"""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree as ET

from coopledger.entities import Entity
from coopledger.invoicing.invoice import Invoice
from coopledger.invoicing.parties import Customer, Seller

CUSTOMIZATION_ID = ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
                    "billing:3.0")
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: The reason printed for exempt lines (VAT category E): health and social care.
EXEMPTION_REASON = "Undantag från skatteplikt, 3 kap. mervärdesskattelagen"



# Elements are named with their usual prefixes, declared on the root element, so that the
# document reads like every other UBL invoice and no process-wide prefix map is touched.
def _cbc(parent: ET.Element, tag: str, text: str | None = None,
         **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"cbc:{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _cac(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"cac:{name}")


def _money(parent: ET.Element, name: str, amount: Decimal, currency: str) -> None:
    _cbc(parent, name, f"{amount:.2f}", currencyID=currency)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _category(rate: Decimal) -> str:
    return "S" if rate else "E"


def _tax_category(parent: ET.Element, tag: str, rate: Decimal) -> None:
    category = _cac(parent, tag)
    _cbc(category, "ID", _category(rate))
    _cbc(category, "Percent", f"{rate:.2f}".rstrip("0").rstrip("."))
    if not rate and tag == "TaxCategory":
        _cbc(category, "TaxExemptionReason", EXEMPTION_REASON)
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _address(parent: ET.Element, street: str | None, postcode: str | None,
             city: str | None, country: str) -> None:
    address = _cac(parent, "PostalAddress")
    if street:
        _cbc(address, "StreetName", street)
    if city:
        _cbc(address, "CityName", city)
    if postcode:
        _cbc(address, "PostalZone", postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", country)


def _endpoint(peppol: str) -> tuple[str, str]:
    scheme, _, ident = peppol.partition(":")
    return scheme, ident


def seller_vat_number(entity: Entity, seller: Seller) -> str | None:
    """The seller's VAT number: declared, else ``SE`` + orgnr digits + ``01``."""
    if seller.vat_number:
        return seller.vat_number
    return f"SE{_digits(entity.orgnr)}01" if entity.orgnr else None


def ubl_document(invoice: Invoice, entity: Entity, seller: Seller, customer: Customer,
                 currency: str = "SEK") -> bytes:
    """The Peppol BIS Billing 3.0 document of an invoice or credit note.

    Args:
        invoice: The booked invoice.
        entity: The seller's entity declaration (name, orgnr).
        seller: The seller's invoicing settings (address, bankgiro).
        customer: The customer.
        currency: The invoice currency.

    Returns:
        The UTF-8 XML document.
    """
    credit = invoice.is_credit_note
    root = ET.Element("CreditNote" if credit else "Invoice",
                      {"xmlns": NS_CREDIT if credit else NS_INVOICE, "xmlns:cac": CAC,
                       "xmlns:cbc": CBC})
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", invoice.date.isoformat())
    if not credit:
        _cbc(root, "DueDate", invoice.due.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit
         else "380")
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", invoice.buyer_reference or customer.reference
         or invoice.customer)
    if credit and invoice.credits:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", invoice.credits)
    _supplier(root, entity, seller)
    _customer(root, customer)
    if not credit:
        _payment_means(root, invoice, seller)
    _cbc(_cac(root, "PaymentTerms"), "Note",
         f"{customer.terms} dagar netto. Dröjsmålsränta enligt räntelagen.")
    _tax_total(root, invoice, currency)
    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", invoice.net, currency)
    _money(totals, "TaxExclusiveAmount", invoice.net, currency)
    _money(totals, "TaxInclusiveAmount", invoice.total, currency)
    _money(totals, "PayableAmount", invoice.total, currency)
    for number, line in enumerate(invoice.lines, start=1):
        element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(element, "ID", str(number))
        _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity",
             f"{line.quantity}", unitCode=line.unit)
        _money(element, "LineExtensionAmount", line.net, currency)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description)
        _tax_category(item, "ClassifiedTaxCategory", line.vat_rate)
        _money(_cac(element, "Price"), "PriceAmount", line.unit_price, currency)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _supplier(root: ET.Element, entity: Entity, seller: Seller) -> None:
    party = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    orgnr = _digits(entity.orgnr or "")
    scheme, ident = _endpoint(seller.peppol or f"0007:{orgnr}")
    _cbc(party, "EndpointID", ident, schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", entity.name)
    _address(party, seller.street, seller.postcode, seller.city, "SE")
    vat = seller_vat_number(entity, seller)
    if vat:
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", vat)
        _cbc(_cac(tax, "TaxScheme"), "ID", "VAT")
    tax = _cac(party, "PartyTaxScheme")
    _cbc(tax, "CompanyID", "Godkänd för F-skatt")
    _cbc(_cac(tax, "TaxScheme"), "ID", "TAX")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", entity.name)
    if orgnr:
        _cbc(legal, "CompanyID", orgnr, schemeID="0007")
    if seller.email:
        _cbc(_cac(party, "Contact"), "ElectronicMail", seller.email)


def _customer(root: ET.Element, customer: Customer) -> None:
    party = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    orgnr = _digits(customer.orgnr or "")
    peppol = customer.peppol or (f"0007:{orgnr}" if orgnr else None)
    if peppol:
        scheme, ident = _endpoint(peppol)
        _cbc(party, "EndpointID", ident, schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", customer.name)
    _address(party, customer.street, customer.postcode, customer.city, customer.country)
    if customer.vat_number:
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", customer.vat_number)
        _cbc(_cac(tax, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", customer.name)
    if orgnr:
        _cbc(legal, "CompanyID", orgnr, schemeID="0007")


def _payment_means(root: ET.Element, invoice: Invoice, seller: Seller) -> None:
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", "30", name="Credit transfer")
    _cbc(means, "PaymentID", invoice.ocr)
    account = _cac(means, "PayeeFinancialAccount")
    if seller.bankgiro:
        _cbc(account, "ID", _digits(seller.bankgiro))
        _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", "SE:BANKGIRO")
    elif seller.iban:
        _cbc(account, "ID", seller.iban)


def _tax_total(root: ET.Element, invoice: Invoice, currency: str) -> None:
    total = _cac(root, "TaxTotal")
    _money(total, "TaxAmount", invoice.vat, currency)
    vats = invoice.vat_by_rate()
    for rate, net in invoice.net_by_rate().items():
        subtotal = _cac(total, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", net, currency)
        _money(subtotal, "TaxAmount", vats[rate], currency)
        _tax_category(subtotal, "TaxCategory", rate)
