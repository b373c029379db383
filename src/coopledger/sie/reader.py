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

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from coopledger.errors import CoopException
from coopledger.sie.checksum import Checksum
from coopledger.sie.records import (
    Account,
    Balance,
    Dimension,
    ObjectRef,
    Problem,
    Row,
    Severity,
    SieFile,
    Voucher,
)
from coopledger.sie.tokens import Field, Record, tokenize

_AMOUNT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)$")
_DATE = re.compile(r"\d{8}$")
_NUMBER = re.compile(r"\d+$")
_YEAR = re.compile(r"-?\d+$")
#: A plain ``#TRANS`` row (the bulk of a 4E file), read without the general tokenizer.
_FAST_TRANS = re.compile(
    r'\s*#TRANS\s+(\d+)\s+\{([^{}"\\]*|\s*\d+\s+"[^"\\]*"\s*)\}\s+(-?\d+(?:\.\d+)?)'
    r'(?:\s+(\d{8})(?:\s+"([^"\\]*)")?)?\s*$')
_OBJECT_PAIR = re.compile(r'\s*(\d+)\s+"([^"\\]*)"\s*$')
_BOM = b"\xef\xbb\xbf"
ZERO = Decimal(0)
HEADER_LABELS = frozenset({
    "FLAGGA", "PROGRAM", "FORMAT", "GEN", "SIETYP", "PROSA", "FTYP", "FNR", "ORGNR", "BKOD",
    "ADRESS", "FNAMN", "TAXAR", "OMFATTN", "KPTYP", "VALUTA"})
BALANCE_LABELS = frozenset({"#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET"})
ROW_LABELS = frozenset({"#TRANS", "#RTRANS", "#BTRANS"})


