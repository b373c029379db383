"""Writing SIE 4E and 4I files: strict in what it writes.

The writer takes a :class:`~coopledger.sie.records.SieFile` (as the reader returns it, or
as :mod:`coopledger.sie.export` builds it from the books) and renders it as the spec asks:
CP437 (``#FORMAT PC8``), CRLF line ends, only standard labels, amounts with a decimal
point and two decimals, dates ``YYYYMMDD``, text quoted with ``\\"`` for a quote, and a
``#KSUMMA`` checksum over every record.

4E (export to an auditor) holds the identification, ``#RAR``, dimensions and objects,
``#KONTO``/``#KTYP``/``#ENHET``/``#SRU``, the balances and the vouchers; 4I (import into
another program) holds no balances, and the chart only when it is given one.
"""

from __future__ import annotations

import datetime
import re
import zlib
from decimal import Decimal

from coopledger.sie.checksum import encode_cp437
from coopledger.sie.records import Balance, ObjectRef, Row, SieFile, Voucher
from coopledger.sie.tokens import Field

ORE = Decimal("0.01")
_SAFE_WORD = re.compile(r"[a-zA-Z0-9+.,:/_-]+")
KINDS = ("4E", "4I")


class WriteError(ValueError):
    """A value the SIE format cannot hold (an amount finer than öre, a bad number)."""


def clean(text: str) -> str:
    """Text as the file will hold it: one line, and no backslash (SIE has no escape for it).

    Line breaks, TABs and other control characters become spaces; ``\\`` becomes ``/``.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(" " if not c.isprintable() else "/" if c == "\\" else c for c in text)


def quote(text: str) -> str:
    """A text field, always quoted, ``"`` escaped as ``\\"`` (the text is cleaned first)."""
    return '"' + clean(text).replace('"', '\\"') + '"'


def word(text: str) -> str:
    """A field that stays bare when it holds only safe characters, else quoted."""
    return text if _SAFE_WORD.fullmatch(text) else quote(text)


def amount_text(amount: Decimal) -> str:
    """An amount with a decimal point and two decimals.

    Raises:
        WriteError: The amount has more than two decimals (it would not balance).
    """
    if amount != amount.quantize(ORE):
        raise WriteError(f"amount {amount} has more than two decimals (SIE holds öre)")
    return f"{amount:.2f}"


def date_text(date: datetime.date) -> str:
    """A date as ``YYYYMMDD``."""
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


class _Lines:
    """The rendered lines and their running checksum."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.crc: list[str] = []
        self._object_lists: dict[tuple[ObjectRef, ...], tuple[str, str]] = {}

    def add(self, label: str, *fields: str, raw: tuple[Field, ...] = ()) -> None:
        """One record: its label, its fields as written, and its fields' contents.

        The checksum text is the label and the contents, cleaned, with no separators (as
        :func:`~coopledger.sie.tokens.checksum_text` reads it back).
        """
        self.lines.append(" ".join((label, *fields)))
        self.crc.append(label + "".join(clean(f) if isinstance(f, str) else "".join(map(clean, f))
                                        for f in raw))

    def block(self, text: str) -> None:
        """A line that opens or closes a voucher's rows (it adds nothing to the checksum)."""
        self.lines.append(text)

    def object_list(self, refs: tuple[ObjectRef, ...]) -> tuple[str, str]:
        """An object list as written (``{1 "Kafe"}``) and its checksum text (``1Kafe``).

        A file repeats few object lists: each is rendered once.
        """
        known = self._object_lists.get(refs)
        if known is None:
            shown, items = _objects(refs)
            known = self._object_lists[refs] = (shown, "".join(map(clean, items)))
        return known


def _objects(refs: tuple[ObjectRef, ...]) -> tuple[str, tuple[str, ...]]:
    items = tuple(item for dim, code in refs for item in (str(dim), code))
    shown = " ".join(f"{dim} {quote(code)}" for dim, code in refs)
    return "{" + shown + "}", items


