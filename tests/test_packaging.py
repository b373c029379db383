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
    on_disk = {
        ".".join(init.parent.relative_to(SRC).parts)
        for init in (SRC / "coopledger").rglob("__init__.py")
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
