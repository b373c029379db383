"""The distribution installs every package of the source tree (a missing one breaks loads)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {"coopledger", "coopledger.plugins", "coopledger.importers"}
    for init in (ROOT / "src" / "coopledger").rglob("__init__.py"):
        parts = init.parent.relative_to(ROOT / "src").parts
        on_disk.add(".".join(parts))
    assert on_disk <= listed, f"add to pyproject.toml packages: {sorted(on_disk - listed)}"


def test_every_listed_package_has_a_type_marker() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    for name in ("coopledger", "coopledger.plugins", "coopledger.importers"):
        folder = ROOT / mapping.get(name, "src/" + name.replace(".", "/"))
        if name == "coopledger":
            folder = ROOT / "src" / "coopledger"
        assert (folder / "py.typed").exists(), folder
