"""The tests over the shared sample files are reported as skipped when the files are absent.

The sample files live outside the checkout (``tests/conftest.py``: FIXTURES). The tests
parametrised over them take their names from ``tests/shared_fixtures.txt``, not from the
folder, so they are collected either way; each then skips, with its reason, when its
file is absent, instead of vanishing from the report.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, SHARED_FILES
from tests.importers.test_fixtures import unclaimed_files
from tests.test_sie_reader import SIE_FILES

#: The test files parametrised over the shared sample files.
FILES = ("tests/test_sie_reader.py", "tests/importers/test_fixtures.py")


def test_the_list_is_the_folder() -> None:
    """The list names every shared sample file and nothing else."""
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared fixtures folder {FIXTURES.name} is absent: nothing to compare")
    found = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*")
                   if p.is_file() and p.name != "PROVENANCE.md")
    assert list(SHARED_FILES) == found


def _pytest(*args: str, fixtures: Path | None) -> str:
    env = dict(os.environ)
    if fixtures is not None:
        env["COOPLEDGER_FIXTURES"] = str(fixtures)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-o", "addopts=", *args, *FILES], capture_output=True, text=True,
                          check=False, cwd=ROOT, env=env, timeout=600)
    return done.stdout


def test_absent_fixtures_are_skipped_with_their_reason(tmp_path: Path) -> None:
    absent = tmp_path / "absent"

    def collected(fixtures: Path | None) -> list[str]:
        return [line for line in _pytest("--collect-only", "-q", fixtures=fixtures)
                .splitlines() if "::" in line]

    assert collected(absent) == collected(None)  # no test vanishes
    output = _pytest("-q", "-rs", "-k", "test_every_sample_file_reads or "
                     "test_other_fixtures_not_identified", fixtures=absent)
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", output.splitlines()[-1])}
    assert counts == {"skipped": len(SIE_FILES) + len(unclaimed_files()), "deselected":
                      counts["deselected"]}, output[-3000:]
    assert counts["skipped"] > 100
    assert output.count("must sit next to the checkout") >= 1  # the reason, in the report
