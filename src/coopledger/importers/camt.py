"""ISO 20022 camt.053 (statements) and camt.054 (notifications), versions 001.02 to 001.08.

Elements are matched by their local names, whatever the namespace version says. The XML
is parsed safely (:func:`parse_xml`): a file with a document type declaration goes
through ``defusedxml`` (entity declarations and external references are refused); one
without can declare no entity and refer to nothing outside, and goes through Python's
own C parser, which builds the same tree twice as fast. ``read_camt`` returns one
:class:`~coopledger.bank.model.Statement` per ``Stmt`` or ``Ntfctn``:

* the account from ``Acct/Id/IBAN`` or ``Acct/Id/Othr/Id`` (BBAN, bankgiro);
* ``OPBD`` (else ``PRCD``) as the opening and ``CLBD`` as the closing booked balance;
* one entry per ``Ntry`` with ``Sts`` BOOK; PDNG and INFO entries are skipped and reported;
* the dedup key ``AcctSvcrRef``, else ``NtryRef`` + date + amount, else date + amount +
  the entry's position among equal ones;
* a batch (many ``TxDtls``) stays one entry whose legs sum to it; when the details do
  not add up to the entry, the entry is kept whole;
* ``RvslInd`` true marks a reversal; the OCR number is ``RmtInf/Strd/CdtrRefInf/Ref``.

Any other message (camt.052 intraday reports, unknown types) is refused with a clear
message, as is an amount in another currency than the statement's.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import ClassVar
from xml.etree.ElementTree import Element, ParseError, XMLParser

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from coopledger.bank.model import (
    BankFileError,
    BankTxn,
    Leg,
    Statement,
    StatementBalance,
    normalise_account_id,
    ocr_digits,
)
from coopledger.importers.base import BankImporter, read_bytes, read_head

MESSAGES = {"BkToCstmrStmt": ("camt.053", "Stmt"),
            "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn")}
AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
REFUSED = {"BkToCstmrAcctRpt": "camt.052 (intraday account report) is not a booked "
                               "statement; import the day's camt.053 instead"}


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def namespace(element: Element) -> str:
    """The ``{uri}`` prefix of an element's name (empty when it has none)."""
    tag = element.tag
    return tag[:tag.find("}") + 1] if tag[:1] == "{" else ""


def children(element: Element, name: str) -> Iterator[Element]:
    """The direct children with this local name, in the element's namespace.

    A name with its namespace is what the parser's own (C) child search takes; a
    comparison of local names in Python per child costs more than the parse.
    """
    return iter(element.findall(namespace(element) + name))


class _Names(dict[str, tuple[str, ...]]):
    """``/``-separated paths of local names as tuples of names in one namespace.

    Made once per path and namespace, then one dictionary lookup: a statement asks about
    20 paths an entry, which is most of the reader's time after the parse.
    """

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, path: str) -> tuple[str, ...]:
        tags = tuple(self.prefix + name for name in path.split("/"))
        self[path] = tags
        return tags


_NAMES: dict[str, _Names] = {}


def _names(tag: str) -> _Names:
    """The paths in the namespace of an element with this tag."""
    prefix = tag[:tag.find("}") + 1] if tag[:1] == "{" else ""
    names = _NAMES.get(prefix)
    if names is None:
        names = _NAMES.setdefault(prefix, _Names(prefix))
    return names


def find(element: Element | None, path: str) -> Element | None:
    """The first element down a ``/``-separated path of local names (one namespace)."""
    if element is None:
        return None
    for name in _names(element.tag)[path]:
        element = element.find(name)
        if element is None:
            return None
    return element


def text(element: Element | None, path: str) -> str | None:
    """The stripped text at a path, or None if absent or empty."""
    found = find(element, path)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def sniff_camt(path: str) -> bool:
    """Whether a file is an ISO 20022 cash-management (camt) XML message."""
    head = read_head(path)
    return b"<" in head[:200] and (b"iso:20022:tech:xsd:camt." in head
                                   or b"BkToCstmr" in head)


