"""``coopledger serve LEDGER``: Fava with the board pages, read-only, on 127.0.0.1.

The board reads the books through Fava and coopledger's extension
(:mod:`coopledger.fava_ext`; the ledger enables it with
``custom "fava-extension" "coopledger.fava_ext"``). By default Fava runs read-only
(every request that is not a GET is refused) and listens on 127.0.0.1 only; put an
authenticating reverse proxy in front of it for anyone outside the machine (see the
board documentation).

``--entity Kafe`` serves one member's own books: the group's ledger is loaded in full (so
the clearing and every check run as usual), then only that entity's accounts, postings
and declarations are handed to Fava (:func:`coopledger.fava_ext.restrict.restrict_to_entity`).
Fava's source editor, entry context and document downloads would show the other members'
lines from the files themselves, so those endpoints are refused in this mode.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from coopledger.collector import paused_if_allowed
from coopledger.errors import CoopException

#: Fava endpoints that read the ledger's files directly, refused in the per-entity view.
FILE_ENDPOINTS = frozenset({
    "json_api.get_source", "json_api.get_source_slice", "json_api.get_context",
    "json_api.get_imports", "json_api.get_extract",
})


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
                        help="serve only this entity's books (one member's board)")
    parser.add_argument("--read-write", action="store_true",
                        help="let Fava change the files (the accountant's own use; "
                             "never with --entity)")
    parser.set_defaults(run=run)


#: Ledger path to the entity whose view it serves (see :func:`install_entity_view`).
ENTITY_VIEWS: dict[str, str] = {}


def install_entity_view(path: Path, code: str | None) -> None:
    """Make Fava load the ledger at ``path`` as ``code``'s own books (None: in full).

    Fava loads a ledger through ``fava.core.load_uncached``; that function is wrapped
    once so that the full load (plugins and checks included) of a registered path is
    followed by the restriction. Other paths load as before.
    """
    import fava.core as fava_core

    from coopledger.fava_ext.restrict import restrict_to_entity

    if code is None:
        ENTITY_VIEWS.pop(str(path), None)
    else:
        ENTITY_VIEWS[str(path)] = code
    # fava.core imports load_uncached without re-exporting it; it is the name its
    # FavaLedger.load_file calls, so it is the one to wrap.
    full_load: Any = fava_core.load_uncached  # type: ignore[attr-defined]
    if getattr(full_load, "coopledger_entity_view", False):
        return

    def load_entity(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        loaded = full_load(beancount_file_path, is_encrypted=is_encrypted)
        entity = ENTITY_VIEWS.get(beancount_file_path)
        if entity is None:
            return loaded
        entries, errors, options = loaded
        return restrict_to_entity(entries, errors, options, entity)

    vars(load_entity)["coopledger_entity_view"] = True
    fava_core.load_uncached = load_entity  # type: ignore[attr-defined]  # see above


def install_load_cache() -> None:
    """Make Fava's loads (the first and each reload after an edit) use the load cache.

    Only inside :func:`coopledger.loadcache.caching_allowed` (the command runs in one);
    elsewhere Fava loads as before. Installed before the entity view, which wraps it.
    """
    import fava.core as fava_core

    from coopledger import loadcache

    plain: Any = fava_core.load_uncached  # type: ignore[attr-defined]  # see above
    if any(getattr(plain, flag, False)
           for flag in ("coopledger_load_cache", "coopledger_entity_view")):
        return

    def load_cached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        cache = loadcache.allowed_cache()
        if cache is None or is_encrypted:
            return plain(beancount_file_path, is_encrypted=is_encrypted)
        with paused_if_allowed():
            return loadcache.load_file(beancount_file_path, cache)

    vars(load_cached)["coopledger_load_cache"] = True
    fava_core.load_uncached = load_cached  # type: ignore[attr-defined]  # see above


def build_app(ledger: Path, *, entity: str | None, read_only: bool) -> Any:
    """The Fava application for the ledger, loaded (so bad input fails here, not later).

    Raises:
        CoopException: The entity is not declared in the books.
    """
    from fava.application import create_app
    from flask import abort, request

    install_load_cache()
    install_entity_view(ledger, entity)
    app = create_app([str(ledger)], load=True, read_only=read_only)
    if entity is not None:
        from coopledger.fava_ext.restrict import is_declared

        ledgers = app.config["LEDGERS"].ledgers
        if not all(is_declared(fava_ledger.all_entries, entity) for fava_ledger in ledgers):
            raise CoopException(f"{ledger}: entity {entity!r} is not declared in these books")

        @app.before_request
        def _refuse_file_access() -> None:
            if request.endpoint in FILE_ENDPOINTS:
                abort(403)

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
    app = build_app(ledger, entity=args.entity, read_only=not args.read_write)
    from cheroot.wsgi import Server

    server = Server((args.host, args.port), app)
    try:
        server.prepare()
    except OSError as exc:
        raise CoopException(f"cannot listen on {args.host}:{args.port} ({exc}); choose "
                            "another --port") from None
    mode = "read-only" if not args.read_write else "read-write"
    scope = f", entity {args.entity} only" if args.entity else ""
    print(f"coopledger serve: http://{args.host}:{args.port}/ ({mode}{scope}); "
          "Ctrl-C stops", flush=True)
    try:
        server.serve()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    from coopledger.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