class SieError(CoopException):
    """A SIE file that cannot be read (strict mode: its first error).

    Args:
        message: One line naming the file, the line and what is wrong.
        line: The line number (0: the file as a whole).
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


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
        return _lines(data.decode("utf-8")), "utf-8", []
    except UnicodeDecodeError:
        pass
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
        return _lines(data.decode("cp437")), "cp437", []
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


def _lines(text: str) -> list[str]:
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


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
    return _Parser(name, strict).parse(data)


def parse_date(text: str) -> datetime.date:
    """Read a SIE date ``YYYYMMDD``.

    Raises:
        ValueError: Not eight digits or not a real date.
    """
    if not _DATE.match(text):
        raise ValueError(f"date {text!r} is not YYYYMMDD")
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"date {text!r} is not a real date") from None


def _text(fields: tuple[Field, ...], index: int) -> str:
    if index < len(fields):
        value = fields[index]
        return value if isinstance(value, str) else ""
    return ""


class _Parser:
    """One pass over the lines, with the state of the voucher being read."""

    def __init__(self, name: str, strict: bool) -> None:
        self.name = name
        self.strict = strict
        self.problems: list[Problem] = []
        self.header: dict[str, tuple[str, ...]] = {}
        self.years: dict[int, tuple[datetime.date, datetime.date]] = {}
        self.accounts: dict[str, dict[str, object]] = {}
        self.dimensions: dict[int, Dimension] = {}
        self.objects: dict[ObjectRef, str] = {}
        self.balances: list[Balance] = []
        self.vouchers: list[Voucher] = []
        self.dates: dict[str, datetime.date] = {}
        self.line = 0
        # The voucher being read: its #VER record, its line, rows, removed rows.
        self.ver: tuple[tuple[Field, ...], int] | None = None
        self.in_block = False
        self.rows: list[Row] = []
        self.removed: list[Row] = []
        self.copy_of: Row | None = None
        self.checksum: Checksum | None = None
        self.checksum_result: tuple[int, int] | None = None
        self.checksum_closed = False

    # -- problems ---------------------------------------------------------------------

    def error(self, message: str, line: int | None = None) -> None:
        where = self.line if line is None else line
        if self.strict:
            at = f":{where}" if where else ""
            raise SieError(f"{self.name}{at}: {message}", where)
        self.problems.append(Problem(Severity.ERROR, where, message))

    def warn(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(Severity.WARNING, self.line if line is None else line,
                                     message))

    # -- values -----------------------------------------------------------------------

    def amount(self, text: str, what: str = "amount") -> Decimal | None:
        if _AMOUNT.match(text):
            return Decimal(text)
        if "," in text:
            self.error(f"{what} {text!r} has a decimal comma; SIE writes a point (1234.50)")
        elif not text:
            self.error(f"{what} is missing")
        else:
            self.error(f"{what} {text!r} is not a number")
        return None

    def optional_amount(self, text: str, what: str) -> Decimal | None:
        return self.amount(text, what) if text else None

    def date(self, text: str, what: str = "date") -> datetime.date | None:
        cached = self.dates.get(text)
        if cached is not None:
            return cached
        try:
            value = parse_date(text)
        except ValueError as exc:
            self.error(f"{what}: {exc}" if text else f"{what} is missing")
            return None
        self.dates[text] = value
        return value

    def account(self, text: str) -> bool:
        if _NUMBER.match(text):
            return True
        self.error(f"account {text!r} is not an account number (digits only)"
                   if text else "account number is missing")
        return False

    def year(self, text: str) -> int | None:
        if _YEAR.match(text):
            return int(text)
        self.error(f"year {text!r} is not a relative year number (0, -1, ...)")
        return None

    def object_list(self, value: Field) -> tuple[ObjectRef, ...]:
        if isinstance(value, str):
            self.warn(f"expected an object list {{...}}, found {value!r}")
            return ()
        if len(value) % 2:
            self.error(f"object list {{{' '.join(value)}}} has an odd number of items "
                       "(dimension and object come in pairs)")
            return ()
        refs = []
        for dim, code in zip(value[::2], value[1::2], strict=True):
            if not _NUMBER.match(dim):
                self.error(f"object list: dimension {dim!r} is not a number")
                return ()
            refs.append((int(dim), code))
        return tuple(refs)

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
        if self.checksum is not None and label != "#KSUMMA":
            self.checksum.add(record)
        handler = handlers.get(label) or handlers.get(label.upper())
        if handler is not None:
            handler(record)
        elif not label.startswith("#"):
            self.warn(f"not a SIE record: {label[:40]!r}")
        elif label[1:].upper() in HEADER_LABELS:
            self.header.setdefault(label[1:].upper(),
                                   tuple(f for f in record.fields if isinstance(f, str)))

    def _handlers(self) -> dict[str, Callable[[Record], None]]:
        handlers: dict[str, Callable[[Record], None]] = {
            "#VER": self._ver, "{": self._open, "}": self._close, "#RAR": self._rar,
            "#KONTO": self._konto, "#KTYP": self._ktyp, "#ENHET": self._enhet,
            "#SRU": self._sru, "#DIM": self._dim, "#UNDERDIM": self._dim,
            "#OBJEKT": self._objekt, "#KSUMMA": self._ksumma,
            "#SIETYP": self._sietyp, "#GEN": self._gen,
        }
        for label in ROW_LABELS:
            handlers[label] = self._row
        for label in BALANCE_LABELS:
            handlers[label] = self._balance
        return handlers

    def _finish(self, last_line: int) -> None:
        self.line = last_line
        if self.copy_of is not None:
            self._missing_copy()
        if self.ver is not None:
            fields, line = self.ver
            self.error(f"voucher {_text(fields, 0)} {_text(fields, 1)} (line {line}) is not "
                       "closed with }: the file ends early (truncated?)")
            self._store_voucher()
        if self.checksum is not None and not self.checksum_closed:
            self.error("the file opens a #KSUMMA checksum but never closes it (truncated?)")
        if "SIETYP" not in self.header:
            self.warn("the file has no #SIETYP", 0)

    def _result(self, encoding: str) -> SieFile:
        sie_type = self.header.get("SIETYP", ("",))[0] if self.header.get("SIETYP") else ""
        kind = sie_type
        if sie_type == "4":
            has_balances = any(b.kind in ("IB", "UB", "RES") for b in self.balances)
            kind = "4E" if has_balances else "4I"
        accounts = {number: Account(number, str(a.get("name", "")), str(a.get("kind", "")),
                                    str(a.get("unit", "")), tuple(a.get("sru", ())))  # type: ignore[arg-type]
                    for number, a in self.accounts.items()}
        return SieFile(
            sie_type=sie_type, kind=kind, encoding=encoding,
            header=MappingProxyType(self.header), years=MappingProxyType(self.years),
            accounts=MappingProxyType(accounts),
            dimensions=MappingProxyType(self.dimensions),
            objects=MappingProxyType(self.objects), balances=tuple(self.balances),
            vouchers=tuple(self.vouchers), checksum=self.checksum_result,
            problems=tuple(sorted(self.problems, key=lambda p: p.line)))

    # -- vouchers ---------------------------------------------------------------------

    def _ver(self, record: Record) -> None:
        if self.ver is not None:
            fields, line = self.ver
            self.error(f"voucher {_text(fields, 0)} {_text(fields, 1)} (line {line}) is not "
                       "closed with } before the next #VER")
            self._store_voucher()
        self.ver = (record.fields, self.line)
        self.in_block = False

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
        series, number = _text(fields, 0), _text(fields, 1)
        date = self.date(_text(fields, 2), f"voucher {series} {number}: date")
        if date is None:
            return
        registered_text = _text(fields, 4)
        registered = (self.date(registered_text, f"voucher {series} {number}: registration "
                                "date") if registered_text else None)
        voucher = Voucher(series, number, date, _text(fields, 3), registered,
                          _text(fields, 5), tuple(rows), tuple(removed), line)
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
        account = _text(fields, 0)
        if not _NUMBER.match(account):
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
        amount = (Decimal(amount_text) if _AMOUNT.match(amount_text)
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
        objects: tuple[ObjectRef, ...] = ()
        raw_items = ""
        if objects_text.strip():
            pair = _OBJECT_PAIR.match(objects_text)
            if pair is not None:
                objects = ((int(pair.group(1)), pair.group(2)),)
                raw_items = pair.group(1) + pair.group(2)
            else:
                items = objects_text.split()
                raw_items = "".join(items)
                if len(items) % 2 or not all(map(_NUMBER.match, items[::2])):
                    return False
                objects = tuple((int(d), c) for d, c in zip(items[::2], items[1::2],
                                                             strict=True))
        date = None
        if date_text:
            date = self.dates.get(date_text)
            if date is None:
                return False
        self.line = number
        self.rows.append(Row(account, objects, Decimal(amount_text), date, text or "", None,
                             "", number))
        if self.checksum is not None:
            self.checksum.add_text(f"#TRANS{account}{raw_items}{amount_text}{date_text or ''}"
                                   f"{text or ''}")
        return True

    def _missing_copy(self) -> None:
        copy = self.copy_of
        self.copy_of = None
        if copy is not None:
            self.warn(f"#RTRANS at line {copy.line} is not followed by its #TRANS copy",
                      copy.line)

    # -- balances, accounts, dimensions ----------------------------------------------

    def _balance(self, record: Record) -> None:
        label = record.label.upper()
        fields = record.fields
        year = self.year(_text(fields, 0))
        period = ""
        index = 1
        if label in ("#PSALDO", "#PBUDGET"):
            period = _text(fields, 1)
            if not re.match(r"\d{6}$", period):
                self.error(f"{label} period {period!r} is not YYYYMM")
                return
            index = 2
        account = _text(fields, index)
        if year is None or not self.account(account):
            return
        objects: tuple[ObjectRef, ...] = ()
        if index + 1 < len(fields) and isinstance(fields[index + 1], tuple):
            objects = self.object_list(fields[index + 1])
            index += 1
        elif label in ("#OIB", "#OUB"):
            self.error(f"{label} needs an object list {{dimension object}}")
            return
        amount = self.amount(_text(fields, index + 1), f"{label} amount")
        if amount is None:
            return
        quantity = self.optional_amount(_text(fields, index + 2), f"{label} quantity")
        self.balances.append(Balance(label[1:], year, account, amount, quantity, period,
                                     objects, self.line))

    def _account_entry(self, number: str) -> dict[str, object] | None:
        if not self.account(number):
            return None
        return self.accounts.setdefault(number, {})

    def _konto(self, record: Record) -> None:
        entry = self._account_entry(_text(record.fields, 0))
        if entry is not None:
            entry["name"] = _text(record.fields, 1)

    def _ktyp(self, record: Record) -> None:
        kind = _text(record.fields, 1).upper()
        if kind not in ("T", "S", "K", "I"):
            self.warn(f"#KTYP {kind!r} is not T, S, K or I")
        entry = self._account_entry(_text(record.fields, 0))
        if entry is not None:
            entry["kind"] = kind

    def _enhet(self, record: Record) -> None:
        entry = self._account_entry(_text(record.fields, 0))
        if entry is not None:
            entry["unit"] = _text(record.fields, 1)

    def _sru(self, record: Record) -> None:
        entry = self._account_entry(_text(record.fields, 0))
        if entry is not None:
            codes = entry.setdefault("sru", [])
            if isinstance(codes, list):
                codes.append(_text(record.fields, 1))

    def _dim(self, record: Record) -> None:
        text = _text(record.fields, 0)
        if not _NUMBER.match(text):
            self.error(f"{record.label} dimension {text!r} is not a number")
            return
        parent_text = _text(record.fields, 2) if record.label.upper() == "#UNDERDIM" else ""
        parent = int(parent_text) if _NUMBER.match(parent_text) else None
        self.dimensions[int(text)] = Dimension(int(text), _text(record.fields, 1), parent)

    def _objekt(self, record: Record) -> None:
        text = _text(record.fields, 0)
        if not _NUMBER.match(text):
            self.error(f"#OBJEKT dimension {text!r} is not a number")
            return
        self.objects[(int(text), _text(record.fields, 1))] = _text(record.fields, 2)

    def _rar(self, record: Record) -> None:
        if not _text(record.fields, 1) and not _text(record.fields, 2):
            self.warn("#RAR without dates is ignored")
            return
        year = self.year(_text(record.fields, 0))
        start = self.date(_text(record.fields, 1), "#RAR start")
        end = self.date(_text(record.fields, 2), "#RAR end")
        if year is None or start is None or end is None:
            return
        if end < start:
            self.error(f"#RAR {year}: the year ends ({end}) before it starts ({start})")
            return
        self.years[year] = (start, end)

    def _sietyp(self, record: Record) -> None:
        value = _text(record.fields, 0)
        if value not in ("1", "2", "3", "4"):
            self.warn(f"#SIETYP {value!r} is not 1, 2, 3 or 4")
        self.header.setdefault("SIETYP", (value,))

    def _gen(self, record: Record) -> None:
        fields = tuple(f for f in record.fields if isinstance(f, str))
        if fields and not _DATE.match(fields[0]):
            self.warn(f"#GEN date {fields[0]!r} is not YYYYMMDD")
        self.header.setdefault("GEN", fields)

    def _ksumma(self, record: Record) -> None:
        value = _text(record.fields, 0)
        if self.checksum is None:
            if self.checksum_closed:
                self.warn("a second #KSUMMA block is ignored")
            elif value:
                self.warn("#KSUMMA with a sum but no opening #KSUMMA before it; not verified")
            else:
                self.checksum = Checksum()
            return
        computed = self.checksum.value
        self.checksum = None
        self.checksum_closed = True
        if not _NUMBER.match(value):
            self.error(f"closing #KSUMMA {value!r} is not a number")
            return
        declared = int(value)
        self.checksum_result = (declared, computed)
        if declared != computed:
            self.error(f"#KSUMMA {declared} does not match the records (computed {computed}): "
                       "the file was changed after it was written")
