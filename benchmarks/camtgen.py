"""A synthetic ISO 20022 camt.053.001.02 statement of any length, for the import benchmark.

One ``Stmt`` for one account (identified by its BBAN in ``Acct/Id/Othr/Id``), opening and
closing booked balances that add up, and N booked entries alternating between incoming
customer payments with an OCR reference and outgoing supplier payments with a message,
each with its own ``AcctSvcrRef``. Deterministic for a seed.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from xml.sax.saxutils import escape

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _amount(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def camt_statement(entries: int, bban: str, start: datetime.date, *, seed: int = 53) -> str:
    """The statement as XML text.

    Args:
        entries: Number of ``Ntry`` elements.
        bban: The account's BBAN.
        start: The first booking date; entries spread over the following year.
        seed: The random seed.

    Returns:
        The XML document.
    """
    rng = random.Random(seed)
    opening = 10_000_000
    balance = opening
    days = [start + datetime.timedelta(days=rng.randrange(365)) for _ in range(entries)]
    days.sort()
    parts = []
    for number, day in enumerate(days, start=1):
        ore = rng.randrange(100, 2_000_000)
        incoming = number % 2 == 1
        balance += ore if incoming else -ore
        direction = "CRDT" if incoming else "DBIT"
        party = "Dbtr" if incoming else "Cdtr"
        name = escape(f"{'Kund' if incoming else 'Leverantör'} {rng.randrange(1, 500)} AB")
        remittance = (f"<Strd><CdtrRefInf><Ref>{7000000 + number}</Ref></CdtrRefInf></Strd>"
                      if incoming else f"<Ustrd>Faktura {number}</Ustrd>")
        parts.append(
            f"<Ntry><NtryRef>{number}</NtryRef><Amt Ccy=\"SEK\">{_amount(ore)}</Amt>"
            f"<CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>BENCH-{number:08d}</AcctSvcrRef>"
            f"<BkTxCd><Prtry><Cd>{direction}</Cd></Prtry></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>BENCH-{number:08d}</AcctSvcrRef></Refs>"
            f"<AmtDtls><TxAmt><Amt Ccy=\"SEK\">{_amount(ore)}</Amt></TxAmt></AmtDtls>"
            f"<RltdPties><{party}><Nm>{name}</Nm></{party}></RltdPties>"
            f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>")
    last = days[-1] if days else start
    balances = "".join(
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f"<Amt Ccy=\"SEK\">{_amount(abs(value))}</Amt>"
        f"<CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
        for code, value, day in (("OPBD", opening, start), ("CLBD", balance, last)))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NAMESPACE}">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>BENCH-{entries}</MsgId>"
        f"<CreDtTm>{last}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>BENCH-STMT-{entries}</Id><ElctrncSeqNb>1</ElctrncSeqNb>"
        f"<CreDtTm>{last}T18:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{start}T00:00:00</FrDtTm><ToDtTm>{last}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><Othr><Id>{bban}</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id>"
        f"<Ccy>SEK</Ccy></Acct>{balances}{''.join(parts)}</Stmt></BkToCstmrStmt></Document>\n")


def write_statement(path: Path, entries: int, bban: str, start: datetime.date) -> Path:
    """Write a statement file; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(camt_statement(entries, bban, start), encoding="utf-8")
    return path
