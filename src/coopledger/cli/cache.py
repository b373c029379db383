"""``coopledger cache show|clear``: where the load cache lives, its size; empty it.

The load cache (:mod:`coopledger.loadcache`, ``docs/cache.md``) keeps each included
file's parse and each ledger's finished load, keyed by content. Clearing it is always
safe: the next load parses everything again.
"""

from __future__ import annotations

import argparse

from coopledger.loadcache import CACHE_ENV, LoadCache, default_cache_dir, max_bytes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cache`` subcommand."""
    parser = subparsers.add_parser(
        "cache", help="show or clear the load cache (Lagringscache / load cache)",
        description="Show where coopledger's load cache lives and how big it is, or empty "
                    f"it. {CACHE_ENV} moves it (or turns it off with 'off').")
    parser.add_argument("action", choices=("show", "clear"), help="show or clear")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Show or clear the cache."""
    directory = default_cache_dir()
    if directory is None:
        print(f"Cachen är avstängd / the load cache is off ({CACHE_ENV})")
        return 0
    cache = LoadCache(directory)
    if args.action == "clear":
        count = cache.clear()
        print(f"{directory}: {count} fil(er) borttagna / file(s) removed")
        return 0
    files, size = cache.size()
    print(f"{directory}: {files} fil(er) / file(s), {size / 1e6:.1f} MB "
          f"(gräns / bound {max_bytes() / 1e6:.0f} MB)")
    return 0
