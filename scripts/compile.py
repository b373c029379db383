"""Write what coopledger keeps compiled beside its sources, from those sources.

- the board pack's templates compiled by Jinja2 (``src/coopledger/close/compiled/``),
  after changing a template in ``src/coopledger/close/templates/`` or upgrading Jinja2;
- the message catalogues compiled by Babel (``coopledger-<digest>.mo`` beside each
  ``src/coopledger/i18n/locale/<lang>/LC_MESSAGES/coopledger.po``), after editing one.

Run ``python scripts/compile.py``. Until then the changed sources are compiled at every
run, as before, and ``tests/test_render.py`` or ``tests/i18n/test_catalogue.py`` fails.
Writes are atomic (a temporary file renamed) and running it twice writes nothing new.
"""

from __future__ import annotations

from pathlib import Path

from coopledger.close.render import compiled_files
from coopledger.i18n.catalogue import DOMAIN, compile_catalogue
from coopledger.i18n.format import LANGUAGES

SOURCE = Path(__file__).resolve().parent.parent / "src" / "coopledger"
TARGET = SOURCE / "close" / "compiled"


def _write(path: Path, content: bytes) -> None:
    if path.exists() and path.read_bytes() == content:
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    print(f"wrote {path.relative_to(SOURCE.parent.parent)}")


def main() -> None:
    """Write every compiled file and remove those of sources no longer there."""
    TARGET.mkdir(exist_ok=True)
    files = compiled_files()
    for old in TARGET.glob("*.py"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        _write(TARGET / name, text.encode("utf-8"))
    for language in LANGUAGES:
        folder = SOURCE / "i18n" / "locale" / language / "LC_MESSAGES"
        name, content = compile_catalogue(language)
        for old in folder.glob(f"{DOMAIN}-*.mo"):
            if old.name != name:
                old.unlink()
        _write(folder / name, content)


if __name__ == "__main__":
    main()