def has_no_dtd(raw: bytes) -> bool:
    """Whether the bytes surely hold no document type declaration (so no entities).

    Entity declarations and external references can only come in a DTD, which starts
    ``<!DOCTYPE`` (XML names are case-sensitive). The parser reads ASCII-compatible
    encodings byte for byte (expat refuses an 8-bit encoding that moves an ASCII
    character XML needs), so there those bytes would be seen; UTF-16 and UTF-32 spell
    ``<`` with a zero byte, which XML text never holds otherwise: any zero byte sends the
    file to the careful path.
    """
    return b"<!DOCTYPE" not in raw and b"<!ENTITY" not in raw and b"\0" not in raw


def parse_xml(path: str, raw: bytes) -> Element:
    """Parse XML safely.

    A file without a DTD (:func:`has_no_dtd`) is parsed by Python's C parser; any other
    by ``defusedxml``, which refuses its entities and external references. Both build
    the same tree and raise the same errors for malformed XML (the same expat messages).

    Raises:
        BankFileError: Malformed XML, or entities, DTDs or external references.
    """
    try:
        root: Element
        if has_no_dtd(raw):
            parser = XMLParser()  # noqa: S314 - no DTD, so no entity to expand or fetch
            parser.feed(raw)
            root = parser.close()
        else:
            root = defusedxml.ElementTree.fromstring(raw)
    except DefusedXmlException as exc:
        raise BankFileError(path, "", f"refused unsafe XML ({type(exc).__name__}): "
                            "entity declarations and external references are not "
                            "allowed in a bank file") from None
    except ParseError as exc:
        line, column = exc.position
        raise BankFileError(path, f"line {line}, column {column}",
                            f"not well-formed XML ({str(exc).split(':')[0]})") from None
    except (LookupError, ValueError) as exc:  # an encoding Python lacks, or multi-byte
        # (expat reads UTF-16 itself, but not one declared by another name, UTF-16-LE)
        raise BankFileError(path, "line 1", f"XML declaration: {exc}") from None
    return root


def read_camt(path: str) -> list[Statement]:
    """Read a camt.053 or camt.054 file.

    Args:
        path: The file.

    Returns:
        Its statements (notifications), in file order.

    Raises:
        BankFileError: Unsafe or malformed XML, another message type, or a bad element.
    """
    root = parse_xml(path, read_bytes(path))
    message = next(iter(root), None) if local(root.tag) == "Document" else None
    name = local(message.tag) if message is not None else local(root.tag)
    if name in REFUSED:
        raise BankFileError(path, name, REFUSED[name])
    if message is None or name not in MESSAGES:
        raise BankFileError(path, name, "unknown message type; coopledger reads camt.053 "
                            "(BkToCstmrStmt) and camt.054 (BkToCstmrDbtCdtNtfctn)")
    kind, report = MESSAGES[name]
    statements = [_statement(path, kind, element, f"{report}[{i}]")
                  for i, element in enumerate(children(message, report), 1)]
    if not statements:
        raise BankFileError(path, name, f"no {report} element: the message is empty")
    return statements


# The walk below reaches every element from the statement by names in the statement's
# namespace, so every element it holds is in that namespace: the paths are looked up
# once per statement (``names``) instead of from each element's tag.


def _at(element: Element | None, tags: tuple[str, ...]) -> Element | None:
    # find(), with the path's names already in the element's namespace.
    for tag in tags:
        if element is None:
            return None
        element = element.find(tag)
    return element


def _text_at(element: Element | None, tags: tuple[str, ...]) -> str | None:
    # text(), with the path's names already in the element's namespace.
    for tag in tags:
        if element is None:
            return None
        element = element.find(tag)
    if element is None:
        return None
    return (element.text or "").strip() or None


