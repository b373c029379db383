"""Values inside SIE records, and where reading problems are collected.

:class:`Context` is the reader's state shared by every label's handler: the file name,
strict or lenient, the current line, and the problems found so far. Its value parsers
(amounts, dates, account numbers, relative years, object lists) report a bad value at
the current line and return None, so a lenient read goes on with the next record.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from coopledger.errors import CoopException
from coopledger.sie.records import ObjectRef, Problem, Severity
from coopledger.sie.tokens import Field

AMOUNT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)$")
DATE = re.compile(r"\d{8}$")
NUMBER = re.compile(r"\d+$")
YEAR = re.compile(r"-?\d+$")


class SieError(CoopException):
    """A SIE file that cannot be read (strict mode: its first error).

    Args:
        message: One line naming the file, the line and what is wrong.
        line: The line number (0: the file as a whole).
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def parse_date(text: str) -> datetime.date:
    """Read a SIE date ``YYYYMMDD``.

    Raises:
        ValueError: Not eight digits or not a real date.
    """
    if not DATE.match(text):
        raise ValueError(f"date {text!r} is not YYYYMMDD")
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"date {text!r} is not a real date") from None


def text_field(fields: tuple[Field, ...], index: int) -> str:
    """The field at ``index`` as text ("" when absent or an object list)."""
    if index < len(fields):
        value = fields[index]
        return value if isinstance(value, str) else ""
    return ""


class Context:
    """The file being read: its name, mode, current line and problems."""

    def __init__(self, name: str, strict: bool) -> None:
        self.name = name
        self.strict = strict
        self.problems: list[Problem] = []
        self.dates: dict[str, datetime.date] = {}
        self.line = 0
        #: The label of a record whose errors only skip it (a record the import does not
        #: need, such as ``#PBUDGET``), or empty.
        self.skipping = ""

    def error(self, message: str, line: int | None = None) -> None:
        """Report an error at ``line`` (default: the current line); strict mode raises.

        Raises:
            SieError: In strict mode.
        """
        where = self.line if line is None else line
        if self.skipping:
            self.problems.append(Problem(Severity.WARNING, where, f"{message}; this "
                                         f"{self.skipping} is skipped"))
            return
        if self.strict:
            at = f":{where}" if where else ""
            raise SieError(f"{self.name}{at}: {message}", where)
        self.problems.append(Problem(Severity.ERROR, where, message))

    def warn(self, message: str, line: int | None = None) -> None:
        """Report a warning at ``line`` (default: the current line)."""
        self.problems.append(Problem(Severity.WARNING, self.line if line is None else line,
                                     message))

    def amount(self, text: str, what: str = "amount") -> Decimal | None:
        """An amount with a decimal point, or None after reporting why not."""
        if AMOUNT.match(text):
            return Decimal(text)
        if "," in text:
            self.error(f"{what} {text!r} has a decimal comma; SIE writes a point (1234.50)")
        elif not text:
            self.error(f"{what} is missing")
        else:
            self.error(f"{what} {text!r} is not a number")
        return None

    def optional_amount(self, text: str, what: str) -> Decimal | None:
        """An amount if the field is not empty."""
        return self.amount(text, what) if text else None

    def date(self, text: str, what: str = "date") -> datetime.date | None:
        """A ``YYYYMMDD`` date (cached: files repeat few dates), or None after reporting."""
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
        """Whether the text is an account number (digits); reports it when not."""
        if NUMBER.match(text):
            return True
        self.error(f"account {text!r} is not an account number (digits only)"
                   if text else "account number is missing")
        return False

    def year(self, text: str) -> int | None:
        """A relative year (0, -1, ...), or None after reporting."""
        if YEAR.match(text):
            return int(text)
        self.error(f"year {text!r} is not a relative year number (0, -1, ...)")
        return None

    def object_list(self, value: Field) -> tuple[ObjectRef, ...]:
        """Object references from an object list ``{dim obj ...}``."""
        if isinstance(value, str):
            self.warn(f"expected an object list {{...}}, found {value!r}")
            return ()
        if len(value) % 2:
            self.error(f"object list {{{' '.join(value)}}} has an odd number of items "
                       "(dimension and object come in pairs)")
            return ()
        refs = []
        for dim, code in zip(value[::2], value[1::2], strict=True):
            if not NUMBER.match(dim):
                self.error(f"object list: dimension {dim!r} is not a number")
                return ()
            refs.append((int(dim), code))
        return tuple(refs)
