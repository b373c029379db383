"""docs/api.md's examples run against the example books, and print what they say.

The ``python`` code blocks run in one namespace, top to bottom, from the checkout's root.
A ``print(...)`` line ends with a comment that is its expected output.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[str]:
    """The python code blocks of docs/api.md, in order."""
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def expected_output(code: str) -> list[str]:
    """What a block's print lines say they print (their trailing comments)."""
    return [line.rsplit("# ", 1)[1].strip() for line in code.splitlines()
            if line.startswith("print(")]


def test_every_print_says_what_it_prints() -> None:
    for code in blocks():
        for line in code.splitlines():
            if line.startswith("print("):
                assert "# " in line, line


def test_the_examples_run_and_print_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    found = blocks()
    assert len(found) >= 5  # books, entities, statements, fund, close status
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    for code in found:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert out.getvalue().splitlines() == expected_output(code), code
