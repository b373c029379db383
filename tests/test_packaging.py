"""The distribution installs every package of the source tree (a missing one breaks loads)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _listed() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_is_listed_in_pyproject() -> None:
    """Every folder that holds files: modules, or data alone (templates, catalogues).

    Setuptools treats every folder as a package; data in one not listed may be left out
    of the distribution (it warns so), and an installed command would miss it.
    """
    on_disk = {
        ".".join(folder.relative_to(SRC).parts)
        for folder in [SRC / "coopledger", *(SRC / "coopledger").rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts
        and any(child.is_file() for child in folder.iterdir())
    }
    listed = _listed()
    assert on_disk <= listed, f"add to pyproject.toml packages: {sorted(on_disk - listed)}"
    assert listed <= on_disk, f"remove from pyproject.toml packages: {sorted(listed - on_disk)}"


def test_plugins_and_importers_live_under_src() -> None:
    # One place to look: `PYTHONPATH=src` finds every module a ledger names.
    assert not (ROOT / "plugins").exists()
    assert not (ROOT / "importers").exists()
    for name in ("coopledger", "coopledger.plugins", "coopledger.importers"):
        assert (SRC / name.replace(".", "/") / "py.typed").exists(), name
