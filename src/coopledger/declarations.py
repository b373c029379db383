"""Declarations: the ``custom "coop-..."`` directives that configure the books.

Every coopledger setting lives in the ledger as a custom directive in the ``coop-``
namespace. The first value is the declaration's id; the named fields are the directive's
metadata (a hyphen in a key reads as an underscore)::

    2025-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa ekonomisk förening"
      kind: "member"
      orgnr: "769612-3456"

Each declaration type is a frozen pydantic model registered with :func:`declaration`.
:func:`parse_declarations` validates them all; a bad one becomes a
:class:`~coopledger.errors.DeclarationError` at its file and line, and an unknown
``coop-...`` type is an error too, never ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from beancount.core import data
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coopledger.errors import DeclarationError

PREFIX = "coop-"

_REGISTRY: dict[str, type[Declaration]] = {}

D = TypeVar("D", bound="Declaration")


class Declaration(BaseModel):
    """Base of every declaration: its id, its date and where it was written.

    Each model builds its validator when it first validates (``defer_build``), not when
    its module is imported: importing every declaration type (:mod:`coopledger.schema`)
    then costs little, and a run that validates none builds none. The answers are the
    same either way.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True,
                              defer_build=True)
    directive: ClassVar[str] = ""

    id: str = Field(min_length=1)
    date: datetime.date
    meta: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)


def declaration(directive: str) -> Callable[[type[D]], type[D]]:
    """Register a model as the payload of ``custom "<directive>"``.

    Args:
        directive: The full directive type, starting with ``coop-``.

    Returns:
        A class decorator that registers and returns the model.
    """
    if not directive.startswith(PREFIX):
        raise ValueError(f"declaration types start with {PREFIX!r}: {directive!r}")

    def register(model: type[D]) -> type[D]:
        model.directive = directive
        _REGISTRY[directive] = model
        return model

    return register


def registry() -> dict[str, type[Declaration]]:
    """Every registered declaration type, by directive name.

    A type registers when its module is imported; :mod:`coopledger.schema` imports them
    all, and the package imports it first (``coopledger/__init__.py``), so every type
    is known before any of its modules reads a ledger.
    """
    return dict(_REGISTRY)


@dataclass(frozen=True)
class Declarations:
    """All valid declarations of a ledger, by directive type, each list in date order."""

    by_type: dict[str, list[Declaration]] = field(default_factory=dict)

    def of(self, model: type[D]) -> list[D]:
        """The declarations of one model's type, in date order.

        Args:
            model: A registered declaration model.

        Returns:
            Its declarations (possibly none).
        """
        found = self.by_type.get(model.directive, [])
        return [d for d in found if isinstance(d, model)]


def payload_of(entry: data.Custom) -> dict[str, Any]:
    """The raw payload of a custom directive: id, date and metadata fields."""
    payload: dict[str, Any] = {
        key.replace("-", "_"): value
        for key, value in (entry.meta or {}).items()
        if key not in ("filename", "lineno") and not key.startswith("__")
    }
    if entry.values:
        payload["id"] = entry.values[0].value
    payload["date"] = entry.date
    payload["meta"] = entry.meta
    return payload


def describe_validation_error(exc: ValidationError) -> str:
    """One readable line from a pydantic error: each field and what is wrong with it."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p).replace("_", "-") for p in err["loc"])
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "missing"
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_declaration(entry: data.Custom) -> Declaration:
    """Validate one ``coop-...`` custom directive.

    Args:
        entry: The directive.

    Returns:
        Its validated model.

    Raises:
        ValueError: Unknown type, or a payload that does not validate; the message is
            one readable line naming the directive and the fields at fault.
    """
    known = registry()
    model = known.get(entry.type)
    if model is None:
        names = ", ".join(sorted(known))
        raise ValueError(f"unknown declaration {entry.type!r} (known: {names})")
    if not entry.values or not isinstance(entry.values[0].value, str):
        raise ValueError(f"{entry.type}: the first value must be the id, as a string")
    try:
        return model.model_validate(payload_of(entry))
    except ValidationError as exc:
        ident = entry.values[0].value
        raise ValueError(f"{entry.type} {ident}: {describe_validation_error(exc)}") from None


def parse_each(
    entries: Iterable[data.Directive],
) -> tuple[list[tuple[data.Custom, Declaration]], list[DeclarationError]]:
    """Validate every ``coop-...`` declaration, keeping each next to its directive.

    Args:
        entries: The ledger's directives, in any order.

    Returns:
        ``(directive, declaration)`` for each valid one, in the order given, and one
        error per bad declaration.
    """
    parsed: list[tuple[data.Custom, Declaration]] = []
    errors: list[DeclarationError] = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or not entry.type.startswith(PREFIX):
            continue
        try:
            parsed.append((entry, parse_declaration(entry)))
        except ValueError as exc:
            errors.append(DeclarationError(entry.meta, str(exc), entry))
    return parsed, errors


def collect_declarations(
    parsed: Iterable[tuple[data.Custom, Declaration]],
) -> Declarations:
    """Valid declarations grouped by directive type, each list in date order.

    Args:
        parsed: ``(directive, declaration)`` pairs in the ledger's order.

    Returns:
        The declarations by type; same-day declarations keep the order given.
    """
    by_type: dict[str, list[Declaration]] = {}
    for entry, decl in parsed:
        by_type.setdefault(entry.type, []).append(decl)
    for decls in by_type.values():
        decls.sort(key=lambda d: d.date)  # stable: same-day declarations keep file order
    return Declarations(by_type)


def parse_declarations(
    entries: Iterable[data.Directive],
) -> tuple[Declarations, list[DeclarationError]]:
    """Validate every ``coop-...`` declaration of a ledger.

    Args:
        entries: The ledger's directives, in any order.

    Returns:
        The valid declarations by type (date order) and one error per bad declaration.
    """
    parsed, errors = parse_each(entries)
    return collect_declarations(parsed), errors