def _amount(path: str, element: Element | None, where: str) -> tuple[Decimal, str | None]:
    raw = (element.text or "").strip() if element is not None else ""
    if element is None or not raw:
        raise BankFileError(path, where, "amount missing")
    if not AMOUNT.fullmatch(raw):
        raise BankFileError(path, where, f"not an unsigned decimal amount: {raw[:40]!r}")
    return Decimal(raw), element.get("Ccy")


def _sign(path: str, element: Element, where: str, names: _Names,
          default: str | None = None) -> int:
    indicator = _text_at(element, names["CdtDbtInd"]) or default
    if indicator == "CRDT":
        return 1
    if indicator != "DBIT":
        raise BankFileError(path, f"{where}/CdtDbtInd", f"expected CRDT or DBIT, "
                            f"found {indicator!r}")
    return -1


def _date(path: str, element: Element | None, where: str,
          names: _Names) -> datetime.date | None:
    value = _text_at(element, names["Dt"]) or _text_at(element, names["DtTm"])
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise BankFileError(path, where, f"not a date: {value!r}") from None


def _statement(path: str, kind: str, element: Element, where: str) -> Statement:
    names = _names(element.tag)
    acct = _at(element, names["Acct"])
    ids = [v for v in (_text_at(acct, names["Id/IBAN"]), _text_at(acct, names["Id/Othr/Id"]))
           if v]
    currency = _text_at(acct, names["Ccy"])
    balances: dict[str, StatementBalance] = {}
    for i, bal in enumerate(children(element, "Bal"), 1):
        code = _text_at(bal, names["Tp/CdOrPrtry/Cd"])
        if code not in ("OPBD", "PRCD", "CLBD"):
            continue
        here = f"{where}/Bal[{i}]"
        amount, ccy = _amount(path, _at(bal, names["Amt"]), f"{here}/Amt")
        currency = currency or ccy
        if ccy and ccy != currency:
            raise BankFileError(path, f"{here}/Amt", f"{code} balance in {ccy} on a "
                                f"{currency} account")
        date = _date(path, _at(bal, names["Dt"]), f"{here}/Dt", names)
        if date is None:
            raise BankFileError(path, f"{here}/Dt", "balance date missing")
        balances.setdefault(code, StatementBalance(date, amount * _sign(path, bal, here,
                                                                        names)))
    booked: list[BankTxn] = []
    pending: list[BankTxn] = []
    seen: dict[tuple[datetime.date, Decimal], int] = {}
    (amt,), (status,), status_code = names["Amt"], names["Sts"], names["Cd"]
    for i, ntry in enumerate(children(element, "Ntry"), 1):
        here = f"{where}/Ntry[{i}]"
        amount, ccy = _amount(path, ntry.find(amt), f"{here}/Amt")
        currency = currency or ccy
        if ccy and ccy != currency:
            raise BankFileError(path, f"{here}/Amt", f"entry in {ccy} on a {currency} "
                                "account")
        txn = _entry(path, ntry, here, amount * _sign(path, ntry, here, names), seen, names)
        state = ntry.find(status)  # Sts/Cd, else the text of Sts, else booked
        code = _text_at(state, status_code) or _text_at(state, ()) or "BOOK"
        (booked if code == "BOOK" else pending).append(txn)
    if currency is None:
        raise BankFileError(path, f"{where}/Acct", "no currency on the account, its "
                            "balances or its entries")
    return Statement(path, kind, tuple(normalise_account_id(i) for i in ids), currency,
                     tuple(booked), balances.get("OPBD") or balances.get("PRCD"),
                     balances.get("CLBD"), tuple(pending), _text_at(element, names["Id"]))


