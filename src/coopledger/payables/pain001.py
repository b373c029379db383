"""ISO 20022 ``pain.001.001.03``: the credit-transfer file that pays supplier invoices.

Swedish banks take version 3 of the customer credit transfer initiation, per the Swedish
banks' common implementation guide (DOMAIN.md, section 8). One file holds one payment
information block per execution date; each supplier invoice is one credit transfer:

- to a **bankgiro** number: creditor account ``Othr/Id`` with ``SchmeNm/Prtry`` ``BGNR``
  and the creditor agent's clearing member id 9900 (Bankgirot);
- to a **plusgiro** number: ``Othr/Id`` with ``SchmeNm/Cd`` ``BBAN`` and the clearing
  member id 9960 (Plusgirot);
- to an **IBAN**: ``IBAN``, with the supplier's BIC as creditor agent where declared.

The OCR goes in the structured remittance (``CdtrRefInf`` of type ``SCOR``); without one
the invoice number goes in the unstructured text. ``NbOfTxs`` and ``CtrlSum`` of the group
and of each block are the counts and sums of the payments, which are the open amounts of
2440 in the books. Tests validate the file against ISO's XSD.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal
from xml.etree import ElementTree as ET

from coopledger.payables.invoices import DuePayment

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
BANKGIROT = "9900"
PLUSGIROT = "9960"


def _el(parent: ET.Element, tag: str, text: str | None = None,
        **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _path(parent: ET.Element, path: str, text: str) -> ET.Element:
    node = parent
    for tag in path.split("/"):
        node = _el(node, tag)
    node.text = text
    return node


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _name(text: str) -> str:
    return text[:70]


def credit_transfer(*, message_id: str, created: datetime.datetime, debtor_name: str,
                    debtor_orgnr: str | None, debtor_iban: str, debtor_bic: str | None,
                    payments: Sequence[DuePayment], execution: datetime.date,
                    currency: str = "SEK") -> bytes:
    """The pain.001.001.03 document paying ``payments``.

    Args:
        message_id: A unique id of the file (at most 35 characters).
        created: When the file was made.
        debtor_name: The payer's name.
        debtor_orgnr: The payer's organisation number (initiating party id).
        debtor_iban: The account the money leaves.
        debtor_bic: The payer's bank's BIC, if known.
        payments: The invoices to pay.
        execution: The earliest execution date; an invoice due later is paid on its due
            date.
        currency: The currency of every payment.

    Returns:
        The UTF-8 XML document.

    Raises:
        ValueError: No payments, or a message id longer than 35 characters.
    """
    if not payments:
        raise ValueError("no payments to put in the file")
    if len(message_id) > 35:
        raise ValueError(f"message id {message_id!r} is longer than 35 characters")
    root = ET.Element("Document", {"xmlns": NAMESPACE})  # the default namespace
    initiation = _el(root, "CstmrCdtTrfInitn")
    header = _el(initiation, "GrpHdr")
    _el(header, "MsgId", message_id)
    _el(header, "CreDtTm", created.replace(microsecond=0, tzinfo=None).isoformat())
    _el(header, "NbOfTxs", str(len(payments)))
    _el(header, "CtrlSum", _amount(sum((p.amount for p in payments), Decimal(0))))
    party = _el(header, "InitgPty")
    _el(party, "Nm", _name(debtor_name))
    if debtor_orgnr:
        other = _el(_el(_el(party, "Id"), "OrgId"), "Othr")
        _el(other, "Id", re.sub(r"\D", "", debtor_orgnr))
        _path(other, "SchmeNm/Cd", "BANK")
    by_date: dict[datetime.date, list[DuePayment]] = {}
    for payment in payments:
        by_date.setdefault(max(execution, payment.due), []).append(payment)
    for number, (day, batch) in enumerate(sorted(by_date.items()), start=1):
        block = _el(initiation, "PmtInf")
        _el(block, "PmtInfId", f"{message_id[:30]}-{number}")
        _el(block, "PmtMtd", "TRF")
        _el(block, "NbOfTxs", str(len(batch)))
        _el(block, "CtrlSum", _amount(sum((p.amount for p in batch), Decimal(0))))
        _path(block, "PmtTpInf/SvcLvl/Cd", "NURG")
        _el(block, "ReqdExctnDt", day.isoformat())
        _el(_el(block, "Dbtr"), "Nm", _name(debtor_name))
        account = _el(block, "DbtrAcct")
        _path(account, "Id/IBAN", debtor_iban)
        _el(account, "Ccy", currency)
        agent = _el(_el(block, "DbtrAgt"), "FinInstnId")
        if debtor_bic:
            _el(agent, "BIC", debtor_bic)
        else:
            _path(agent, "Othr/Id", "NOTPROVIDED")
        for payment in batch:
            _transfer(block, payment, currency)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _transfer(block: ET.Element, payment: DuePayment, currency: str) -> None:
    supplier = payment.supplier
    transfer = _el(block, "CdtTrfTxInf")
    ids = _el(transfer, "PmtId")
    _el(ids, "InstrId", payment.end_to_end_id)
    _el(ids, "EndToEndId", payment.end_to_end_id)
    _el(_el(transfer, "Amt"), "InstdAmt", _amount(payment.amount), Ccy=currency)
    if supplier.bankgiro or supplier.plusgiro:
        clearing = BANKGIROT if supplier.bankgiro else PLUSGIROT
        member = _el(_el(_el(transfer, "CdtrAgt"), "FinInstnId"), "ClrSysMmbId")
        _path(member, "ClrSysId/Cd", "SESBA")
        _el(member, "MmbId", clearing)
    elif supplier.bic:
        _path(transfer, "CdtrAgt/FinInstnId/BIC", supplier.bic)
    _el(_el(transfer, "Cdtr"), "Nm", _name(supplier.name))
    account = _el(_el(transfer, "CdtrAcct"), "Id")
    if supplier.bankgiro:
        other = _el(account, "Othr")
        _el(other, "Id", re.sub(r"\D", "", supplier.bankgiro))
        _path(other, "SchmeNm/Prtry", "BGNR")
    elif supplier.plusgiro:
        other = _el(account, "Othr")
        _el(other, "Id", re.sub(r"\D", "", supplier.plusgiro))
        _path(other, "SchmeNm/Cd", "BBAN")
    else:
        _el(account, "IBAN", supplier.iban or "")
    remittance = _el(transfer, "RmtInf")
    if payment.ocr:
        reference = _el(_el(remittance, "Strd"), "CdtrRefInf")
        _path(reference, "Tp/CdOrPrtry/Cd", "SCOR")
        _el(reference, "Ref", payment.ocr)
    else:
        _el(remittance, "Ustrd", f"Faktura {payment.invoice}"[:140])


def sent_ids(documents: Sequence[bytes]) -> set[str]:
    """The end-to-end ids of payments in earlier pain.001 files (not to be paid twice)."""
    import defusedxml.ElementTree as SafeET

    found: set[str] = set()
    for document in documents:
        root = SafeET.fromstring(document)
        found |= {e.text or "" for e in root.iter(f"{{{NAMESPACE}}}EndToEndId")}
    return found
