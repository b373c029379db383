"""The command's dispatcher: a run imports only its own subcommand's module, and the map
of commands to modules is what the modules register."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coopledger.cli import COMMANDS, build_parser, main


def registered(parser: argparse.ArgumentParser) -> set[str]:
    """The subcommand names a parser knows."""
    for action in parser._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


@pytest.mark.parametrize("module", sorted(set(COMMANDS.values())))
def test_each_module_registers_the_commands_the_map_gives_it(module: str) -> None:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    importlib.import_module(f"coopledger.cli.{module}").register(subparsers)
    assert registered(parser) == {c for c, m in COMMANDS.items() if m == module}


def test_without_a_command_every_one_is_registered() -> None:
    assert registered(build_parser()) == set(COMMANDS)
    assert registered(build_parser("no-such-command")) == set(COMMANDS)


def test_a_command_registers_its_own_module_only() -> None:
    assert registered(build_parser("pay")) == {"supplier-invoice", "payables", "pay"}
    assert registered(build_parser("check")) == {"check"}


def test_a_mistyped_command_lists_them_all(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["chekc", "main.beancount"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'chekc'" in err
    assert all(f"'{command}'" in err for command in COMMANDS)


def test_a_check_imports_neither_other_commands_nor_fava(tmp_path: Path) -> None:
    """In a fresh interpreter: the check of books without budgets leaves Fava (its
    package takes longer to import than a small check takes) and the other subcommands'
    modules unimported."""
    ledger = tmp_path / "main.beancount"
    ledger.write_text('option "operating_currency" "SEK"\n'
                      'plugin "coopledger.plugins.entities"\n'
                      '2025-01-01 custom "coop-entity" "Kafe"\n  kind: "member"\n'
                      '  name: "Kafe"\n', encoding="utf-8")
    script = ("import json, sys\nfrom coopledger.cli import main\n"
              f"status = main(['check', '-q', {str(ledger)!r}])\n"
              "print(json.dumps([status, sorted(m for m in sys.modules "
              "if m.startswith(('coopledger.cli.', 'fava')))]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    status, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    assert modules == ["coopledger.cli.check"]
