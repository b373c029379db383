"""The printable invoice and reminder: Swedish HTML printed to PDF by headless Chromium.

:func:`invoice_html` and :func:`reminder_html` lay out one A4 page (seller, customer,
lines, VAT per rate, the total, and the payment slip: bankgiro, OCR, due date) as plain
HTML with its own CSS; :func:`coopledger.printing.write_pdf` (re-exported here) prints it
with Chromium's ``--print-to-pdf``. Amounts are formatted the Swedish way
(``12 500,00 kr``).
"""

from __future__ import annotations

import html
from decimal import Decimal

from coopledger.entities import Entity
from coopledger.invoicing.invoice import Invoice
from coopledger.invoicing.parties import Customer, Seller
from coopledger.printing import CHROMIUM, write_pdf

__all__ = ["CHROMIUM", "invoice_html", "reminder_html", "sek", "write_pdf"]

_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 20pt; margin: 0 0 4mm 0; }
.parties { display: flex; justify-content: space-between; margin-bottom: 8mm; }
.box { width: 48%; }
table { width: 100%; border-collapse: collapse; margin-bottom: 6mm; }
th, td { text-align: left; padding: 1.5mm 2mm; border-bottom: 0.3mm solid #bbb; }
td.n, th.n { text-align: right; }
.total td { font-weight: bold; border-bottom: 0.6mm solid #111; }
.slip { border: 0.5mm solid #111; padding: 4mm; margin-top: 10mm; }
.slip b { font-size: 12pt; }
.small { font-size: 8pt; color: #444; }
"""


def sek(amount: Decimal) -> str:
    """An amount the Swedish way: space thousands, decimal comma, ``kr``."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} kr"


def _e(text: object) -> str:
    return html.escape(str(text))


def _address(name: str, street: str | None, postcode: str | None, city: str | None,
             ) -> str:
    parts = [f"<b>{_e(name)}</b>"]
    if street:
        parts.append(_e(street))
    if postcode or city:
        parts.append(_e(f"{postcode or ''} {city or ''}".strip()))
    return "<br>".join(parts)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
            f"<body>{body}</body></html>")


def _seller_footer(entity: Entity, seller: Seller) -> str:
    bits = [_e(entity.name)]
    if entity.orgnr:
        bits.append(f"Org.nr {_e(entity.orgnr)}")
    bits.append("Godkänd för F-skatt")
    if seller.email:
        bits.append(_e(seller.email))
    return f'<p class="small">{" · ".join(bits)}</p>'


def _slip(amount: Decimal, ocr: str, due: str, seller: Seller) -> str:
    account = (f"Bankgiro {_e(seller.bankgiro)}" if seller.bankgiro
               else f"IBAN {_e(seller.iban)}")
    return (f'<div class="slip">Betala till / Pay to: <b>{account}</b><br>'
            f"OCR-nummer / Reference: <b>{_e(ocr)}</b><br>"
            f"Att betala / Amount due: <b>{sek(amount)}</b><br>"
            f"Förfallodag / Due date: <b>{_e(due)}</b></div>")


def invoice_html(invoice: Invoice, entity: Entity, seller: Seller,
                 customer: Customer) -> str:
    """The invoice (or credit note) as one HTML page, in Swedish.

    Args:
        invoice: The booked invoice.
        entity: The seller's entity declaration.
        seller: The seller's invoicing settings.
        customer: The customer.

    Returns:
        The HTML document.
    """
    title = "Kreditfaktura" if invoice.is_credit_note else "Faktura"
    facts = [f"Fakturanummer: {_e(invoice.number)}", f"Fakturadatum: {invoice.date}"]
    if invoice.credits:
        facts.append(f"Krediterar faktura: {_e(invoice.credits)}")
    else:
        facts.append(f"Förfallodag: {invoice.due}")
    if invoice.buyer_reference:
        facts.append(f"Er referens: {_e(invoice.buyer_reference)}")
    rows = "".join(
        f"<tr><td>{_e(line.description)}</td><td class='n'>{_e(line.quantity)}</td>"
        f"<td class='n'>{sek(line.unit_price)}</td><td class='n'>{line.vat_rate} %</td>"
        f"<td class='n'>{sek(line.net)}</td></tr>" for line in invoice.lines)
    vats = invoice.vat_by_rate()
    vat_rows = "".join(
        f"<tr><td colspan='4'>Moms {rate} % på {sek(net)}</td>"
        f"<td class='n'>{sek(vats[rate])}</td></tr>"
        for rate, net in invoice.net_by_rate().items())
    body = (
        f"<h1>{title}</h1>"
        f"<div class='parties'><div class='box'>"
        f"{_address(entity.name, seller.street, seller.postcode, seller.city)}</div>"
        f"<div class='box'>"
        f"{_address(customer.name, customer.street, customer.postcode, customer.city)}"
        f"</div></div><p>{'<br>'.join(facts)}</p>"
        "<table><tr><th>Beskrivning</th><th class='n'>Antal</th><th class='n'>À-pris</th>"
        "<th class='n'>Moms</th><th class='n'>Belopp</th></tr>"
        f"{rows}<tr><td colspan='4'>Summa exkl. moms</td><td class='n'>{sek(invoice.net)}"
        f"</td></tr>{vat_rows}<tr class='total'><td colspan='4'>"
        f"{'Att återfå' if invoice.is_credit_note else 'Att betala'}</td>"
        f"<td class='n'>{sek(invoice.total)}</td></tr></table>"
        f"<p>Betalningsvillkor: {customer.terms} dagar netto. Vid betalning efter "
        "förfallodagen debiteras dröjsmålsränta enligt räntelagen.</p>")
    if not invoice.is_credit_note:
        body += _slip(invoice.total, invoice.ocr, str(invoice.due), seller)
    body += _seller_footer(entity, seller)
    return _page(f"{title} {invoice.number}", body)


def reminder_html(*, number: str, date: str, invoice: Invoice, open_amount: Decimal,
                  interest: Decimal, fee: Decimal, rate: Decimal, entity: Entity,
                  seller: Seller, customer: Customer) -> str:
    """A payment reminder (betalningspåminnelse) as one HTML page, in Swedish.

    Args:
        number: The reminder's id.
        date: The reminder date.
        invoice: The overdue invoice.
        open_amount: What is still unpaid of it.
        interest: Late-payment interest charged on this reminder.
        fee: The reminder fee charged (0 when none is agreed).
        rate: The interest rate, percent a year.
        entity: The seller's entity declaration.
        seller: The seller's invoicing settings.
        customer: The customer.

    Returns:
        The HTML document.
    """
    total = open_amount + interest + fee
    body = (
        "<h1>Betalningspåminnelse</h1>"
        f"<div class='parties'><div class='box'>"
        f"{_address(entity.name, seller.street, seller.postcode, seller.city)}</div>"
        f"<div class='box'>"
        f"{_address(customer.name, customer.street, customer.postcode, customer.city)}"
        f"</div></div><p>Påminnelse {_e(number)}, {_e(date)}<br>"
        f"Faktura {_e(invoice.number)} med förfallodag {invoice.due} är inte betald.</p>"
        "<table><tr><th>Avser</th><th class='n'>Belopp</th></tr>"
        f"<tr><td>Obetalt på faktura {_e(invoice.number)}</td>"
        f"<td class='n'>{sek(open_amount)}</td></tr>"
        f"<tr><td>Dröjsmålsränta {rate} % per år (räntelagen 6 §)</td>"
        f"<td class='n'>{sek(interest)}</td></tr>"
        f"<tr><td>Påminnelseavgift</td><td class='n'>{sek(fee)}</td></tr>"
        f"<tr class='total'><td>Att betala</td><td class='n'>{sek(total)}</td></tr>"
        "</table>")
    body += _slip(total, invoice.ocr, "omgående", seller)
    body += _seller_footer(entity, seller)
    return _page(f"Påminnelse {number}", body)
