"""Reading SIE 1, 2, 3, 4E and 4I files into typed records.

Tolerant in what it reads: the bytes are read as UTF-8 when they are valid UTF-8 and as
CP437 otherwise, whatever ``#FORMAT`` claims; unknown labels and extra trailing fields are
ignored; block braces may sit on their own line or be indented. Every problem is collected
with its line number, as an error (the data cannot be trusted: an unbalanced voucher, a
non-numeric account, a bad date or amount, a voucher that never closes, a checksum that
does not match) or a warning. The caller chooses: ``strict=True`` raises
:class:`SieError` at the first error; otherwise the errors come back in
:attr:`SieFile.problems` with everything that could be read.

``#RTRANS`` (a row added after registration) counts, and the identical ``#TRANS`` that
follows it for readers that do not know ``#RTRANS`` is skipped; ``#BTRANS`` (a removed
row) is kept for the audit trail and does not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from coopledger.collector import paused_if_allowed
from coopledger.sie.labels import Labels
from coopledger.sie.records import ObjectRef, Problem, Row, Severity, SieFile, Voucher
from coopledger.sie.tokens import Field, Record, tokenize
from coopledger.sie.values import AMOUNT, NUMBER, Context, SieError, text_field

__all__ = ["SieError", "decode", "parse_sie", "read_sie"]
#: A plain ``#TRANS`` row (the bulk of a 4E file), read without the general tokenizer.
_FAST_TRANS = re.compile(
    r'\s*#TRANS\s+(\d+)\s+\{([^{}"\\]*|\s*\d+\s+"[^"\\]*"\s*)\}\s+(-?\d+(?:\.\d+)?)'
    r'(?:\s+(\d{8})(?:\s+"([^"\\]*)")?)?\s*$')
_OBJECT_PAIR = re.compile(r'\s*(\d+)\s+"([^"\\]*)"\s*$')
_BOM = b"\xef\xbb\xbf"
#: The bytes that can start a multi-byte UTF-8 character: a file without any of them has no
#: line that reads as UTF-8 with letters beyond ASCII.
_UTF8_LEADS = bytes(range(0xC2, 0xF5))
ZERO = Decimal(0)
ROW_LABELS = frozenset({"#TRANS", "#RTRANS", "#BTRANS"})


def decode(data: bytes) -> tuple[list[str], str, list[Problem]]:
    """Split a SIE file's bytes into lines of text.

    Args:
        data: The file's bytes.

    Returns:
        The lines (without line endings), the encoding used, and a problem if the file
        mixes UTF-8 lines with lines in another encoding (each line is then read in its
        own).
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        return _split_lines(data.decode("utf-8")), "utf-8", []
    except UnicodeDecodeError:
        pass
    if len(data.translate(None, _UTF8_LEADS)) == len(data):
        return _split_lines(data.decode("cp437")), "cp437", []
    raw_lines = data.split(b"\n")
    utf8_line = other_line = 0
    for number, raw in enumerate(raw_lines, 1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            break
    if not utf8_line:
        return _split_lines(data.decode("cp437")), "cp437", []
    problem = Problem(Severity.ERROR, other_line,
                      f"mixed encodings: line {utf8_line} is UTF-8 but line {other_line} is "
                      "not; save the file in one encoding (CP437 for SIE)")
    lines = []
    for raw in raw_lines:
        try:
            lines.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp437").rstrip("\r"))
    return lines, "mixed", [problem]


def _split_lines(text: str) -> list[str]:
    """Lines split at LF, each without one CR before its LF (as CRLF files end lines)."""
    # Every piece but the last ended in LF, so removing the CR of each CRLF first strips
    # the same CR as stripping each piece; only the last piece can still end in a CR.
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[-1].endswith("\r"):
        lines[-1] = lines[-1][:-1]
    return lines


def read_sie(path: str | Path, *, strict: bool = False) -> SieFile:
    """Read a SIE file from disk.

    Args:
        path: The file.
        strict: Raise :class:`SieError` at the first error instead of collecting errors.

    Returns:
        The file's records and problems.

    Raises:
        SieError: The file cannot be read, or (strict) has an error.
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SieError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    return parse_sie(data, name=str(source), strict=strict)


def parse_sie(data: bytes, *, name: str = "<sie>", strict: bool = False) -> SieFile:
    """Parse a SIE file's bytes.

    Args:
        data: The bytes.
        name: The file name used in messages.
        strict: Raise :class:`SieError` at the first error.

    Returns:
        The file's records and problems.

    Raises:
        SieError: (strict) the first error.
    """
    # The parser builds hundreds of thousands of records and no reference cycles; the
    # cyclic collector rescanning them as they pile up doubled the time of a large read
    # (100 000 vouchers: 2.4 s of CPU, 1.25 s paused; docs/performance.md). Pause it for
    # the parse only.
    with paused_if_allowed():
        return _Parser(name, strict).parse(data)


def _plain_objects(text: str) -> tuple[tuple[ObjectRef, ...], str] | None:
    """The references of a fast row's object list and their checksum text.

    None when the list needs the general path (an odd item count, a dimension that is not
    a number).
    """
    if not text.strip():
        return (), ""
    pair = _OBJECT_PAIR.match(text)
    if pair is not None:
        return ((int(pair.group(1)), pair.group(2)),), pair.group(1) + pair.group(2)
    items = text.split()
    if len(items) % 2 or not all(map(NUMBER.match, items[::2])):
        return None
    return (tuple((int(d), c) for d, c in zip(items[::2], items[1::2], strict=True)),
            "".join(items))


def _name(fields: tuple[Field, ...]) -> str:
    """A voucher's series and number from its ``#VER`` fields."""
    return f"{text_field(fields, 0)} {text_field(fields, 1)}"


class _Parser(Context):
    """One pass over the lines, with the state of the voucher being read."""

    def __init__(self, name: str, strict: bool) -> None:
        super().__init__(name, strict)
        self.labels = Labels(self)
        self.vouchers: list[Voucher] = []
        # The voucher being read: its #VER record, its line, rows, removed rows.
        self.ver: tuple[tuple[Field, ...], int] | None = None
        self.in_block = False
        self.rows: list[Row] = []
        self.removed: list[Row] = []
        self.copy_of: Row | None = None
        self.object_lists: dict[str, tuple[tuple[ObjectRef, ...], str]] = {}

    # -- the pass ---------------------------------------------------------------------

    def parse(self, data: bytes) -> SieFile:
        lines, encoding, problems = decode(data)
        for problem in problems:
            self.error(problem.message, problem.line)
        first = next((line.split()[0] for line in lines if line.strip()), "")
        if not first:
            self.error("the file holds no SIE records (empty?)", 0)
        elif first != "#FLAGGA":
            self.warn(f"the file starts with {first[:20]!r}, not #FLAGGA", 1)
        handlers = self._handlers()
        fast = _FAST_TRANS.match
        for number, line in enumerate(lines, 1):
            if self.in_block:
                if self.copy_of is None:
                    match = fast(line)
                    if match is not None and self._fast_row(match, number):
                        continue
                    if line.strip() == "}":
                        self.line = number
                        self._store_voucher()
                        continue
            elif self.ver is not None and line.strip() == "{":
                self.in_block = True
                continue
            record = tokenize(line)
            if record is not None:
                self.line = number
                self._record(record, handlers)
        self._finish(len(lines))
        return self._result(encoding)

    def _record(self, record: Record, handlers: dict[str, Callable[[Record], None]]) -> None:
        label = record.label
        if record.problem.startswith("an object list"):
            self.error(record.problem)
        elif record.problem:
            self.warn(record.problem)
        if self.copy_of is not None and label != "#TRANS":
            self._missing_copy()
        checksum = self.labels.checksum
        if checksum is not None and label != "#KSUMMA":
            checksum.add(record)
        handler = handlers.get(label) or handlers.get(label.upper())
        if handler is not None:
            handler(record)
        elif not label.startswith("#"):
            self.warn(f"not a SIE record: {label[:40]!r}")
        else:
            self.labels.other(record)

    def _handlers(self) -> dict[str, Callable[[Record], None]]:
        handlers = self.labels.handlers()
        handlers.update({"#VER": self._ver, "{": self._open, "}": self._close})
        for label in ROW_LABELS:
            handlers[label] = self._row
        return handlers

    def _finish(self, last_line: int) -> None:
        self.line = last_line
        if self.copy_of is not None:
            self._missing_copy()
        if self.ver is not None:
            fields, line = self.ver
            self.error(f"voucher {_name(fields)} (line {line}) is not "
                       "closed with }: the file ends early (truncated?)")
            self._store_voucher()
        if self.labels.checksum is not None and not self.labels.checksum_closed:
            self.error("the file opens a #KSUMMA checksum but never closes it (truncated?)")
        header = self.labels.header
        if "SIETYP" not in header and "FLAGGA" not in header and self._had_content():
            self.error("not a SIE file: it has neither #FLAGGA nor #SIETYP", 0)
        elif "SIETYP" not in header:
            self.warn("the file has no #SIETYP", 0)

    def _had_content(self) -> bool:
        """Whether the file had any content at all (an empty file is reported already)."""
        return not any(p.message.startswith("the file holds no SIE records")
                       for p in self.problems)

    def _result(self, encoding: str) -> SieFile:
        labels = self.labels
        sie_type = labels.header["SIETYP"][0] if labels.header.get("SIETYP") else ""
        kind = sie_type
        if sie_type == "4":
            has_balances = any(b.kind in ("IB", "UB", "RES") for b in labels.balances)
            kind = "4E" if has_balances else "4I"
        return SieFile(
            sie_type=sie_type, kind=kind, encoding=encoding,
            header=MappingProxyType(labels.header), years=MappingProxyType(labels.years),
            accounts=MappingProxyType(labels.account_records()),
            dimensions=MappingProxyType(labels.dimensions),
            objects=MappingProxyType(labels.objects), balances=tuple(labels.balances),
            vouchers=tuple(self.vouchers), checksum=labels.checksum_result,
            problems=tuple(sorted(self.problems, key=lambda p: p.line)))

    # -- vouchers ---------------------------------------------------------------------

    def _ver(self, record: Record) -> None:
        if self.ver is not None:
            fields, line = self.ver
            self.error(f"voucher {_name(fields)} (line {line}) is not "
                       "closed with } before the next #VER")
            self._store_voucher()
        self.ver = (record.fields, self.line)
        self.in_block = False
        # Read the dates now: a bad one is reported at this line, a good one is cached
        # for the rows, which mostly carry the voucher's date.
        fields = record.fields
        self.date(text_field(fields, 2), f"voucher {_name(fields)}: date")
        if text_field(fields, 4):
            self.date(text_field(fields, 4), f"voucher {_name(fields)}: registration date")

    def _open(self, record: Record) -> None:
        if self.ver is None or self.in_block:
            self.error("{ without a #VER before it")
            return
        self.in_block = True

    def _close(self, record: Record) -> None:
        if self.ver is None or not self.in_block:
            self.error("} without an open voucher")
            return
        self._store_voucher()

    def _store_voucher(self) -> None:
        if self.ver is None:
            return
        fields, line = self.ver
        self.ver = None
        self.in_block = False
        rows, removed = self.rows, self.removed
        self.rows, self.removed = [], []
        series, number = text_field(fields, 0), text_field(fields, 1)
        date = self.dates.get(text_field(fields, 2))
        if date is None:
            return  # reported at the #VER line
        registered = self.dates.get(text_field(fields, 4))
        voucher = Voucher(series, number, date, text_field(fields, 3), registered,
                          text_field(fields, 5), tuple(rows), tuple(removed), line)
        total = ZERO
        for row in rows:
            total += row.amount
        if total != 0:
            self.error(f"voucher {series} {number} of {date} does not balance: its rows sum "
                       f"to {total}", line)
        self.vouchers.append(voucher)

    def _row(self, record: Record) -> None:
        label = record.label.upper()
        fields = record.fields
        if self.ver is None or not self.in_block:
            self.error(f"{label} outside a voucher (it must follow #VER and {{)")
            return
        account = text_field(fields, 0)
        if not NUMBER.match(account):
            self.account(account)
        objects: tuple[ObjectRef, ...] = ()
        offset = 1
        if len(fields) > 1 and isinstance(fields[1], tuple):
            offset = 2
            if fields[1]:
                objects = self.object_list(fields[1])
        elif len(fields) > 1:
            self.warn(f"{label} without an object list {{}} after the account")
        rest = [f if isinstance(f, str) else "" for f in fields[offset:offset + 5]]
        rest += [""] * (5 - len(rest))
        amount_text, date_text, text, quantity_text, sign = rest
        amount = (Decimal(amount_text) if AMOUNT.match(amount_text)
                  else self.amount(amount_text, f"{label} amount"))
        if amount is None:
            return
        date = self.date(date_text, f"{label} date") if date_text else None
        quantity = self.optional_amount(quantity_text, f"{label} quantity")
        row = Row(account, objects, amount, date, text, quantity, sign, self.line,
                  label == "#RTRANS")
        if label == "#BTRANS":
            self.removed.append(row)
            return
        if label == "#TRANS" and self.copy_of is not None:
            copy = self.copy_of
            self.copy_of = None
            if (copy.account, copy.amount, copy.objects) == (row.account, row.amount,
                                                             row.objects):
                return
            self.warn(f"#RTRANS at line {copy.line} is not followed by its #TRANS copy; "
                      "both rows count")
        self.rows.append(row)
        if label == "#RTRANS":
            self.copy_of = row

    def _fast_row(self, match: re.Match[str], number: int) -> bool:
        """Store a plain ``#TRANS`` row; False when it needs the general path."""
        account, objects_text, amount_text, date_text, text = match.groups()
        # A file repeats few object lists: each is read once, then shared by its rows.
        known = self.object_lists.get(objects_text)
        if known is None:
            known = _plain_objects(objects_text)
            if known is None:
                return False
            self.object_lists[objects_text] = known
        objects, raw_items = known
        date = None
        if date_text:
            date = self.dates.get(date_text)
            if date is None:
                return False
        self.line = number
        self.rows.append(Row(account, objects, Decimal(amount_text), date, text or "", None,
                             "", number))
        checksum = self.labels.checksum
        if checksum is not None:
            checksum.add_text(f"#TRANS{account}{raw_items}{amount_text}{date_text or ''}"
                              f"{text or ''}")
        return True

    def _missing_copy(self) -> None:
        copy = self.copy_of
        self.copy_of = None
        if copy is not None:
            self.warn(f"#RTRANS at line {copy.line} is not followed by its #TRANS copy",
                      copy.line)

