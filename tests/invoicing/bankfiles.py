"""Small bank files for the invoicing tests: a camt.054 notification and a BgMax report.

The layouts follow DOMAIN.md section 6 (the importers' own documentation); the importers
read them as they read a bank's files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Payment:
    """One payment: amount signed from the account holder's side, reference or text."""

    date: datetime.date
    amount: Decimal
    ref: str
    name: str
    ocr: str | None = None
    message: str | None = None


def camt054(path: Path, iban: str, payments: list[Payment]) -> Path:
    """Write a camt.054.001.02 debit/credit notification for ``iban``."""
    entries = []
    for p in payments:
        side = "CRDT" if p.amount > 0 else "DBIT"
        party = "Dbtr" if p.amount > 0 else "Cdtr"
        remittance = (f"<Strd><CdtrRefInf><Ref>{p.ocr}</Ref></CdtrRefInf></Strd>" if p.ocr
                      else f"<Ustrd>{escape(p.message or '')}</Ustrd>")
        entries.append(
            f"<Ntry><Amt Ccy=\"SEK\">{abs(p.amount):.2f}</Amt><CdtDbtInd>{side}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{p.date}</Dt></BookgDt>"
            f"<AcctSvcrRef>{p.ref}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<Amt Ccy=\"SEK\">{abs(p.amount):.2f}</Amt><CdtDbtInd>{side}</CdtDbtInd>"
            f"<RltdPties><{party}><Nm>{escape(p.name)}</Nm></{party}></RltdPties>"
            f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">'
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>N1</MsgId>"
        "<CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr><Ntfctn><Id>N1</Id>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>SEK</Ccy></Acct>{''.join(entries)}"
        "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n", encoding="utf-8")
    return path


def _line(text: str) -> str:
    return text.ljust(80)[:80]


def bgmax(path: Path, bankgiro: str, payments: list[Payment]) -> Path:
    """Write a BgMax report: one deposit to ``bankgiro`` holding every payment."""
    lines = [_line("01BGMAX" + " " * 15 + "01" + "20261201060000000000" + "P")]
    lines.append(_line("05" + bankgiro.replace("-", "").zfill(10) + " " * 10 + "SEK"))
    for n, p in enumerate(payments, start=1):
        cents = int(p.amount * 100)
        reference = (p.ocr or "").ljust(25)
        code = "2" if p.ocr else "1"
        lines.append(_line("20" + "0009912346" + reference + str(cents).zfill(18) + code
                           + "0" + str(n).zfill(12)))
        if p.message:
            lines.append(_line("25" + p.message))
        lines.append(_line("26" + p.name))
    total = sum(int(p.amount * 100) for p in payments)
    date = payments[0].date.strftime("%Y%m%d")
    lines.append(_line("15" + "0000000000000000000012345678".ljust(35) + date + "00001"
                       + str(total).zfill(18) + "SEK" + str(len(payments)).zfill(8)))
    lines.append(_line("70" + str(len(payments)).zfill(8) + "0" * 8 + "0" * 8
                       + "00000001"))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("iso-8859-1"))
    return path
