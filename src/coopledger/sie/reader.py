"""Reading SIE 1, 2, 3, 4E and 4I files into typed records.

Tolerant in what it reads: the bytes are read as UTF-8, CP437 or Latin-1 as their content
shows, whatever ``#FORMAT`` claims (:func:`decode`: a file that could be either is refused,
never garbled); unknown labels and extra trailing fields are
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

import codecs
import datetime
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
_ASCII = bytes(range(0x80))
#: What text beyond ASCII is, for telling encodings apart: the letters of Latin-1 (the
#: Swedish, Nordic and western European ones) and a few signs that names and texts use.
TEXT_LETTERS = frozenset(chr(c) for c in range(0xC0, 0x100)) - {"×", "÷"} | frozenset(
    "§°½£«»´")
#: Bytes that are such letters in CP437, in Latin-1, in one of them only.
_CP437_LETTERS = frozenset(b for b in range(0x80, 0x100)
                           if bytes([b]).decode("cp437") in TEXT_LETTERS)
_LATIN1_LETTERS = frozenset(b for b in range(0x80, 0x100)
                            if bytes([b]).decode("latin-1") in TEXT_LETTERS)
_CP437_ONLY = _CP437_LETTERS - _LATIN1_LETTERS
_LATIN1_ONLY = _LATIN1_LETTERS - _CP437_LETTERS
ZERO = Decimal(0)
ROW_LABELS = frozenset({"#TRANS", "#RTRANS", "#BTRANS"})
#: Each field's slot of a :class:`Row`, in order, to set it directly (see _plain_row).
(_SET_ACCOUNT, _SET_OBJECTS, _SET_AMOUNT, _SET_DATE, _SET_TEXT, _SET_QUANTITY, _SET_SIGN,
 _SET_LINE, _SET_ADDED) = (getattr(Row, name).__set__ for name in Row.__slots__)
_new = object.__new__


def _plain_row(account: str, objects: tuple[ObjectRef, ...], amount: Decimal,
               date: datetime.date | None, text: str, line: int) -> Row:
    """``Row(account, objects, amount, date, text, None, "", line)``, built faster.

    The fast path builds one per ``#TRANS`` line; a frozen dataclass's ``__init__``
    sets each field through ``object.__setattr__`` by name, about a third of a row's
    cost. Setting the slots directly gives the same object (tests/test_sie_fast_paths.py).
    """
    row = _new(Row)
    _SET_ACCOUNT(row, account)
    _SET_OBJECTS(row, objects)
    _SET_AMOUNT(row, amount)
    _SET_DATE(row, date)
    _SET_TEXT(row, text)
    _SET_QUANTITY(row, None)
    _SET_SIGN(row, "")
    _SET_LINE(row, line)
    _SET_ADDED(row, False)
    return row


def decode(data: bytes, encoding: str | None = None) -> tuple[list[str], str, list[Problem]]:
    """Split a SIE file's bytes into lines of text, in the encoding its content shows.

    The format says CP437; real files are also UTF-8 and Latin-1, and some mix CP437 with
    Latin-1 (a Windows path, an object code). The bytes decide, never ``#FORMAT``:

    - valid UTF-8 beyond ASCII is UTF-8, unless the bytes also read as letters in CP437
      or Latin-1 (then the file is refused: which one is meant cannot be told);
    - otherwise each byte beyond ASCII is read where it is a letter: 0x80-0x9F are
      CP437's å ä ö (control codes in Latin-1), most of 0xC0-0xFF Latin-1's (box drawing
      and Greek in CP437). A byte that is a letter in both (``0xA3``: ú or £) goes by the
      rest of the file; a file with only such bytes is refused. A file that mixes the two
      says so, line by line, in warnings.

    Args:
        data: The file's bytes.
        encoding: Read in this encoding instead of deciding (``cp437``, ``utf-8``,
            ``latin-1``): the way out when the file is refused as ambiguous.

    Returns:
        The lines (without line endings), the encoding used (``ascii``, ``utf-8``,
        ``cp437``, ``latin-1``, or ``cp437+latin-1`` when mixed), and the problems: an
        error when the file is refused, warnings for the lines of a mixed file.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
        encoding = encoding or "utf-8"
    if encoding is not None:
        return _decode_as(data, encoding)
    beyond = frozenset(data.translate(None, _ASCII))
    if not beyond:
        return _split_lines(data.decode("ascii")), "ascii", []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        others = [name for name, letters in (("CP437", _CP437_LETTERS),
                                             ("Latin-1", _LATIN1_LETTERS))
                  if beyond <= letters]
        if not others:
            return _split_lines(text), "utf-8", []
        return _split_lines(text), "utf-8", [Problem(
            Severity.ERROR, 0, f"the file reads as UTF-8 and as {others[0]} alike; say "
            "which it is (--encoding utf-8 or --encoding " + others[0].lower() + ")")]
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    return _decode_8bit(data, beyond)


