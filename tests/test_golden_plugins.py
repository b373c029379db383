"""Golden-folder tests for plugins: ``tests/golden/<plugin>/<case>/input.beancount``.

Each case is loaded through Beancount with the plugins its input names, and every
resulting directive (with its metadata, minus file positions) and error is printed; the
text must equal ``expected.beancount`` beside the input. ``pytest --update-golden``
rewrites the expected files: review every regenerated diff by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader
from beancount.parser import printer

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(GOLDEN.glob("*/*/input.beancount"))


def render(path: Path) -> str:
    """The loaded entries and errors of a case, as stable text."""
    entries, errors, _ = loader.load_file(str(path))
    out = []
    for entry in entries:
        out.append(printer.format_entry(entry).rstrip("\n") + "\n")
    for error in errors:
        line = (error.source or {}).get("lineno")
        out.append(f"; error at line {line}: {error.message.splitlines()[0]}\n")
    return "\n".join(out)


def test_there_are_golden_cases() -> None:
    assert CASES


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_golden(case: Path, update_golden: bool) -> None:
    expected_path = case.with_name("expected.beancount")
    actual = render(case)
    if update_golden:
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path.name}; run pytest --update-golden"
    assert actual == expected_path.read_text(encoding="utf-8")
