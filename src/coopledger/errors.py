"""Errors that coopledger returns as values at its edges.

Beancount prints an error as ``file:line: message`` from its ``source`` metadata, so every
coopledger error carries the offending entry's ``meta`` as ``source``. Inside the core a
:class:`CoopException` may be raised with that meta; plugins and commands convert it to a
:class:`CoopError` at their boundary.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from coopledger.i18n import Message


class CoopError(NamedTuple):
    """A problem in the books, reported at the file and line of its entry."""

    source: dict[str, Any] | None
    message: str
    entry: Any


class DeclarationError(CoopError):
    """A ``coop-...`` declaration that does not parse or does not make sense."""


class EntityError(CoopError):
    """An account or posting that does not belong to a declared entity."""


class BalanceError(CoopError):
    """A transaction that does not balance inside an entity and cannot be completed."""


class CoopException(Exception):  # noqa: N818 - the domain's own name, as in Beancount's
    """A domain problem raised inside the core, carrying the meta of the entry at fault.

    Args:
        message: One readable line: what is wrong and, where it helps, what to do; or
            the catalogue's message (:class:`coopledger.i18n.Message`), which a page says
            in its language (``said``) and the command line in plain English
            (``message``).
        meta: The offending entry's metadata (``filename``/``lineno``), if any.
    """

    def __init__(self, message: str | Message, meta: dict[str, Any] | None = None) -> None:
        said = message if isinstance(message, Message) else None
        text = message.plain() if isinstance(message, Message) else message
        super().__init__(text)
        self.message = text
        self.said = said
        self.meta = meta

    def text(self, language: str) -> str:
        """The problem in ``language`` when the catalogue has its words, else as raised."""
        return self.said.text(language) if self.said is not None else self.message


class InputRefused(CoopException):
    """Input a command refuses before it writes anything: exit status 2.

    What the command was given is wrong: an option, a file to import, or the declaration
    of the party it is asked to invoice or pay. The books themselves having errors is
    another matter (exit status 1, as ``coopledger check``). The message is one line
    naming what is wrong and why, and saying that nothing was written.
    """

    status = 2


def format_error(error: Any) -> str:
    """Render any Beancount or coopledger error as one ``file:line: message`` line.

    Args:
        error: A Beancount error-like named tuple with ``source`` and ``message``.

    Returns:
        The location (when known) and the first line of the message.
    """
    source = getattr(error, "source", None) or {}
    message = str(getattr(error, "message", error)).strip().splitlines()
    text = message[0] if message else type(error).__name__
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    if filename and not str(filename).startswith("<"):
        return f"{filename}:{lineno}: {text}" if lineno else f"{filename}: {text}"
    return text