def _entry(path: str, ntry: Element, where: str, amount: Decimal,
           seen: dict[tuple[datetime.date, Decimal], int], names: _Names) -> BankTxn:
    date = (_date(path, _at(ntry, names["BookgDt"]), f"{where}/BookgDt", names)
            or _date(path, _at(ntry, names["ValDt"]), f"{where}/ValDt", names))
    if date is None:
        raise BankFileError(path, f"{where}/BookgDt", "booking date missing")
    reversal = (_text_at(ntry, names["RvslInd"]) or "").lower() in ("true", "1")
    direction = "CRDT" if amount >= 0 else "DBIT"
    (details_tag,), (tx_tag,) = names["NtryDtls"], names["TxDtls"]
    details = [d for nd in ntry.findall(details_tag) for d in nd.findall(tx_tag)]
    parsed = [_leg(path, d, f"{where}/TxDtls[{i}]", direction, names)
              for i, d in enumerate(details, 1)]
    legs = [leg for known, leg in parsed if known]
    info = _text_at(ntry, names["AddtlNtryInf"])
    if not parsed or len(legs) < len(parsed) or sum(x.amount for x in legs) != amount:
        whole = [leg for _, leg in parsed]
        messages = " / ".join(dict.fromkeys(m for m in (x.message for x in whole) if m))
        ocrs = {x.ocr for x in whole if x.ocr}
        first = whole[0] if len(whole) == 1 else None
        legs = [Leg(amount, first.payee if first else None, messages or info,
                    ocrs.pop() if len(ocrs) == 1 else None,
                    first.counterparty if first else None)]
    ref = _text_at(ntry, names["AcctSvcrRef"])
    if ref is None:
        ntry_ref = _text_at(ntry, names["NtryRef"])
        count = seen.get((date, amount), 0) + 1
        seen[(date, amount)] = count
        ref = (f"{ntry_ref}/{date}/{amount}" if ntry_ref
               else f"{date}/{amount}/{count}")
    return BankTxn(date, amount, ref, tuple(legs), reversal, where)


def _leg(path: str, tx: Element, where: str, direction: str,
         names: _Names) -> tuple[bool, Leg]:
    """A transaction detail as a leg; False first when it states no amount."""
    amt = _at(tx, names["Amt"])
    if amt is None:
        amt = _at(tx, names["AmtDtls/TxAmt/Amt"])
    amount = Decimal(0)
    if amt is not None:
        value, _ = _amount(path, amt, f"{where}/Amt")
        amount = value * _sign(path, tx, where, names, default=direction)
    parties = _at(tx, names["RltdPties"])
    payer_side = "Dbtr" if direction == "CRDT" else "Cdtr"
    party = _at(parties, names[payer_side])
    payee = _text_at(party, names["Nm"]) or _text_at(party, names["Pty/Nm"])
    account = _at(parties, names[f"{payer_side}Acct/Id"])
    counterparty = _text_at(account, names["IBAN"]) or _text_at(account, names["Othr/Id"])
    rmt = _at(tx, names["RmtInf"])
    unstructured: list[str] = []
    reference = None
    if rmt is not None:
        (ustrd,), (strd,) = names["Ustrd"], names["Strd"]
        unstructured = [(u.text or "").strip() for u in rmt.findall(ustrd)]
        ref_path = names["CdtrRefInf/Ref"]
        for structured in rmt.findall(strd):
            reference = reference or _text_at(structured, ref_path)
    message = " ".join(u for u in unstructured if u) or _text_at(tx, names["AddtlTxInf"])
    end_to_end = _text_at(tx, names["Refs/EndToEndId"])
    return amt is not None, Leg(
        amount, payee, message or reference, ocr_digits(reference),
        normalise_account_id(counterparty) if counterparty else None,
        end_to_end if end_to_end and end_to_end.upper() != "NOTPROVIDED" else None)


class CamtImporter(BankImporter):
    """camt.053 and camt.054 files (ISO 20022 bank-to-customer cash management)."""

    kind: ClassVar[str] = "camt"

    def sniff(self, filepath: str) -> bool:
        """Whether the file is a camt XML message."""
        return sniff_camt(filepath)

    def read(self, filepath: str) -> list[Statement]:
        """The file's statements."""
        return read_camt(filepath)

