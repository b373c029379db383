"""The ``coopledger`` command: one subcommand per job, each in its own module.

Every subcommand module has ``register(subparsers)``, which adds its parser and sets
``run`` to a function taking the parsed arguments and returning the exit status. Errors
the user can act on reach the top as :class:`~coopledger.errors.CoopException` and are
printed as one line; there is never a traceback for bad input.

Exit status: 0 success, 1 the books have errors (or a check failed), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Iterator, Sequence

from beancount import loader

from coopledger import __version__
from coopledger.collector import pausing_allowed
from coopledger.errors import CoopException
from coopledger.loadcache import caching_allowed

#: Each subcommand and the module under ``coopledger.cli`` that registers it, in the order
#: ``--help`` lists them. A run imports only its own command's module: importing every
#: one (Fava, Jinja2, the filings, the SIE writer...) would cost more than a small check.
COMMANDS: dict[str, str] = {
    "check": "check",
    "report": "report",
    "ratios": "ratios",
    "people": "people",
    "new-coop": "new_coop",
    "import": "importer",
    "fund": "fund",
    "loan": "loan",
    "payroll": "payroll",
    "services": "services",
    "purchase": "purchase",
    "invoice": "invoice",
    "receivables": "receivables",
    "remind": "receivables",
    "supplier-invoice": "payables",
    "payables": "payables",
    "pay": "payables",
    "close": "close",
    "correct": "correct",
    "vat": "vat",
    "sie": "sie",
    "agi": "agi",
    "due": "due",
    "serve": "serve",
    "cache": "cache",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered, or only one command's.

    Args:
        command: A subcommand's name: only the module that registers it is imported and
            registered (with the other commands it registers). Any other value, or none,
            registers every subcommand, so that ``--help`` and a mistyped command list
            them all.
    """
    parser = argparse.ArgumentParser(
        prog="coopledger",
        description="Books for a cooperative umbrella, its members and their fund.")
    parser.add_argument("--version", action="version", version=f"coopledger {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = ([COMMANDS[command]] if command in COMMANDS
               else list(dict.fromkeys(COMMANDS.values())))
    for name in modules:
        module = importlib.import_module(f"coopledger.cli.{name}")
        module.register(subparsers)
    return parser


@contextlib.contextmanager
def command_process() -> Iterator[None]:
    """What the command sets for its own process: the library sets neither by itself.

    Beancount's pickle cache is turned off (for the rest of the process, as
    ``bean-check --no-cache`` does): a command must not leave files it does not own
    beside a ledger, and a copied cache that names the original's includes would be
    served for the copy. Inside the block the heavy steps may pause the garbage
    collector (:func:`coopledger.collector.pausing_allowed`) and each pause ends frozen,
    so that the collector does not walk the loaded books again while a one-shot command
    runs (``serve`` opts out for its reloads); every load goes through coopledger's
    content-keyed load cache (:func:`coopledger.loadcache.caching_allowed`;
    ``COOPLEDGER_CACHE_DIR=off`` turns it off).
    """
    loader.initialize(use_cache=False)
    with pausing_allowed(freeze=True), caching_allowed():
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The command is the first argument (the top level's own options take no value).
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    try:
        with command_process():
            status: int = args.run(args)
    except CoopException as exc:
        # One line per problem: a refusal by the period lock names each entry.
        for line in exc.message.splitlines() or [""]:
            print(f"coopledger {args.command}: {line}", file=sys.stderr)
        return int(getattr(exc, "status", 2))
    except KeyboardInterrupt:
        print(f"coopledger {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"coopledger {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