def _row_fields(row: Row) -> tuple[list[str], list[Field]]:
    """A row's fields as written and their contents: the general path, for any row."""
    objects, items = _objects(row.objects)
    fields = [row.account, objects, amount_text(row.amount)]
    raw: list[Field] = [row.account, items, fields[2]]
    if row.date is not None or row.text or row.quantity is not None or row.sign:
        fields.append(date_text(row.date) if row.date else '""')
        raw.append(date_text(row.date) if row.date else "")
    if row.text or row.quantity is not None or row.sign:
        fields.append(quote(row.text))
        raw.append(row.text)
    if row.quantity is not None or row.sign:
        quantity = f"{row.quantity}" if row.quantity is not None else '""'
        fields.append(quantity)
        raw.append(f"{row.quantity}" if row.quantity is not None else "")
    if row.sign:
        fields.append(quote(row.sign))
        raw.append(row.sign)
    return fields, raw


def _row_line(out: _Lines, label: str, row: Row) -> None:
    if row.date is None and not row.text and row.quantity is None and not row.sign:
        # Nearly every row of an export has only an account, objects and an amount: the
        # same line and checksum text as the general path, without building its lists.
        objects, summed = out.object_list(row.objects)
        amount = amount_text(row.amount)
        out.lines.append(f"{label} {row.account} {objects} {amount}")
        out.crc.append(f"{label}{clean(row.account)}{summed}{amount}")
        return
    fields, raw = _row_fields(row)
    out.add(label, *fields, raw=tuple(raw))


def _ver_fields(voucher: Voucher) -> tuple[list[str], list[Field]]:
    """A ``#VER`` record's fields as written and their contents: the general path."""
    fields = [word(voucher.series), word(voucher.number), date_text(voucher.date),
              quote(voucher.text)]
    raw: list[Field] = [voucher.series, voucher.number, fields[2], voucher.text]
    if voucher.registered is not None:
        fields.append(date_text(voucher.registered))
        raw.append(fields[-1])
    if voucher.sign:
        if voucher.registered is None:
            fields.append('""')
            raw.append("")
        fields.append(quote(voucher.sign))
        raw.append(voucher.sign)
    return fields, raw


def _ver_line(out: _Lines, voucher: Voucher) -> None:
    if voucher.registered is None and not voucher.sign:
        # The common voucher: series, number, date and text, as the general path.
        day = date_text(voucher.date)
        out.lines.append(f"#VER {word(voucher.series)} {word(voucher.number)} {day} "
                         f"{quote(voucher.text)}")
        out.crc.append(f"#VER{clean(voucher.series)}{clean(voucher.number)}{day}"
                       f"{clean(voucher.text)}")
        return
    fields, raw = _ver_fields(voucher)
    out.add("#VER", *fields, raw=tuple(raw))


def _voucher(out: _Lines, voucher: Voucher) -> None:
    _ver_line(out, voucher)
    out.block("{")
    for row in voucher.removed:
        _row_line(out, "#BTRANS", row)
    for row in voucher.rows:
        if row.added:
            _row_line(out, "#RTRANS", row)
        _row_line(out, "#TRANS", row)
    out.block("}")


def _balance(out: _Lines, item: Balance) -> None:
    fields = [str(item.year)]
    raw: list[Field] = [str(item.year)]
    if item.period:
        fields.append(item.period)
        raw.append(item.period)
    fields.append(item.account)
    raw.append(item.account)
    if item.kind in ("OIB", "OUB", "PSALDO", "PBUDGET"):
        shown, items = _objects(item.objects)
        fields.append(shown)
        raw.append(items)
    fields.append(amount_text(item.amount))
    raw.append(fields[-1])
    if item.quantity is not None:
        fields.append(f"{item.quantity}")
        raw.append(fields[-1])
    out.add(f"#{item.kind}", *fields, raw=tuple(raw))


