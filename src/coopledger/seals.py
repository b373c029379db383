"""Seals: a digest of a closed month's entries, so that any later change is found.

Closing a month ends with a seal declaration::

    2026-10-31 custom "coop-seal" "2026-10"
      digest: "3b0c...e1"                      ; SHA-256 of the month, 64 hex digits
      count: 214                               ; entries sealed
      days: "01:9f3a0c1b2d4e5f60 02:..."       ; per day: 16 hex digits of its digest
      entries: "01:1a2b3c4d,5e6f7a8b 02:..."   ; per day: 8 hex digits per entry

The digest is computed over a *canonical form* of every directive dated in the month, so
that it does not depend on the files' layout, comments, blank lines or the order of
entries inside a day, only on the records themselves. Per entry the canonical form holds
the directive type and every field: for a transaction its date, flag, payee, narration,
tags, links, postings (account, units, cost, price, flag, metadata) and metadata. Left out
are where the entry is written (``filename``, ``lineno``), Beancount's internal keys
(``__...``), the clearing postings that coopledger completes at load (they are derived
from the others), entries that plugins create at load (file name ``<...>``), the
padding that ``pad`` derives and the amount a failing ``balance`` reports, seals
themselves, and the year-end entries (metadata ``year-end``), which a year seal covers
(they may be booked after December is sealed, as the law allows closing entries in a
special series). The voucher number ``ver`` *is* part of the record: renumbering a
sealed month is a change.

The per-day and per-entry digests let a check say which day changed and which entries
are new or edited (their short digest is not in the seal) and how many sealed entries
are gone.

**Versions.** A seal says which canonical form it was made with (``version: 2``; a seal
without the key is version 1), and is always checked with that form, so a seal stays
valid whatever later versions change. Version 1 holds every metadata key. Version 2, what
the close writes now, leaves out *annotations*: metadata that is not the record and may
be added later without touching it (:data:`ANNOTATION_KEYS`: bank identifiers such as
``iban:`` on an ``open``, notes, attached documents), on the directive and on each of its
postings. Everything else stays covered; for an entry without annotations both versions
give the same text.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount
from pydantic import field_validator

from coopledger.clearing import GENERATED_BY as CLEARING_GENERATED_BY
from coopledger.declarations import Declaration, declaration, parse_declaration
from coopledger.i18n import Message, MonthLabel

if TYPE_CHECKING:
    from coopledger.books import Books

SEAL = "coop-seal"
YEAR_END_KEY = "year-end"
#: The canonical form the close writes seals with (see the module docstring).
SEAL_VERSION = 2
#: The first version whose canonical form leaves out :data:`ANNOTATION_KEYS`.
ANNOTATIONS_LEFT_OUT_SINCE = 2
#: Metadata keys a version-2 seal leaves out: annotations, not the record. Bank
#: identifiers of an account, free notes and attached documents.
ANNOTATION_KEYS = frozenset({
    "iban", "bic", "bankgiro", "plusgiro", "bank-account", "clearing-number",
    "note", "notes", "comment", "comments", "description", "document", "documents",
    "url", "contact", "email", "phone",
})
_SKIPPED_META = frozenset({"filename", "lineno"})
#: Fields that are not the record: where it is written, and what Beancount's balance
#: check fills in after the plugins ran.
_DERIVED_FIELDS = frozenset({"meta", "diff_amount"})
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@declaration(SEAL)
class Seal(Declaration):
    """A sealed month (id ``YYYY-MM``) or fiscal year (id ``YYYY``).

    Attributes:
        id: The month ``2026-10`` or the year ``2025``.
        digest: SHA-256 (hex) of the canonical form of the sealed entries.
        count: How many entries were sealed.
        days: Per day ``DD:<16 hex>`` (months only), space separated.
        entries: Per day ``DD:<8 hex>,<8 hex>...``: a short digest of each entry.
        balances: For a year, SHA-256 of the closing balances of the balance sheet's
            accounts (of every account in a version-1 year seal).
        carry: For a year, SHA-256 of the entries carrying the result forward.
        fiscal_year_start: For a year, the month it starts in.
        loans: For a year, SHA-256 of the loans' opening snapshots for the next year
            (see :mod:`coopledger.fund.opening`); empty when no loan had started.
        accounts: For a year, per entity, 8 hex digits of each account's closing
            balance (``Kafe:1a2b3c4d,5e6f7a8b Paraply:...``), so that a changed balance
            is named by entity and account.
        version: The canonical form of a month seal (1 without the key; see the
            module docstring); for a year, which balances it digests (see
            :mod:`coopledger.close.yearseal`).
        accepted_by: For a month sealed while entries awaited review (``!`` entries,
            a balance on a suspense account), who accepted it.
        accepted_reason: Why they accepted it.
        accepted_items: What they accepted, the preflight's lines joined by `` | ``.
    """

    digest: str
    count: int = 0
    days: str = ""
    entries: str = ""
    balances: str = ""
    carry: str = ""
    fiscal_year_start: int = 1
    loans: str = ""
    accounts: str = ""
    version: int = 1
    accepted_by: str = ""
    accepted_reason: str = ""
    accepted_items: str = ""

    @field_validator("id")
    @classmethod
    def _period(cls, value: str) -> str:
        if not (_MONTH.match(value) or _YEAR.match(value)):
            raise ValueError(f"a seal names a month YYYY-MM or a year YYYY, not {value!r}")
        return value

    @field_validator("digest")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX64.match(value):
            raise ValueError("must be 64 lowercase hex digits (SHA-256)")
        return value

    @property
    def is_year(self) -> bool:
        """Whether this seals a whole fiscal year rather than a month."""
        return len(self.id) == 4


def month_label(date: datetime.date) -> str:
    """The month of a date as ``YYYY-MM``."""
    return f"{date.year:04d}-{date.month:02d}"


def month_bounds(label: str) -> tuple[datetime.date, datetime.date]:
    """First day of a ``YYYY-MM`` month and first day of the next (half-open).

    Raises:
        ValueError: The label is not ``YYYY-MM``.
    """
    if not _MONTH.match(label):
        raise ValueError(f"{label!r} is not a month (YYYY-MM)")
    year, month = int(label[:4]), int(label[5:])
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, end


def next_month(label: str) -> str:
    """The month after a ``YYYY-MM`` month."""
    return month_label(month_bounds(label)[1])


def previous_month(label: str) -> str:
    """The month before a ``YYYY-MM`` month."""
    start, _ = month_bounds(label)
    return month_label(start - datetime.timedelta(days=1))


# --- canonical form -------------------------------------------------------------------

def _canon(value: Any) -> str:
    # Every seal ever written depends on this text: it must never change. The common
    # kinds of value go straight to their writer; the others take the general path.
    write = _WRITERS.get(type(value))
    if write is not None:
        return write(value)
    return _canon_other(value)


def _canon_other(value: Any) -> str:  # noqa: PLR0911 - one return per kind of value
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, str):
        return _canon_str(value)
    if isinstance(value, Decimal | int):
        return f"#{value}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return _canon_meta(value)
    if isinstance(value, frozenset | set):
        return _canon_set(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        if isinstance(value, data.Posting):
            return _canon_posting(value)
        parts = (f"{name}={_canon(getattr(value, name))}" for name in value._fields)
        return f"{type(value).__name__}(" + ",".join(parts) + ")"
    if isinstance(value, list | tuple):
        return _canon_sequence(value)
    return f"{type(value).__name__}:{value}"


def _canon_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _canon_number(value: Decimal | int) -> str:
    return f"#{value}"


def _canon_set(value: frozenset[Any] | set[Any]) -> str:
    if not value:  # most tags and links
        return "{}"
    return "{" + ",".join(sorted(_canon(v) for v in value)) + "}"


def _canon_sequence(value: list[Any] | tuple[Any, ...]) -> str:
    return "[" + ",".join(_canon(v) for v in value) + "]"


def _canon_amount(value: Amount) -> str:
    # What the general path writes for this named tuple, field by field.
    number, currency = value.number, value.currency
    return (f"Amount(number={f'#{number}' if type(number) is Decimal else _canon(number)},"
            f"currency={_canon_str(currency) if type(currency) is str else _canon(currency)})")


def _canon_meta(meta: dict[str, Any]) -> str:
    if meta.keys() <= _SKIPPED_META:  # most postings: where they are written, nothing more
        return "{}"
    items = sorted((str(k), v) for k, v in meta.items()
                   if k not in _SKIPPED_META and not str(k).startswith("__"))
    return "{" + ",".join(f"{k}:{_canon(v)}" for k, v in items) + "}"


def _canon_posting(posting: data.Posting) -> str:
    units, cost, price, flag = posting.units, posting.cost, posting.price, posting.flag
    return (f"P({posting.account},"
            f"{_canon_amount(units) if type(units) is Amount else _canon(units)},"
            f"{'~' if cost is None else _canon(cost)},{'~' if price is None else _canon(price)},"
            f"{'~' if flag is None else _canon(flag)},{_canon(posting.meta or {})})")


#: Writers by exact type: each gives what :func:`_canon_other` gives for that type.
_WRITERS: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "~",
    bool: lambda value: "T" if value else "F",
    str: _canon_str,
    Decimal: _canon_number,
    int: _canon_number,
    datetime.date: datetime.date.isoformat,
    dict: _canon_meta,
    frozenset: _canon_set,
    set: _canon_set,
    list: _canon_sequence,
    tuple: _canon_sequence,
    Amount: _canon_amount,
    data.Posting: _canon_posting,
}


def is_derived_posting(posting: data.Posting) -> bool:
    """Whether a posting is the clearing completion coopledger adds at load."""
    meta = posting.meta or {}
    return meta.get("generated-by") == CLEARING_GENERATED_BY


#: The fields of each kind of directive that are part of the record.
_RECORD_FIELDS: dict[type, tuple[str, ...]] = {}


def _without_annotations(meta: dict[str, Any]) -> dict[str, Any]:
    if meta.keys().isdisjoint(ANNOTATION_KEYS):
        return meta
    return {k: v for k, v in meta.items() if k not in ANNOTATION_KEYS}


def without_annotations(entry: data.Directive) -> data.Directive:
    """The directive as a version-2 seal sees it: no annotation metadata (the same
    object when it has none)."""
    meta: dict[str, Any] = entry.meta or {}
    kept = _without_annotations(meta)
    postings: list[data.Posting] | None = getattr(entry, "postings", None)
    if postings is not None and any(p.meta and not p.meta.keys().isdisjoint(ANNOTATION_KEYS)
                                    for p in postings):
        postings = [p._replace(meta=_without_annotations(p.meta)) if p.meta else p
                    for p in postings]
        changed: data.Directive = entry._replace(meta=kept, postings=postings)  # type: ignore[call-arg]
        return changed
    return entry if kept is meta else entry._replace(meta=kept)


def canonical(entry: data.Directive, version: int = 1) -> str:
    """The canonical text of one directive: every field, without where it is written.

    Args:
        entry: A directive as loaded.
        version: The seal's version: 1 holds every metadata key, 2 (and later) leaves
            out the annotations (:data:`ANNOTATION_KEYS`).

    Returns:
        One line that changes exactly when the record changes.
    """
    if version >= ANNOTATIONS_LEFT_OUT_SINCE:
        entry = without_annotations(entry)
    kind = type(entry)
    names = _RECORD_FIELDS.get(kind)
    if names is None:
        names = _RECORD_FIELDS[kind] = tuple(
            name for name in entry._fields if name not in _DERIVED_FIELDS)
    fields = []
    for name in names:
        value = getattr(entry, name)
        if name == "postings":
            value = [p for p in value if not is_derived_posting(p)]
        fields.append(f"{name}={_canon(value)}")
    return f"{kind.__name__}|{_canon_meta(entry.meta or {})}|" + "|".join(fields)


def entry_digest(entry: data.Directive, version: int = 1) -> str:
    """SHA-256 (hex) of an entry's canonical form (of a seal's version)."""
    return hashlib.sha256(canonical(entry, version).encode("utf-8")).hexdigest()


def is_sealable(entry: data.Directive) -> bool:
    """Whether a month seal covers this directive (see the module docstring)."""
    meta = entry.meta or {}
    filename = str(meta.get("filename") or "")
    if filename.startswith("<") and filename != "<string>":
        return False
    if isinstance(entry, data.Custom) and entry.type == SEAL:
        return False
    if isinstance(entry, data.Transaction) and entry.flag == "P":
        return False  # padding: derived from pad and balance, after the plugins ran
    return YEAR_END_KEY not in meta


@dataclass(frozen=True)
class MonthDigest:
    """The digests of one month's entries.

    Attributes:
        month: ``YYYY-MM``.
        digest: SHA-256 over the per-day digests.
        count: Number of entries.
        days: Day of month to its full SHA-256.
        entries: Day of month to the entries' full digests, sorted.
        where: Entry digest to the entry (for naming it in a report).
        version: The canonical form used.
    """

    month: str
    digest: str
    count: int
    days: dict[int, str]
    entries: dict[int, list[str]]
    where: dict[str, data.Directive]
    version: int = 1


def digest_entries(month: str, entries: Iterable[data.Directive],
                   version: int = 1) -> MonthDigest:
    """Digest the given entries of one month (callers pass only that month's entries).

    Args:
        month: ``YYYY-MM``.
        entries: The month's sealable directives, in any order.
        version: The canonical form (a seal's ``version``; the close writes
            :data:`SEAL_VERSION`).

    Returns:
        The month digest with its per-day and per-entry parts.
    """
    per_day: dict[int, list[str]] = defaultdict(list)
    where: dict[str, data.Directive] = {}
    for entry in entries:
        digest = entry_digest(entry, version)
        per_day[entry.date.day].append(digest)
        where.setdefault(digest, entry)
    days: dict[int, str] = {}
    for day, digests in sorted(per_day.items()):
        digests.sort()
        days[day] = hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
    month_text = "\n".join(f"{month}-{day:02d}:{digest}" for day, digest in days.items())
    total = sum(len(d) for d in per_day.values())
    return MonthDigest(month, hashlib.sha256(f"{month}\n{month_text}".encode()).hexdigest(),
                       total, days, dict(per_day), where, version)


def month_entries(
    entries: Iterable[data.Directive], start: datetime.date, end: datetime.date,
) -> list[data.Directive]:
    """The sealable entries dated in ``[start, end)``."""
    return [e for e in entries if start <= e.date < end and is_sealable(e)]


@dataclass(frozen=True)
class Acceptance:
    """Someone's acceptance of a month that awaits review, recorded in its seal.

    Attributes:
        by: Who accepted (a person's name or user name).
        reason: Why, in their words.
        items: What they accepted: the review check's lines.
    """

    by: str
    reason: str
    items: tuple[str, ...]


ITEM_SEPARATOR = " | "


def _ledger_string(text: str) -> str:
    # One line, as a Beancount string: no newline, quotes and backslashes escaped.
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def seal_text(digest: MonthDigest, date: datetime.date,
              acceptance: Acceptance | None = None) -> str:
    """The ``coop-seal`` declaration for a month digest, as ledger text.

    Args:
        digest: The month's digest.
        date: The seal's date (the month's last day).
        acceptance: Who accepted what still awaited review, when someone did.
    """
    days = " ".join(f"{day:02d}:{value[:16]}" for day, value in digest.days.items())
    entries = " ".join(f"{day:02d}:" + ",".join(d[:8] for d in values)
                       for day, values in digest.entries.items())
    text = (f'{date} custom "{SEAL}" "{digest.month}"\n'
            f'  digest: "{digest.digest}"\n'
            f"  count: {digest.count}\n"
            f'  days: "{days}"\n'
            f'  entries: "{entries}"\n')
    if digest.version != 1:
        text += f"  version: {digest.version}\n"
    if acceptance is not None:
        items = ITEM_SEPARATOR.join(item.replace("|", "/") for item in acceptance.items)
        text += (f"  accepted-by: {_ledger_string(acceptance.by)}\n"
                 f"  accepted-reason: {_ledger_string(acceptance.reason)}\n"
                 f"  accepted-items: {_ledger_string(items)}\n")
    return text


def accepted_items(seal: Seal) -> list[str]:
    """The items a seal's acceptance lists (empty when nothing was accepted)."""
    return [item for item in seal.accepted_items.split(ITEM_SEPARATOR) if item]


def _parse_days(text: str) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for item in text.split():
        day, _, values = item.partition(":")
        if day.isdigit():
            result[int(day)] = [v for v in values.split(",") if v]
    return result


def _touches(entry: data.Directive) -> str:
    """`` (Kafe: Assets:Kafe:1930-…, …)``: the entities and accounts an entry touches."""
    postings = getattr(entry, "postings", None)
    accounts = ([p.account for p in postings if not is_derived_posting(p)]
                if postings is not None else [getattr(entry, "account", None)])
    named = sorted({a for a in accounts if isinstance(a, str)})
    if not named:
        return ""
    entities = sorted({a.split(":")[1] for a in named if a.count(":") >= 2})
    return f" ({', '.join(entities)}: {', '.join(named)})" if entities else \
        f" ({', '.join(named)})"


def explain_mismatch(
    seal: Seal, actual: MonthDigest,
) -> list[tuple[Message, data.Directive | None]]:
    """Say what changed in a sealed month: per day, the entries not in the seal.

    Args:
        seal: The seal as declared.
        actual: The digest of the month's entries as loaded now.

    Returns:
        ``(message, entry or None)`` pairs; an entry is named where it can be. The
        messages are the catalogue's (``seal.*``): ``plain()`` for a Beancount error or
        the command line, ``text(language)`` for a page or a pack.
    """
    sealed_days = {d: v[0] for d, v in _parse_days(seal.days).items() if v}
    sealed_entries = _parse_days(seal.entries)
    year, month = int(seal.id[:4]), int(seal.id[5:7])
    problems: list[tuple[Message, data.Directive | None]] = []
    for day in sorted(set(sealed_days) | set(actual.days)):
        now = actual.days.get(day)
        if now is not None and sealed_days.get(day) == now[:16]:
            continue
        date = datetime.date(year, month, day)
        known = list(sealed_entries.get(day, []))
        new: list[data.Directive] = []
        for digest in actual.entries.get(day, []):
            if digest[:8] in known:
                known.remove(digest[:8])
            else:
                new.append(actual.where[digest])
        what = "seal.changed" if len(new) == len(known) else "seal.added"
        for entry in new:
            problems.append((Message.of(what, month=MonthLabel(seal.id), date=date,
                                        touches=_touches(entry)), entry))
        if len(known) > len(new) or (known and not new):
            gone = len(known) - len(new)
            problems.append((Message.of("seal.removed_one" if gone == 1 else "seal.removed",
                                        month=MonthLabel(seal.id), n=gone, date=date), None))
    if not problems:
        problems.append((Message.of("seal.digest", month=MonthLabel(seal.id)), None))
    return problems


# --- verification ----------------------------------------------------------------------

def read_seals(
    entries: Iterable[data.Directive],
    declaration_of: Callable[[data.Custom], Declaration | None] | None = None,
) -> tuple[dict[str, Seal], list[data.Custom]]:
    """The valid month and year seals by id, and the seal directives that are duplicates.

    A seal that does not validate is left out here: the entities plugin reports it, as it
    reports every bad declaration.

    Args:
        entries: The ledger's directives (its ``custom`` directives are enough).
        declaration_of: The valid declaration of a directive, or None, when the caller
            has them validated already (the plugins' shared
            :class:`~coopledger.loadindex.LoadIndex`); by default each seal is validated
            here.

    Returns:
        The seals by id (the first of an id wins) and the later directives of an id.
    """
    seals: dict[str, Seal] = {}
    duplicates: list[data.Custom] = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != SEAL:
            continue
        if declaration_of is not None:
            found = declaration_of(entry)
            if not isinstance(found, Seal):
                continue
            seal = found
        else:
            try:
                seal = _parse_seal(entry)
            except ValueError:
                continue
        if seal.id in seals:
            duplicates.append(entry)
            continue
        seals[seal.id] = seal
    return seals, duplicates


def _parse_seal(entry: data.Custom) -> Seal:
    seal = parse_declaration(entry)
    if not isinstance(seal, Seal):
        raise ValueError("not a seal")
    return seal


def digest_sealed_months(
    entries: Iterable[data.Directive], months: Iterable[str] | dict[str, int],
) -> dict[str, MonthDigest]:
    """Digest the given months' entries in one pass over the ledger.

    Args:
        entries: The ledger's directives.
        months: The months, or the months with the version of their seal (1 when only
            months are given).
    """
    versions = months if isinstance(months, dict) else dict.fromkeys(months, 1)
    buckets: dict[str, list[data.Directive]] = {m: [] for m in versions}
    if not buckets:
        return {}
    day: datetime.date | None = None
    bucket: list[data.Directive] | None = None
    # Entries come in date order: name the month once per day, not once per entry
    # (any order gives the same buckets, only more slowly).
    for entry in entries:
        if entry.date != day:
            day = entry.date
            bucket = buckets.get(month_label(day))
        if bucket is not None and is_sealable(entry):
            bucket.append(entry)
    return {month: digest_entries(month, found, versions[month])
            for month, found in buckets.items()}


def verify_month_seals(
    entries: list[data.Directive], seals: dict[str, Seal],
) -> dict[str, list[tuple[Message, data.Directive | None]]]:
    """Recompute every month seal; report what changed.

    Args:
        entries: The loaded ledger.
        seals: Seals by id (year seals are ignored here).

    Returns:
        For each month whose seal does not match, the problems found (empty dict when
        every seal holds).
    """
    months = {label: seal.version for label, seal in seals.items() if not seal.is_year}
    digests = digest_sealed_months(entries, months)
    broken: dict[str, list[tuple[Message, data.Directive | None]]] = {}
    for month in months:
        seal = seals[month]
        actual = digests[month]
        if actual.digest != seal.digest:
            broken[month] = explain_mismatch(seal, actual)
    return broken


def sealed_months(books: Books) -> set[str]:
    """Months covered by a seal (a month seal, or a year seal of its fiscal year).

    Read once per load (remembered with the books); each caller gets a set of its own.
    """

    def compute() -> frozenset[str]:
        seals, _ = read_seals(books.entries)
        months = {label for label, seal in seals.items() if not seal.is_year}
        for label, seal in seals.items():
            if seal.is_year:
                months.update(f"{label}-{m:02d}" for m in range(1, 13))
        return frozenset(months)

    return set(books.remember(("seals.sealed_months",), compute))
