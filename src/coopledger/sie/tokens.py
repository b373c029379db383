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
    fields: list[Field] = []
    problem = ""
    group: list[str] | None = None
    pos = 0
    end = len(line)
    while pos < end:
        match = _TOKEN.match(line, pos)
        if match is None:
            rest = line[pos:].strip()
            if rest:
                tail = _UNTERMINATED.match(rest)
                text = _unescape(tail.group(1)) if tail else rest
                (group if group is not None else fields).append(text)
                problem = "a quoted field is not closed"
            break
        pos = match.end()
        quoted, brace, word = match.groups()
        if brace == "{":
            if group is not None:
                problem = "an object list is opened twice"
                continue
            group = []
        elif brace == "}":
            if group is None:
                problem = "a } closes no object list"
                continue
            fields.append(tuple(group))
            group = None
        else:
            text = word if word is not None else _unescape(quoted)
            (group if group is not None else fields).append(text)
    if group is not None:
        fields.append(tuple(group))
        problem = "an object list { is not closed with }"
    if not fields:
        return None
    head = fields[0]
    if isinstance(head, tuple):
        return Record("{", tuple(fields[1:]), problem or "a line starts with an object list")
    return Record(head, tuple(fields[1:]), problem)


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