def _identification(out: _Lines, sie: SieFile, program: tuple[str, str],
                    generated: datetime.date) -> None:
    out.add("#PROGRAM", quote(program[0]), word(program[1]), raw=program)
    out.add("#FORMAT", "PC8", raw=("PC8",))
    out.add("#GEN", date_text(generated), raw=(date_text(generated),))
    out.add("#SIETYP", "4", raw=("4",))
    for label in ("PROSA", "FTYP", "FNR", "ORGNR", "BKOD", "ADRESS"):
        values = sie.header.get(label)
        if values and any(values):
            out.add(f"#{label}", *(quote(v) if label in ("PROSA", "ADRESS") else word(v)
                                   for v in values), raw=values)
    out.add("#FNAMN", quote(sie.first("FNAMN")), raw=(sie.first("FNAMN"),))
    for label in ("TAXAR", "OMFATTN", "KPTYP"):
        values = sie.header.get(label)
        if values and any(values):
            out.add(f"#{label}", *map(word, values), raw=values)


def _render(sie: SieFile, kind: str, program: tuple[str, str],
            generated: datetime.date) -> _Lines:
    out = _Lines()
    _identification(out, sie, program, generated)
    for year in sorted(sie.years, reverse=True):
        start, end = sie.years[year]
        out.add("#RAR", str(year), date_text(start), date_text(end),
                raw=(str(year), date_text(start), date_text(end)))
    valuta = sie.first("VALUTA")
    if valuta:
        out.add("#VALUTA", word(valuta), raw=(valuta,))
    _chart(out, sie)
    if kind == "4E":
        for item in sie.balances:
            _balance(out, item)
    for voucher in sie.vouchers:
        _voucher(out, voucher)
    return out


def _chart(out: _Lines, sie: SieFile) -> None:
    """Dimensions, objects and accounts (``#KONTO`` with ``#KTYP``, ``#ENHET``, ``#SRU``)."""
    for dim_number, dim in sorted(sie.dimensions.items()):
        if dim.parent is None:
            out.add("#DIM", str(dim_number), quote(dim.name),
                    raw=(str(dim_number), dim.name))
        else:
            out.add("#UNDERDIM", str(dim_number), quote(dim.name), str(dim.parent),
                    raw=(str(dim_number), dim.name, str(dim.parent)))
    for (dim_number, code), name in sorted(sie.objects.items()):
        out.add("#OBJEKT", str(dim_number), quote(code), quote(name),
                raw=(str(dim_number), code, name))
    for number, account in sorted(sie.accounts.items()):
        out.add("#KONTO", number, quote(account.name), raw=(number, account.name))
        if account.kind:
            out.add("#KTYP", number, account.kind, raw=(number, account.kind))
        if account.unit:
            out.add("#ENHET", number, quote(account.unit), raw=(number, account.unit))
        for code in account.sru:
            out.add("#SRU", number, word(code), raw=(number, code))


def render_sie(sie: SieFile, *, kind: str = "4E", program: tuple[str, str] = ("coopledger",
               "0"), generated: datetime.date | None = None) -> bytes:
    """Render a SIE 4E or 4I file.

    Args:
        sie: What to write: identification in ``header`` (``FNAMN``, ``ORGNR``, ``FTYP``,
            ``FNR``, ``VALUTA``), ``years``, ``accounts``, ``dimensions``, ``objects``,
            ``balances`` and ``vouchers``.
        kind: ``4E`` or ``4I``.
        program: Program name and version for ``#PROGRAM``.
        generated: The ``#GEN`` date (default: today).

    Returns:
        The file's bytes: CP437, CRLF, with a verifying ``#KSUMMA``.

    Raises:
        WriteError: An unknown kind, or a value the format cannot hold.
    """
    if kind not in KINDS:
        raise WriteError(f"SIE type {kind!r} is not 4E or 4I")
    day = generated or datetime.datetime.now().astimezone().date()
    out = _render(sie, kind, program, day)
    crc = zlib.crc32(encode_cp437("".join(out.crc)))
    lines = ["#FLAGGA 0", "#KSUMMA", *out.lines, f"#KSUMMA {crc}"]
    return encode_cp437("\r\n".join(lines) + "\r\n")
