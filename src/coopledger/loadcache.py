"""A load cache keyed by content: reparse only the files that changed.

Beancount's own pickle cache keeps a whole load beside the ledger and trusts the files'
modification times, so a copied folder or an edit within the same second can serve stale
entries; coopledger's command turns it off. This module is coopledger's own loader in its
place, built on Beancount's public steps (``parser.parse_file``, ``booking.book``, the
plugin loop of ``loader.run_transformations`` with faster pad and balance plugins of
the same answers (:mod:`coopledger.transformations`), the checks of
``validation.VALIDATIONS``), and gives exactly what ``loader.load_file`` gives (a
ledger whose plugin fails to import or raises is loaded by Beancount itself, uncached,
so that the error reads as Beancount's):

- **per included file** (a large one in parts, :mod:`coopledger.fileparts`), the parsed
  entries, errors and options are stored under a digest of the file's bytes, its
  absolute path (the entries carry it), the encoding, and the versions of Python,
  Beancount and coopledger. A load reads every file, and reparses
  only those whose digest is not in the cache;
- **per included file whose booking reads no other file's** (:mod:`coopledger.filebooking`),
  its booked entries, under its parse's digest and the options booking reads, with what
  Beancount's balance check said of its transactions;
- **per main file**, the finished load (after booking, the plugins and validation) is
  stored with what it was made from: every file's digest, the include globs' matches,
  and a digest of the plugins' source code. When all of it is unchanged the finished
  load is served as it is; otherwise the files are booked (those that can, one by one,
  from the cache where unchanged) and the plugins, the balance checks and validation
  run again over all entries, as they depend on all of them (the balance check skips
  the booked transactions it already passed that the plugins left as they were).

Nothing is keyed by time, so copies, same-second edits, a changed plugin or a new
Beancount never serve stale entries. A ledger with ``option "documents"`` (whose plugin
reads folders) or an encrypted file still uses the per-file cache, but never the
finished one. Where the cache lives, its size and how to clear it: ``docs/cache.md``.

The library uses it only when asked (``load_books(path, cache=True)`` or inside
:func:`caching_allowed`); the ``coopledger`` command and ``serve`` run inside that block.
A cache that cannot be read or written is skipped with a note (a logged warning), never
an error.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import glob
import hashlib
import importlib.util
import io
import logging
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import beancount
from beancount import loader
from beancount.core import account, data
from beancount.parser import parser
from beancount.parser.options import OPTIONS_DEFAULTS
from beancount.utils import encryption

from coopledger import filebooking, fileparts, transformations
from coopledger._version import __version__

LOG = logging.getLogger(__name__)

#: Environment variable naming the cache folder; ``off`` (or empty) turns the cache off.
CACHE_ENV = "COOPLEDGER_CACHE_DIR"
#: Environment variable bounding the cache's size, in megabytes.
CACHE_SIZE_ENV = "COOPLEDGER_CACHE_MB"
#: The cache's default bound: the finished load of 100k transactions is about 40 MB.
DEFAULT_MAX_MB = 1024
#: Age after which a temporary file an interrupted write left is deleted.
STALE_SECONDS = 3600
#: The stored format; raised when what is stored changes.
#: 7: which booked transactions balance exactly; 6: large files in parts; 5: booked
#: entries per file; 4: a finished load in chunks.
FORMAT = 7


#: Everything that parses: a cached entry made by another of these is never read.
VERSIONS = (f"coopledger-load-cache {FORMAT}", sys.version, beancount.__version__,
            __version__)

Result = tuple[list[data.Directive], list[Any], dict[str, Any]]
_T = TypeVar("_T")

_allowed_dir: list[Path | None] = []


def default_cache_dir() -> Path | None:
    """The cache folder: ``$COOPLEDGER_CACHE_DIR``, else ``$XDG_CACHE_HOME/coopledger``.

    Returns:
        The folder, or None when the environment turns the cache off
        (``COOPLEDGER_CACHE_DIR=off`` or empty).
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in {"", "off", "0", "no"} else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coopledger"


