"""``coopledger serve LEDGER``: Fava with the board pages, read-only, on 127.0.0.1.

The board reads the books through Fava and coopledger's extension
(:mod:`coopledger.fava_ext`; the ledger enables it with
``custom "fava-extension" "coopledger.fava_ext"``). By default Fava runs read-only
(every request that is not a GET is refused) and listens on 127.0.0.1 only; put an
authenticating reverse proxy in front of it for anyone outside the machine (see the
board documentation).

``--entity Kafe`` serves one member's own books: a small ledger file is written in a
private temporary folder that runs :mod:`coopledger.plugins.member` over the group's main
file (loaded and checked in full, then projected onto the member), and Fava serves that
file through its ordinary loading path. The application is then guarded
(:func:`coopledger.fava_ext.guard.guard_member_app`): every route not known to answer
from the member's own books is refused with 403. ``--prefix /Kafe`` serves under a URL
prefix, so that one host name can carry every member's board (one process each).

The group's view loads through coopledger's load cache (:func:`fava_loads_cached`), so
Fava's reload after an edit costs what ``coopledger check`` costs. This replaces, in the
``serve`` command's own process only and for as long as it serves, the one function
Fava 1.30's ledger calls to load its files (``fava.core.load_uncached``); Fava's minor
version is pinned for that reason, and a test fails when the name or its signature
changes. Importing coopledger, or :func:`build_app` outside the command, leaves Fava as
it is. A member's view is not routed so: its ledger file is a plugin over the group's
files, which the cache's record of the file does not cover; the plugin loads the group's
books through the cache itself.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import re
import shutil
import sys
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coopledger.collector import paused_if_allowed, pausing_allowed
from coopledger.errors import CoopException

#: The module and name through which Fava's ``FavaLedger.load_file`` loads a ledger.
FAVA_LOADER = ("fava.core", "load_uncached")
#: Its parameters as Fava 1.30 declares them: (name, kind).
FAVA_LOADER_PARAMETERS = (("beancount_file_path", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                          ("is_encrypted", inspect.Parameter.KEYWORD_ONLY))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve", help="show the books to the board in Fava (read-only, on 127.0.0.1)",
        description="Start Fava with coopledger's board pages (Grupp, Kooperativ, Fonden, "
                    "Bokslut). Read-only and on 127.0.0.1 unless told otherwise.")
    parser.add_argument("ledger", help="the main ledger file")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--entity", metavar="CODE",
                        help="serve only this entity's own books (one member's board)")
    parser.add_argument("--prefix", metavar="PATH",
                        help="serve under this URL prefix (/Kafe), behind a proxy that "
                             "forwards the prefix as it is")
    parser.add_argument("--read-write", action="store_true",
                        help="let Fava change the files (the accountant's own use; "
                             "never with --entity)")
    parser.set_defaults(run=run)


def _quoted(text: str) -> str:
    # A Beancount string: double quotes, backslash escapes; non-ASCII letters as they are.
    return json.dumps(text, ensure_ascii=False)


def member_ledger_text(main: Path, code: str, options: dict[str, Any]) -> str:
    """The text of a member's own ledger file over the group's main file.

    Args:
        main: The group's main file (absolute).
        code: The member's entity code.
        options: The group's options (title, operating currencies, number rendering).

    Returns:
        Beancount text: the options, then the member plugin's line.
    """
    title = f"{options.get('title') or main.stem} – {code}"
    lines = [f"; {code}: the member's own books, projected from {main.name} by "
             "coopledger serve --entity", f"option \"title\" {_quoted(title)}"]
    lines += [f"option \"operating_currency\" {_quoted(c)}"
              for c in options.get("operating_currency", [])]
    if options.get("render_commas"):
        lines.append('option "render_commas" "TRUE"')
    config = repr({"entity": code, "books": str(main)})
    lines.append(f"plugin \"coopledger.plugins.member\" {_quoted(config)}")
    return "\n".join(lines) + "\n"


def write_member_ledger(main: Path, code: str, folder: Path) -> Path:
    """Write a member's own ledger file into ``folder`` (atomically); return its path.

    Raises:
        CoopException: The entity is not declared in the group's books.
    """
    from coopledger.books import load_books

    books = load_books(main)
    if code not in books.entities:
        raise CoopException(f"{main}: entity {code!r} is not declared in these books")
    path = folder / f"{code}.beancount"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(member_ledger_text(main, code, books.options), encoding="utf-8")
    temporary.replace(path)
    return path


def build_app(ledger: Path, *, entity: str | None, read_only: bool,
              folder: Path | None = None) -> Any:
    """The Fava application for the ledger, loaded (so bad input fails here, not later).

    Args:
        ledger: The group's main file.
        entity: A member's code, to serve its own books only (None: the group's).
        read_only: Fava's read-only mode.
        folder: Where a member's ledger file is written (default: a new private
            temporary folder).

    Raises:
        CoopException: The entity is not declared in the books.
    """
    from fava.application import create_app

    from coopledger.fava_ext.guard import guard_member_app

    if entity is None:
        return create_app([str(ledger)], load=True, read_only=read_only)
    if folder is not None:
        member = write_member_ledger(ledger.resolve(), entity, folder)
        return guard_member_app(create_app([str(member)], load=True, read_only=True))
    # The member's projected books must not outlive the application in /tmp: the folder
    # goes when the application is collected, or at the latest when the process exits.
    own = Path(tempfile.mkdtemp(prefix=f"coopledger-{entity}-"))
    try:
        member = write_member_ledger(ledger.resolve(), entity, own)
        app = guard_member_app(create_app([str(member)], load=True, read_only=True))
    except BaseException:
        shutil.rmtree(own, ignore_errors=True)
        raise
    weakref.finalize(app, shutil.rmtree, own, ignore_errors=True)
    return app


def fava_loader() -> Any:
    """Fava's ledger-loading function, checked to be the one this version routes.

    Raises:
        CoopException: Fava no longer loads through :data:`FAVA_LOADER` with the
            parameters of :data:`FAVA_LOADER_PARAMETERS` (a Fava upgrade).
    """
    import importlib

    module_name, name = FAVA_LOADER
    function = getattr(importlib.import_module(module_name), name, None)
    if function is None or not callable(function):
        raise CoopException(f"Fava has no {module_name}.{name} to load through the cache")
    parameters = tuple((p.name, p.kind) for p in inspect.signature(function).parameters.values())
    if parameters != FAVA_LOADER_PARAMETERS:
        raise CoopException(f"{module_name}.{name} takes {parameters}, not "
                            f"{FAVA_LOADER_PARAMETERS}")
    return function


@contextlib.contextmanager
def fava_loads_cached() -> Iterator[None]:
    """Inside the block, Fava loads every ledger as coopledger's load cache does.

    The replacement returns what Fava's own function returns, (entries, errors, options)
    as ``beancount.loader.load_file`` gives them (:func:`coopledger.loadcache.load_file`),
    and hands over to Fava's own when the cache is off (outside
    :func:`coopledger.loadcache.caching_allowed`, ``COOPLEDGER_CACHE_DIR=off``) or the
    file is encrypted. Fava's function is put back when the block ends. When Fava no
    longer has the function (an upgrade), the block says so in one line on standard
    error and Fava loads as it does.
    """
    import importlib

    from coopledger.loadcache import allowed_cache, load_file

    try:
        original = fava_loader()
    except CoopException as exc:
        print(f"coopledger serve: {exc}; the group's view loads without the cache",
              file=sys.stderr)
        yield
        return

    def load_cached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        cache = allowed_cache()
        if is_encrypted or cache is None:
            return original(beancount_file_path, is_encrypted=is_encrypted)
        # As load_books loads: with the collector running, reading a finished load of
        # 100k transactions took about 6 s instead of 0.8 (its passes over the growing
        # heap), more than the reload it saves.
        with paused_if_allowed():
            return load_file(beancount_file_path, cache)

    module = importlib.import_module(FAVA_LOADER[0])
    setattr(module, FAVA_LOADER[1], load_cached)
    try:
        yield
    finally:
        setattr(module, FAVA_LOADER[1], original)


#: A URL prefix: one or more path segments of letters, digits, ``-`` and ``_``.
PREFIX = re.compile(r"^(/[A-Za-z0-9_-]+)+$")


def with_prefix(app: Any, prefix: str) -> Any:
    """Serve a Flask application under a URL prefix (``/Kafe``), 404 outside it.

    Fava's own ``--prefix`` does the same. Each prefix needs its own process: Fava keeps
    one URL cache per process, not per application.
    """
    from werkzeug.exceptions import NotFound
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app.wsgi_app = DispatcherMiddleware(NotFound(), {prefix: app.wsgi_app})
    return app


def run(args: argparse.Namespace) -> int:
    """Serve the books until interrupted."""
    ledger = Path(args.ledger).resolve()
    if not ledger.is_file():
        raise CoopException(f"{args.ledger}: no such ledger file")
    if args.entity and args.read_write:
        raise CoopException("--entity serves a derived view of the books and cannot write; "
                            "leave out --read-write")
    if not 0 < args.port < 65536:
        raise CoopException(f"--port {args.port}: must be 1 to 65535")
    if args.prefix is not None and not PREFIX.match(args.prefix):
        raise CoopException(f"--prefix {args.prefix!r}: must look like /Kafe (letters, "
                            "digits, - and _, no trailing slash)")
    # A server reloads: the pauses of its loads end unfrozen (coopledger.collector), so
    # the collector still frees the cycles of the books a reload replaced.
    with pausing_allowed(), sigterm_unwinds(), \
            tempfile.TemporaryDirectory(prefix="coopledger-serve-") as folder, \
            (fava_loads_cached() if args.entity is None else contextlib.nullcontext()):
        app = build_app(ledger, entity=args.entity, read_only=not args.read_write,
                        folder=Path(folder))
        if args.prefix:
            app = with_prefix(app, args.prefix)
        return serve(app, args)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Inside the block, SIGTERM stops the command as Ctrl-C does.

    A service manager or a test stops the server with SIGTERM, whose default kills the
    process where it stands; unwound instead, the private folder of the served ledger
    file is removed on the way out. The handler is the command's own, set only from the
    main thread and put back when the block ends.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(app: Any, args: argparse.Namespace) -> int:
    """Serve a built application on ``args.host``/``args.port`` until interrupted."""
    from cheroot.wsgi import Server

    server = Server((args.host, args.port), app)
    mode = "read-only" if not args.read_write else "read-write"
    scope = f", entity {args.entity} only" if args.entity else ""
    # Everything after the worker threads start is inside the try: an interrupt that
    # comes before serve() (as soon as the line below is read) must stop them too, or
    # the process waits for them forever.
    try:
        try:
            server.prepare()
        except OSError as exc:
            raise CoopException(f"cannot listen on {args.host}:{args.port} ({exc}); "
                                "choose another --port") from None
        print(f"coopledger serve: http://{args.host}:{args.port}{args.prefix or ''}/ "
              f"({mode}{scope}); "
              "Ctrl-C stops", flush=True)
        server.serve()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    from coopledger.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