def _decode_as(data: bytes, encoding: str) -> tuple[list[str], str, list[Problem]]:
    """The bytes in the encoding the user named; bytes it cannot read are an error."""
    try:
        return _split_lines(data.decode(encoding)), encoding, []
    except (UnicodeDecodeError, LookupError) as exc:
        text = data.decode(encoding if not isinstance(exc, LookupError) else "cp437",
                           errors="replace")
        return _split_lines(text), encoding, [Problem(
            Severity.ERROR, 0, f"the file is not {encoding}: {exc}")]


def _decode_8bit(data: bytes, beyond: frozenset[int]) -> tuple[list[str], str, list[Problem]]:
    """CP437, Latin-1, or the two mixed, byte by byte (see :func:`decode`)."""
    cp437 = beyond & _CP437_ONLY
    latin1 = beyond & _LATIN1_ONLY
    neither = beyond - _CP437_LETTERS - _LATIN1_LETTERS
    if not cp437 and not latin1:
        if not neither:
            shown = ", ".join(f"0x{b:02X}" for b in sorted(beyond))
            return _split_lines(data.decode("cp437")), "cp437", [Problem(
                Severity.ERROR, 0, f"the bytes beyond ASCII ({shown}) are letters in CP437 "
                "and in Latin-1 alike; say which the file is (--encoding cp437 or "
                "--encoding latin-1)")]
        main = "cp437"
    elif not latin1:
        main = "cp437"
    elif not cp437:
        main = "latin-1"
    else:
        cp_count = sum(data.count(bytes([b])) for b in cp437)
        latin_count = sum(data.count(bytes([b])) for b in latin1)
        main = "cp437" if cp_count >= latin_count else "latin-1"
    odd = (latin1 if main == "cp437" else cp437) | neither
    if not odd:
        return _split_lines(data.decode(main)), main, []
    other = "latin-1" if main == "cp437" else "cp437"
    table = list(bytes(range(256)).decode(main))
    for byte in (latin1 if main == "cp437" else cp437):
        table[byte] = bytes([byte]).decode(other)
    text = codecs.charmap_decode(data, "strict", "".join(table))[0]
    lines = _split_lines(text)
    problems: list[Problem] = []
    odd_bytes = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in sorted(odd)) + b"]")
    for number, raw in enumerate(data.split(b"\n"), 1):
        if odd_bytes.search(raw) is None:
            continue
        shown = " ".join(w for w in lines[number - 1].split() if not w.isascii())[:60]
        if any(b in neither for b in raw):
            message = (f"bytes that are letters neither in CP437 nor in Latin-1, read as "
                       f"{main.upper()}: {shown!r}; check the text")
        else:
            message = f"read as {other.upper()} (the file is {main.upper()}): {shown!r}"
        problems.append(Problem(Severity.WARNING, number, message))
    label = main if not (latin1 and cp437) else f"{main}+{other}"
    return lines, label, problems


def _mixed_utf8(data: bytes) -> tuple[list[str], str, list[Problem]] | None:
    """A file whose lines beyond ASCII are UTF-8 in part and not in part: an error."""
    if len(data.translate(None, _UTF8_LEADS)) == len(data):
        return None
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
        return None
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


def read_sie(path: str | Path, *, strict: bool = False,
             encoding: str | None = None) -> SieFile:
    """Read a SIE file from disk.

    Args:
        path: The file.
        strict: Raise :class:`SieError` at the first error instead of collecting errors.
        encoding: Read in this encoding instead of deciding by the content.

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
    return parse_sie(data, name=str(source), strict=strict, encoding=encoding)


def parse_sie(data: bytes, *, name: str = "<sie>", strict: bool = False,
              encoding: str | None = None) -> SieFile:
    """Parse a SIE file's bytes.

    Args:
        data: The bytes.
        name: The file name used in messages.
        strict: Raise :class:`SieError` at the first error.
        encoding: Read in this encoding instead of deciding by the content.

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
        return _Parser(name, strict).parse(data, encoding)


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

    def parse(self, data: bytes, forced: str | None = None) -> SieFile:
        lines, encoding, problems = decode(data, forced)
        for problem in problems:
            if problem.severity is Severity.ERROR:
                self.error(problem.message, problem.line)
            else:
                self.warn(problem.message, problem.line)
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
        for label, count in sorted(self.labels.skipped.items()):
            self.warn(f"{count} {label} record(s) skipped: not a SIE 4 label", 0)
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
        self.rows.append(_plain_row(account, objects, Decimal(amount_text), date, text or "",
                                    number))
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

