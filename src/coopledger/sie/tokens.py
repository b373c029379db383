"""The SIE tokenizer: one record line into its label and fields.

A SIE record is ``#LABEL field field ...``. Fields are separated by spaces or TABs; a field
holding a space is quoted with ``"``, and ``\\"`` inside quotes stands for a quote. An
object list such as ``{1 "7" 6 "P1"}`` is one field whose items are strings. A line that is
only ``{`` or ``}`` opens or closes a voucher's block of rows.

The tokenizer is the reader's hot loop: a line without quotes or braces is split with
:meth:`str.split`; any other line is matched once with one compiled regular expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: One token: a quoted string (group 1), a brace (group 2) or a bare word (group 3).
#: A quote followed by a non-blank character is taken as part of the text (some programs
#: write an unescaped ``"`` inside a quoted name); only a quote before a blank, a brace or
#: the end of the line closes the field.
_TOKEN = re.compile(
    r'\s*(?:"((?:[^"\\]|\\.|"(?=[^\s{}]))*)"(?=[\s{}]|$)|([{}])|([^\s"{}]+))')
#: An opening quote that never closes: the rest of the line is taken as the field.
_UNTERMINATED = re.compile(r'"((?:[^"\\]|\\.)*)$')

Field = str | tuple[str, ...]
_AFTER_QUOTE = frozenset(" \t\r\f\v{}")


@dataclass(frozen=True, slots=True)
class Record:
    """One tokenized line.

    Attributes:
        label: The label with its ``#`` (``#TRANS``), or ``{`` / ``}`` for a block line.
        fields: The fields; an object list is a tuple of its items.
        problem: What was odd about the line's syntax (an unclosed object list or quote),
            or empty.
    """

    label: str
    fields: tuple[Field, ...]
    problem: str = ""


def _unescape(text: str) -> str:
    return text.replace('\\"', '"') if "\\" in text else text


def tokenize(line: str) -> Record | None:
    """Split one line into a record.

    Args:
        line: The line without its line ending.

    Returns:
        The record, or None for a blank line.
    """
    if '"' not in line and "{" not in line and "}" not in line:
        words = line.split()
        if not words:
            return None
        return Record(words[0], tuple(words[1:]))
    stripped = line.strip()
    if stripped in ("{", "}"):
        return Record(stripped, ())
    fast = _fast_fields(line)
    fields, problem = (fast, "") if fast is not None else _fields(line)
    if not fields:
        return None
    head = fields[0]
    if isinstance(head, tuple):
        return Record("{", tuple(fields[1:]), problem or "a line starts with an object list")
    return Record(head, tuple(fields[1:]), problem)


def _fast_fields(line: str) -> list[Field] | None:
    """The common path: split on quotes and blanks in C; None when the line needs care.

    Lines with a backslash, an odd number of quotes, a quote closing before a non-blank,
    or braces that do not pair up simply are left to :func:`_fields`.
    """
    if "\\" in line:
        return None
    parts = line.split('"')
    last = len(parts) - 1
    if last % 2:
        return None
    fields: list[Field] = []
    group: list[str] | None = None
    for index, part in enumerate(parts):
        if index % 2:
            (group if group is not None else fields).append(part)
            continue
        if index and part and part[0] not in _AFTER_QUOTE:
            return None
        if "{" in part or "}" in part:
            state = _braces(part, fields, group)
            if isinstance(state, bool):
                return None
            group = state
        elif group is not None:
            group.extend(part.split())
        else:
            fields.extend(part.split())
    return None if group is not None else fields


def _braces(part: str, fields: list[Field], group: list[str] | None,
            ) -> list[str] | bool | None:
    """Words of an unquoted part with braces; the open group after it, False if odd."""
    for word in part.replace("{", " { ").replace("}", " } ").split():
        if word == "{":
            if group is not None:
                return False
            group = []
        elif word == "}":
            if group is None:
                return False
            fields.append(tuple(group))
            group = None
        else:
            (group if group is not None else fields).append(word)
    return group


def _fields(line: str) -> tuple[list[Field], str]:
    """The slow path: quotes and object lists, one regular-expression match per token."""
    fields: list[Field] = []
    problem = ""
    group: list[str] | None = None
    pos, end = 0, len(line)
    while pos < end:
        match = _TOKEN.match(line, pos)
        if match is None:
            rest = line[pos:].strip()
            if rest:
                tail = _UNTERMINATED.match(rest)
                (group if group is not None else fields).append(
                    _unescape(tail.group(1)) if tail else rest)
                problem = "a quoted field is not closed"
            break
        pos = match.end()
        quoted, brace, word = match.groups()
        if brace is None:
            (group if group is not None else fields).append(
                word if word is not None else _unescape(quoted))
        elif brace == "{":
            if group is None:
                group = []
            else:
                problem = "an object list is opened twice"
        elif group is None:
            problem = "a } closes no object list"
        else:
            fields.append(tuple(group))
            group = None
    if group is not None:
        fields.append(tuple(group))
        problem = "an object list { is not closed with }"
    return fields, problem


def checksum_text(record: Record) -> str:
    """The text a record adds to the ``#KSUMMA`` checksum.

    The label and every field's content, concatenated without separators, quotes or
    braces; ``\\"`` counts as ``"``. Block lines (``{``, ``}``) add nothing.
    """
    if not record.label.startswith("#"):
        return ""
    parts = [record.label]
    for field in record.fields:
        if isinstance(field, tuple):
            parts.extend(field)
        else:
            parts.append(field)
    return "".join(parts)
