"""The board pack's templates: compiled ahead, and compiled from their text when changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from coopledger.close import compiled, render

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "src" / "coopledger" / "close" / "templates"
COMPILED = ROOT / "src" / "coopledger" / "close" / "compiled"
NAMES = sorted(p.name for p in TEMPLATES.glob("*.html"))


@pytest.fixture
def environment() -> Iterator[jinja2.Environment]:
    """A fresh environment of the pack's templates (nothing loaded yet)."""
    render._templates.cache_clear()
    yield render._templates()
    render._templates.cache_clear()


def test_the_compiled_modules_are_current() -> None:
    """Each template's module is what Jinja2 compiles of its text now (else run
    ``python scripts/compile.py``), and nothing else is in the folder."""
    files = render.compiled_files()
    assert sorted(files) == sorted(p.name for p in COMPILED.glob("*.py"))
    assert {render.module_name(n) + ".py" for n in NAMES} | {"__init__.py"} == set(files)
    for name, text in files.items():
        assert (COMPILED / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("name", NAMES)
def test_each_template_comes_from_its_compiled_module(
        environment: jinja2.Environment, name: str) -> None:
    template = environment.get_template(name)
    module = template.root_render_func.__code__.co_filename
    assert Path(module).name == render.module_name(name) + ".py"
    filename = Path(str(template.filename))  # errors name the template, not the module
    assert (filename.parent.name, filename.name) == ("templates", name)


class _Words(dict[str, str]):
    """The catalogue's words, each written as its own id in brackets (escaped)."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def _fund_context() -> dict[str, object]:
    t = _Words()
    return {"currency": "SEK & co", "figures": [["a<b", "1 000"], ["c", "2"]], "t": t,
            "statuses": [["x", "1"]], "loans": [["L1", "M001", "5"]], "members": [],
            "portfolio_chart": Markup("<svg/>"), "par_chart": Markup("<svg/>")}


def test_a_changed_template_is_compiled_from_its_text(
        environment: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module made from another text (or by another Jinja2) is not used; the page is
    the same either way."""
    context = _fund_context()
    expected = environment.get_template("fund.html").render(**context)
    assert "<td>a&lt;b</td>" in expected
    assert "&lt;loan_book&gt;" in expected
    for patch in ({"SOURCES": {**compiled.SOURCES, "fund.html": "0" * 64}},
                  {"JINJA2": "0.0"}):
        render._templates.cache_clear()
        with monkeypatch.context() as m:
            for attribute, value in patch.items():
                m.setattr(compiled, attribute, value)
            template = render._templates().get_template("fund.html")
            code = Path(template.root_render_func.__code__.co_filename)
            assert (code.parent.name, code.name) == ("templates", "fund.html")
            assert template.render(**context) == expected