def max_bytes() -> int:
    """The cache's size bound from ``$COOPLEDGER_CACHE_MB`` (default 1024 MB)."""
    try:
        megabytes = int(os.environ.get(CACHE_SIZE_ENV, DEFAULT_MAX_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return max(megabytes, 1) * 1024 * 1024


@contextlib.contextmanager
def caching_allowed(directory: Path | None = None) -> Iterator[None]:
    """Let :func:`coopledger.books.load_books` use the load cache inside the block.

    The ``coopledger`` command (``serve`` included) runs inside one; a tool that wants
    the same may too. Outside it the library reads no cache unless asked.

    Args:
        directory: The cache folder (default: :func:`default_cache_dir`).
    """
    _allowed_dir.append(directory if directory is not None else default_cache_dir())
    try:
        yield
    finally:
        _allowed_dir.pop()


def allowed_cache() -> LoadCache | None:
    """The cache the enclosing :func:`caching_allowed` block allows, if any."""
    if not _allowed_dir or _allowed_dir[-1] is None:
        return None
    return LoadCache(_allowed_dir[-1], write_behind=True)


def _digest(*parts: bytes | str) -> str:
    sha = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        sha.update(len(raw).to_bytes(8, "little"))
        sha.update(raw)
    return sha.hexdigest()


@dataclass
class LoadCache:
    """A cache folder: per-file parses and finished loads, bounded in size.

    Attributes:
        directory: The folder (made on first write, private to the user).
        limit: The size bound in bytes; the least recently used files go first.
        hits: Files (or parts of large files) whose parse or booking came from the
            cache in the last load.
        parsed: Files (or parts) parsed in the last load.
        finished_hit: Whether the last load was served finished.
        write_behind: Store what a load writes (parses, booked files, the finished
            load) from one detached child process, so that the load that made it does
            not wait for it (about 4 s for a finished load of 100k transactions). Only
            where the process can fork and runs no other thread; elsewhere it is stored
            before the load returns. The command turns it on.
    """

    directory: Path
    limit: int = field(default_factory=max_bytes)
    write_behind: bool = False
    hits: int = 0
    parsed: int = 0
    finished_hit: bool = False
    _broken: bool = False
    _unreadable: bool = False
    _pending: list[tuple[str, str, Callable[[BinaryIO], None]]] = field(default_factory=list)

    def _note(self, what: str, exc: BaseException) -> None:
        if not self._broken:
            LOG.warning("coopledger: the load cache in %s is skipped (%s: %s)",
                        self.directory, what, exc)
        self._broken = True

    def _usable(self) -> bool:
        """Whether the folder is ours alone (a pickle from elsewhere could run code)."""
        if self._broken:
            return False
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            status = self.directory.stat()
        except OSError as exc:
            self._note("cannot create it", exc)
            return False
        if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
            self._note("not private to this user",
                       PermissionError(f"mode {status.st_mode & 0o777:o}"))
            return False
        return True

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.pickle"

    def read(self, kind: str, key: str, parts: int) -> list[Any] | None:
        """The ``parts`` first objects stored under ``key``, or None (missing, unreadable)."""
        return self._read_with(kind, key, lambda stream: [
            pickle.load(stream) for _ in range(parts)])  # noqa: S301 - own folder, checked private

    def read_finished(self, key: str, stamp: Any) -> Result | None:
        """The finished load stored under ``key`` if it was made from ``stamp``, else None."""
        return self._read_with("finished", key, lambda stream: _load_finished(stream, stamp))

    def _read_with(self, kind: str, key: str, load: Callable[[BinaryIO], _T | None]) -> _T | None:
        if not self._usable():
            return None
        where = self._path(kind, key)
        try:
            with where.open("rb") as stream:
                found = load(stream)
            os.utime(where)  # marks it recently used, for pruning
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError) as exc:
            if not self._unreadable:
                LOG.warning("coopledger: load cache file %s is unreadable and skipped (%s)",
                            where.name, exc)
            self._unreadable = True
            return None
        return found

    def write(self, kind: str, key: str, *objects: Any) -> None:
        """Store objects under ``key`` atomically (temp file, then rename); then prune.

        Args:
            kind: What is stored (``parse``).
            key: Its digest.
            objects: What to store, each pickled in turn.
        """
        self._write_with(kind, key, _dumper(objects))

    def write_later(self, kind: str, key: str, *objects: Any) -> None:
        """Store objects under ``key`` with the load's other writes (:meth:`flush`)."""
        self._pending.append((kind, key, _dumper(objects)))

    def write_finished_later(self, key: str, stamp: Any, result: Result) -> None:
        """Store a finished load and what it was made from (see :func:`_dump_finished`)."""
        self._pending.append(("finished", key,
                              lambda stream: _dump_finished(stream, stamp, result)))

    def flush(self) -> None:
        """Write what the load kept for later, all at once.

        With ``write_behind``, one detached child writes them (where it can), so that
        the load does not wait for the pickling.
        """
        pending, self._pending = self._pending, []
        if not pending or not self._usable():
            return

        def write_all() -> None:
            for kind, key, dump in pending:
                self._write_with(kind, key, dump)

        if self.write_behind and _can_detach():
            try:  # a marker while the child writes, for whoever must wait (a benchmark)
                fd, marker = tempfile.mkstemp(dir=self.directory, prefix=".writing-")
                os.close(fd)
            except OSError as exc:
                self._note("cannot write", exc)
                return

            def write_and_unmark() -> None:
                try:
                    write_all()
                finally:
                    with contextlib.suppress(OSError):
                        os.unlink(marker)

            _detached(write_and_unmark)
        else:
            write_all()

    def wait_for_writes(self, timeout: float = 300) -> bool:
        """Wait until no detached child is writing to the folder; whether none is.

        A marker older than an hour (a writer that was killed) does not count.
        """
        deadline = time.monotonic() + timeout
        while self._writers():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _writers(self) -> list[Path]:
        try:
            return [p for p in self.directory.glob(".writing-*")
                    if time.time() - p.stat().st_mtime <= STALE_SECONDS]
        except OSError:
            return []

    def _write_with(self, kind: str, key: str, dump: Callable[[BinaryIO], None]) -> None:
        if not self._usable():
            return
        try:
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as stream:
                    dump(stream)
                os.replace(temp, self._path(kind, key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError,
                RecursionError) as exc:
            self._note("cannot write", exc)
            return
        self.prune()

    def prune(self) -> None:
        """Delete the least recently used files until the folder is within the bound.

        Temporary files an interrupted write left behind go after an hour.
        """
        try:
            files = [(p.stat().st_mtime_ns, p.stat().st_size, p)
                     for p in self.directory.glob("*.pickle")]
            stale = [p for pattern in (".tmp-*", ".writing-*")
                     for p in self.directory.glob(pattern)
                     if time.time() - p.stat().st_mtime > STALE_SECONDS]
        except OSError:
            return
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda item: item[0]):
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size

    def clear(self) -> int:
        """Delete every cached file; return how many.

        It first waits (a minute at most) for the detached writers the last command left,
        which would otherwise write their files after the clear.
        """
        self.wait_for_writes(timeout=60)
        count = 0
        with contextlib.suppress(FileNotFoundError):
            for path in [*self.directory.glob("*.pickle"), *self.directory.glob(".tmp-*"),
                         *self.directory.glob(".writing-*")]:
                with contextlib.suppress(OSError):
                    path.unlink()
                    count += 1
        return count

    def size(self) -> tuple[int, int]:
        """How many files the cache holds and their bytes."""
        try:
            sizes = [p.stat().st_size for p in self.directory.glob("*.pickle")]
        except OSError:
            return 0, 0
        return len(sizes), sum(sizes)


def _dumper(objects: tuple[Any, ...]) -> Callable[[BinaryIO], None]:
    def dump(stream: BinaryIO) -> None:
        for obj in objects:  # one pickler each: each is read on its own
            _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return dump


_tuple_new = tuple.__new__


def _custom(fields: tuple[Any, ...]) -> data.Custom:
    """A stored custom directive, its account values marked with Beancount's own marker.

    Beancount marks an account value (``custom "budget" Expenses:Kafe:5010 ...``) with the
    string ``account.TYPE`` and compares by identity; a stored copy of the string is equal
    but not the same object, so the printer and Fava would read the account as a string.
    """
    meta, date, kind, values = fields
    marked = [value._replace(dtype=account.TYPE) if value.dtype == account.TYPE else value
              for value in values]
    custom: data.Custom = _tuple_new(data.Custom, (meta, date, kind, marked))
    return custom


class _Pickler(pickle.Pickler):
    """Beancount's named tuples stored so that reading them calls no Python code.

    Unpickling a named tuple calls its ``__new__`` (Python code; ``Amount``'s also
    checks its types), a million times for 100k transactions; ``tuple.__new__`` builds
    the same object directly, about a fifth faster to read.
    """

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is data.Custom:
            return _custom, (tuple(obj),)
        if (isinstance(obj, tuple) and kind is not tuple and hasattr(kind, "_fields")
                and kind.__module__.startswith("beancount.")):
            return _tuple_new, (kind, tuple(obj))
        return NotImplemented


#: Entries per stored chunk of a finished load. Each chunk is read by an unpickler of its
#: own, whose table of every object it read (the named tuples' and numbers' arguments
#: too) is freed before the next: read whole, that table held about 40 % more than the
#: load itself at the peak.
CHUNK = 2000


class _EntryRefPickler(_Pickler):
    """Stores the entries that errors and options name as their places in the entries.

    So an error's entry and the shared index's directives are the very objects of the
    entries list after reading, as after the load that made them.
    """

    def __init__(self, stream: BinaryIO, entries: list[data.Directive]) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._entries = entries
        self._places = {id(entry): place for place, entry in enumerate(entries)}

    def persistent_id(self, obj: Any) -> int | None:
        place = self._places.get(id(obj))
        return place if place is not None and self._entries[place] is obj else None


def _dump_finished(stream: BinaryIO, stamp: Any, result: Result) -> None:
    """Write what the load was made from, its entries in chunks, then errors and options."""
    entries, errors, options = result
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(stamp)
    starts = range(0, len(entries), CHUNK)
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(len(starts))
    for start in starts:
        _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(entries[start:start + CHUNK])
    _EntryRefPickler(stream, entries).dump((errors, options))


def _load_finished(stream: BinaryIO, stamp: Any) -> Result | None:
    """Read what :func:`_dump_finished` wrote; None when it was made from another stamp."""
    if pickle.load(stream) != stamp:  # noqa: S301 - own folder, checked private
        return None
    entries: list[data.Directive] = []
    for _ in range(pickle.load(stream)):  # noqa: S301
        entries.extend(pickle.load(stream))  # noqa: S301
    unpickler = pickle.Unpickler(stream)  # noqa: S301
    unpickler.persistent_load = entries.__getitem__  # type: ignore[method-assign]
    errors, options = unpickler.load()
    return entries, errors, options


def _can_detach() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


#: The detached writers this process forked and has not reaped yet (see :func:`_detached`).
_children: list[int] = []
_children_lock = threading.Lock()


def _reap() -> None:
    """Reap the detached writers that have finished, without waiting for the others."""
    with _children_lock:
        for pid in list(_children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else's wait
                done = pid
            if done:
                _children.remove(pid)


def _detached(work: Callable[[], None]) -> None:
    """Run ``work`` in a child process the caller does not wait for.

    The child leaves the terminal's and pipes' streams so that a pipeline reading the
    command's output does not wait for it, pauses the collector (it would copy every
    page it scans), runs ``work`` and exits without running the parent's exit handlers.
    The parent reaps its finished children at its next fork, so that a long-running
    server leaves no zombie; a command's last ones are reaped by the system when it
    exits. (A double fork, whose middle process exits at once, needs no reaping but
    makes the caller wait for a second fork: about 4 ms each on the benchmark's books.)
    """
    _reap()
    try:
        child = os.fork()
    except OSError:
        work()
        return
    if child:
        with _children_lock:
            _children.append(child)
        return
    try:
        gc.disable()
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(null, stream)
        work()
    finally:
        os._exit(0)


# --- The load -------------------------------------------------------------------------


@dataclass
class _Walk:
    """What the include walk saw: the events that decide the load, and each file's parse."""

    events: list[tuple[str, ...]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, key, bytes
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> options
    errors: dict[str, list[Any]] = field(default_factory=dict)  # key -> parse errors
    prints: dict[str, filebooking.Footprint] = field(default_factory=dict)  # key -> footprint
    parts: dict[str, list[str]] = field(default_factory=dict)  # key -> its parts' keys
    # part key -> file name, first line, and the part's bytes as a slice of the file's
    places: dict[str, tuple[str, int, bytes, int, int]] = field(default_factory=dict)
    finishable: bool = True
    secret: set[str] = field(default_factory=set)  # keys of encrypted files: never stored
    encoding: str | None = None


def _parse_key(filename: str, content: bytes, encoding: str | None) -> str:
    return _digest(*VERSIONS, filename, encoding or "", content)


def _parse_now(filename: str, content: bytes, encoding: str | None, first: int = 1) -> Result:
    # Parse the bytes read for the digest, never the file again (it may change meanwhile).
    entries, errors, options = parser.parse_file(io.BytesIO(content), report_filename=filename,
                                                 report_firstline=first, encoding=encoding)
    return entries, errors, options


def _part_keys(walk: _Walk, filename: str, content: bytes) -> list[str] | None:
    """Cut a file into parts (None: it is read whole); each part's key and place noted."""
    split = fileparts.split(content)
    if split is None:
        return None
    keys = []
    for first, start, end in split:
        key = _digest(*VERSIONS, "part", filename, str(first), walk.encoding or "",
                      content[start:end])
        walk.places[key] = (filename, first, content, start, end)
        keys.append(key)
    return keys


def _parse_part(key: str, walk: _Walk) -> Result:
    """Parse one part of a walked file (cut again when its head came from the cache)."""
    if key not in walk.places:
        for name, file_key, content in walk.files:
            if key in walk.parts.get(file_key, ()):
                _part_keys(walk, name, content)
    filename, first, content, start, end = walk.places[key]
    return _parse_now(filename, content[start:end], walk.encoding, first)


def _parse_parts(walk: _Walk, filename: str, content: bytes, cache: LoadCache,
                 parses: dict[str, Result]) -> tuple[Any, ...] | None:
    """A large file's head from its parts (:mod:`coopledger.fileparts`), each parsed or
    read from the cache; None when it is to be parsed whole (small, or a part has errors).

    The head is the file's options, errors (none), footprint and its parts' keys; the
    parts parsed now are kept in ``parses`` and, once all are known to be without
    errors, written to the cache with their own heads.
    """
    keys = _part_keys(walk, filename, content)
    if keys is None:
        return None
    heads: list[tuple[Any, ...]] = []
    fresh: list[tuple[str, tuple[Any, ...], list[data.Directive]]] = []
    for key in keys:
        stored = cache.read("part", key, 1)
        if stored is not None:
            head = stored[0]
        else:
            parses[key] = _parse_part(key, walk)
            entries, errors, options = parses[key]
            head = (options, errors, filebooking.footprint(entries))
            fresh.append((key, head, entries))
        if head[1]:
            for each in keys:  # an error: the file is parsed whole, its errors as Beancount's
                parses.pop(each, None)
            return None
        heads.append(head)
    for key, head, entries in fresh:
        cache.write_later("part", key, head, entries)
    reads, posts, methods = (frozenset().union(*(head[2][which] for head in heads))
                             for which in range(3))
    return (fileparts.combine([head[0] for head in heads]), [], (reads, posts, methods), keys)


def _walk(main: str, encoding: str | None, cache: LoadCache,
          parses: dict[str, Result]) -> _Walk:
    """Follow the includes from ``main`` as Beancount's loader does, reading every file.

    Each file's options (its includes), parse errors and booking footprint come from
    the cache when its digest is known; otherwise it is parsed now and the parse kept in
    ``parses`` and (later) the cache.
    """
    walk = _Walk(encoding=encoding)
    stack = [main]
    seen: set[str] = set()
    while stack:
        filename = os.path.normpath(stack.pop(0))
        if filename in seen:
            walk.events.append(("duplicate", filename))
            continue
        if not os.path.exists(filename):
            walk.events.append(("missing", filename))
            continue
        seen.add(filename)
        with open(filename, "rb") as stream:
            content = stream.read()
        if encryption.is_encrypted_file(filename):
            walk.finishable = False
            key = _digest("encrypted", filename, content)
            walk.secret.add(key)
            parses[key] = parser.parse_string(encryption.read_encrypted_file(filename),
                                              filename)
            head: tuple[Any, ...] = (parses[key][2], parses[key][1],
                                     filebooking.footprint(parses[key][0]), None)
        else:
            key = _parse_key(filename, content, encoding)
            stored = cache.read("parse", key, 1)
            if stored is not None:
                head = stored[0]
            else:
                parted = _parse_parts(walk, filename, content, cache, parses)
                if parted is not None:
                    head = parted
                    cache.write_later("parse", key, head, None)
                else:
                    parses[key] = _parse_now(filename, content, encoding)
                    entries, errors, options = parses[key]
                    head = (options, errors, filebooking.footprint(entries), None)
                    cache.write_later("parse", key, head, entries)
        options = head[0]
        walk.files.append((filename, key, content))
        walk.heads[key], walk.errors[key], walk.prints[key] = head[:3]
        if head[3]:
            walk.parts[key] = head[3]
        walk.events.append(("file", filename, key))
        cwd = os.path.dirname(filename)
        for pattern in options["include"]:
            search = pattern if os.path.isabs(pattern) else os.path.join(cwd, pattern)
            matched = glob.glob(search, recursive=True)
            walk.events.append(("glob", pattern, *matched))
            stack.extend(os.path.normpath(m if os.path.isabs(m) else os.path.join(cwd, m))
                         for m in matched)
    return walk


def _plugin_code(options: dict[str, Any], every: list[dict[str, Any]]) -> str | None:
    """A digest of the source of every plugin the load runs (None: one cannot be found).

    Beancount's own are named by its version; any other plugin by every ``.py`` file of
    its top-level package (a plugin often calls the rest of its package). ``every`` is
    each file's options: a file with ``insert_pythonpath`` adds its folder to the path.
    """
    pythonpath = sorted({os.path.dirname(o["filename"]) for o in every
                         if o.get("insert_pythonpath")})
    names = [name for name, _ in (*loader.PLUGINS_PRE, *options["plugin"],
                                  *loader.PLUGINS_AUTO, *loader.PLUGINS_POST)]
    parts: list[bytes | str] = [repr(names), repr(options.get("plugin_processing_mode"))]
    saved = list(sys.path)
    try:
        sys.path[0:0] = pythonpath
        for top in sorted({name.split(".")[0] for name in names} - {"beancount"}):
            spec = importlib.util.find_spec(top)
            if spec is None or (spec.origin is None and not spec.submodule_search_locations):
                return None
            if spec.submodule_search_locations:
                sources = sorted(p for where in spec.submodule_search_locations
                                 for p in Path(where).rglob("*.py"))
            else:
                sources = [Path(str(spec.origin))]
            for source in sources:
                parts += [str(source), source.read_bytes()]
    except (ImportError, ValueError, OSError):
        return None
    finally:
        sys.path[:] = saved
    return _digest(*parts)


def load_file(path: str | Path, cache: LoadCache, encoding: str | None = None) -> Result:
    """Load a ledger as ``beancount.loader.load_file`` does, through the cache.

    Args:
        path: The main ledger file.
        cache: The cache folder to read and fill.
        encoding: The files' encoding (Beancount accepts only UTF-8).

    Returns:
        The entries, errors and options map: exactly those of an uncached load.
    """
    main = os.path.normpath(os.path.abspath(os.path.expandvars(os.path.expanduser(path))))
    cache.hits = cache.parsed = 0
    cache.finished_hit = False
    if encryption.is_encrypted_file(main):
        return loader.load_file(main, encoding=encoding)
    parses: dict[str, Result] = {}
    walk = _walk(main, encoding, cache, parses)
    cache.flush()  # the new parses, before booking adds to their postings' metadata
    top = walk.heads[walk.files[0][1]] if walk.files else None
    plugins = None
    if walk.finishable and top is not None and not top.get("documents"):
        plugins = _plugin_code(top, [walk.heads[key] for _, key, _ in walk.files])
    finished_key = _digest(*VERSIONS, "finished", main, encoding or "")
    stamp = (walk.events, plugins)
    if plugins is not None:
        found = cache.read_finished(finished_key, stamp)
        if found is not None:
            entries, errors, options = found
            options["input_hash"] = loader.compute_input_hash(  # type: ignore[no-untyped-call]
        options["include"])
            cache.finished_hit = True
            return entries, errors, options
    result = _finish(walk, parses, cache)
    if result is None:  # a plugin failed: Beancount's own load, for its own error text
        return loader.load_file(main, encoding=encoding)
    if plugins is not None:
        cache.write_finished_later(finished_key, stamp, result)
        cache.flush()
    return result


def _walk_error(event: tuple[str, ...]) -> loader.LoadError | None:
    """Beancount's error for a walk event (a duplicate, a missing file, an empty glob)."""
    where = data.new_metadata("<load>", 0)
    if event[0] == "duplicate":
        return loader.LoadError(where, f'Duplicate filename parsed: "{event[1]}"')
    if event[0] == "missing":
        return loader.LoadError(where, f'File "{event[1]}" does not exist')
    if event[0] == "glob" and len(event) == 2:
        return loader.LoadError(where, f'File glob "{event[1]}" does not match any files')
    return None


def _parsed(key: str, walk: _Walk, parses: dict[str, Result],
            cache: LoadCache) -> list[data.Directive]:
    """One file's parsed entries: parsed in this load, else from the cache, else now."""
    if key in walk.parts:
        return fileparts.entries_of([_part(part, walk, parses, cache)
                                     for part in walk.parts[key]])

    def now() -> Result:
        name, content = next((n, c) for n, k, c in walk.files if k == key)
        return _parse_now(name, content, walk.encoding)

    return _entries("parse", key, parses, cache, now)


def _part(key: str, walk: _Walk, parses: dict[str, Result],
          cache: LoadCache) -> list[data.Directive]:
    """One part's parsed entries: parsed in this load, else from the cache, else now."""
    return _entries("part", key, parses, cache, functools.partial(_parse_part, key, walk))


def _entries(kind: str, key: str, parses: dict[str, Result], cache: LoadCache,
             now: Callable[[], Result]) -> list[data.Directive]:
    parsed = parses.get(key)
    if parsed is None:
        body = cache.read(kind, key, 2)
        if body is not None:
            cache.hits += 1
            entries: list[data.Directive] = body[1]
            return entries
        parsed = parses[key] = now()  # gone from the cache meanwhile
    cache.parsed += 1
    return parsed[0]


#: A file's (or part's) booked entries, the places of those the balance check rejects and
#: of those that balance exactly (:func:`coopledger.filebooking.balance_marks`).
Booked = tuple[list[data.Directive], tuple[int, ...], tuple[int, ...]]


def _book(walk: _Walk, keys: list[str], parses: dict[str, Result], cache: LoadCache,
          options: dict[str, Any],
          balanced: filebooking.Balanced) -> tuple[list[data.Directive], list[Any]]:
    """Book the walked files as ``booking.book`` books them all, file by file where it can.

    A file whose booking reads no other file's (:mod:`coopledger.filebooking`) is
    booked on its own and kept in the cache under its parse's key and the booking
    options, with the places of its transactions Beancount's balance check rejects and
    of those that balance exactly; the others are booked together from their parses.
    The transactions of the files booked alone that pass the balance check are added
    to ``balanced``.
    """
    jointly = filebooking.booked_together({key: walk.prints[key] for key in keys})
    settings = filebooking.settings(options)
    alone: dict[str, list[data.Directive]] = {}

    def kept(key: str, entries: Callable[[], list[data.Directive]]) -> Booked | None:
        booked_key = _digest(key, "booked", settings)
        stored = None if key in parses else cache.read("booked", booked_key, 1)
        if stored is not None:
            cache.hits += 1
            found: Booked | None = stored[0]
            return found
        booked = filebooking.book_alone(entries(), options)
        made = None if booked is None else (booked, *filebooking.balance_marks(booked, options))
        if key not in walk.secret:
            cache.write_later("booked", booked_key, made)
        return made

    for key in keys:
        if key in jointly:
            continue
        if key in walk.parts:  # a large file: its parts, each booked alone
            each = [kept(part, functools.partial(_part, part, walk, parses, cache))
                    for part in walk.parts[key]]
        else:
            each = [kept(key, functools.partial(_parsed, key, walk, parses, cache))]
        if any(part is None for part in each):  # an error: booked with the others
            jointly.add(key)
            continue
        alone[key] = []
        for booked, rejected, exact in filter(None, each):
            alone[key].extend(booked)
            balanced.add(booked, rejected, exact)
    cache.flush()  # before the plugins see the booked entries
    names = {key: name for name, key, _ in walk.files}
    together = filebooking.book_jointly(
        [(names[key], _parsed(key, walk, parses, cache)) for key in keys if key in jointly],
        options)
    if together is None:  # an entry naming no file of its own: book them all at once
        return filebooking.book_all(
            [_parsed(key, walk, parses, cache) for key in keys], options)
    by_name, errors = together
    return filebooking.merge(alone[key] if key in alone else by_name[names[key]]
                             for key in keys), errors


def _finish(walk: _Walk, parses: dict[str, Result], cache: LoadCache) -> Result | None:
    """Beancount's load over the walked files: parse results, then book, plugins, check.

    None where a plugin fails (:func:`coopledger.transformations.run_transformations`).
    """
    errors: list[Any] = []
    keys: list[str] = []
    for event in walk.events:
        if event[0] != "file":
            problem = _walk_error(event)
            if problem is not None:
                errors.append(problem)
            continue
        keys.append(event[2])
        errors.extend(walk.errors[event[2]])
    options = walk.heads[keys[0]] if keys else OPTIONS_DEFAULTS.copy()
    options["include"] = sorted(name for name, _, _ in walk.files)
    options = loader.aggregate_options_map(options, [walk.heads[key] for key in keys[1:]])
    balanced = filebooking.Balanced(options)
    entries, balance_errors = _book(walk, keys, parses, cache, options, balanced)
    errors.extend(balance_errors)
    saved = list(sys.path)
    try:
        sys.path[0:0] = options.get("pythonpath", [])
        transformed = transformations.run_transformations(entries, errors, options)
    finally:
        sys.path[:] = saved
    if transformed is None:
        return None
    entries, errors = transformed
    errors.extend(filebooking.checked(entries, options, balanced))
    options["input_hash"] = loader.compute_input_hash(  # type: ignore[no-untyped-call]
        options["include"])
    return entries, errors, options
