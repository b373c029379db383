"""Write the board pack's compiled templates (``src/coopledger/close/compiled/``).

Run after changing a template in ``src/coopledger/close/templates/`` or upgrading
Jinja2: ``python scripts/compile_templates.py``. Until then the pack compiles the changed
templates from their text at every run, and ``tests/test_render.py`` fails.
"""

from __future__ import annotations

from pathlib import Path

from coopledger.close.render import compiled_files

TARGET = Path(__file__).resolve().parent.parent / "src" / "coopledger" / "close" / "compiled"


def main() -> None:
    """Write every compiled module and remove those of templates no longer there."""
    TARGET.mkdir(exist_ok=True)
    files = compiled_files()
    for old in TARGET.glob("*.py"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        path = TARGET / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)
            print(f"wrote {path.relative_to(TARGET.parent.parent.parent.parent)}")


if __name__ == "__main__":
    main()
