"""``coopledger close --pdf`` and ``--preview``, and the pack route's PDF download.

The close prints the pack with the rest (all or nothing); a sealed month's PDF is printed
only if missing and never rewritten differently; a preview is preliminary and writes
nothing into the books.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.compare import compare
from coopledger.fava_ext.close_view import read_board_packs
from coopledger.i18n import format_amount
from coopledger.periods import month_period
from coopledger.printing import CHROMIUM
from tests.fava_ext.conftest import close_copy

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium prints the pack (apt-get install chromium)")


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().replace("\u00a0", " ").split())
                    for page in reader.pages)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test ledger with January closed and its pack printed."""
    path = close_copy(tmp_path_factory.mktemp("printed"), "2025-01")
    assert main(["close", str(path), "2025-02", "--pdf"]) == 0
    return path


def test_the_close_prints_the_pack_beside_its_html(printed: Path) -> None:
    pdf = printed.parent / "boardpack" / "2025-02" / "boardpack-2025-02.pdf"
    assert read_board_packs(printed)["2025-02"][0] == "index.html"
    assert pdf.name in read_board_packs(printed)["2025-02"]
    assert "boardpack-2025-01.pdf" not in read_board_packs(printed)["2025-01"]
    text = text_of(pdf.read_bytes())
    books = load_books(printed)
    result = compare(books, "Kafe", month_period(2025, 2), "budget").total("actual")
    assert " ".join(format_amount(result, 0, "sv").replace("\u00a0", " ").split()) in text
    assert "PRELIMINÄR" not in text
    assert not list(pdf.parent.glob(".*"))  # no temporary file left behind


def test_a_sealed_months_pack_is_printed_once_and_never_differently(
        printed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = printed.parent / "boardpack"
    pdf = folder / "2025-02" / "boardpack-2025-02.pdf"
    first = pdf.read_bytes()
    capsys.readouterr()
    assert main(["close", str(printed), "2025-02", "--pdf"]) == 0
    assert "nothing to write" in capsys.readouterr().out
    assert pdf.read_bytes() == first
    # a sealed month closed without --pdf gets its PDF later, the same as at the close
    late = folder / "2025-01" / "boardpack-2025-01.pdf"
    assert main(["close", str(printed), "2025-01", "--pdf"]) == 0
    assert late.is_file()
    late.unlink()
    pdf.unlink()
    assert main(["close", str(printed), "2025-02", "--pdf"]) == 0
    assert text_of(pdf.read_bytes()) == text_of(first)
    # a PDF there, whatever printed it, is left as it is
    pdf.write_bytes(first.replace(b"Styrelserapport", b"Styrelserapp0rt", 1))
    changed = pdf.read_bytes()
    capsys.readouterr()
    assert main(["close", str(printed), "2025-02", "--pdf"]) == 0
    assert "nothing to write" in capsys.readouterr().out
    assert pdf.read_bytes() == changed
    pdf.write_bytes(first)


def test_a_pack_the_books_no_longer_give_is_not_printed(
        printed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A refusal is one line, exit 2, nothing written."""
    index = printed.parent / "boardpack" / "2025-01" / "index.html"
    before = index.read_text(encoding="utf-8")
    index.write_text(before.replace("Styrelserapport", "Rapport", 1), encoding="utf-8")
    pdf = index.parent / "boardpack-2025-01.pdf"
    pdf.unlink(missing_ok=True)
    try:
        capsys.readouterr()
        assert main(["close", str(printed), "2025-01", "--pdf"]) == 2
        refusal = [line for line in capsys.readouterr().err.splitlines()
                   if not line.startswith("  ")]  # progress lines are indented
        assert len(refusal) == 1
        assert "kept as written" in refusal[0]
        assert not pdf.exists()
    finally:
        index.write_text(before, encoding="utf-8")


def test_a_preview_is_preliminary_and_writes_nothing_in_the_books(
        printed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(p for p in printed.parent.rglob("*") if p.is_file())
    texts = {p: p.read_bytes() for p in files}
    target = tmp_path / "preview.pdf"
    assert main(["close", str(printed), "2025-03", "--preview", str(target)]) == 0
    text = text_of(target.read_bytes())
    assert "PRELIMINÄR: mars 2025 är inte stängd" in text
    assert "Styrelserapport mars 2025 (preliminär)" in text
    assert sorted(p for p in printed.parent.rglob("*") if p.is_file()) == files
    assert all(p.read_bytes() == texts[p] for p in files)
    capsys.readouterr()
    sealed = tmp_path / "sealed.pdf"
    assert main(["close", str(printed), "2025-02", "--preview", str(sealed)]) == 2
    assert "is sealed" in capsys.readouterr().err
    assert not sealed.exists()
    assert main(["close", str(printed), "2025-03", "--preview", str(tmp_path / "x.txt")]) == 2


def test_a_dry_run_prints_nothing(printed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["close", str(printed), "2025-03", "--pdf", "--dry-run"]) == 0
    assert "would print" in capsys.readouterr().out
    assert not (printed.parent / "boardpack" / "2025-03").exists()


def test_the_pack_route_offers_the_pdf(printed: Path) -> None:
    from fava.application import create_app

    app = create_app([str(printed)], load=True, read_only=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    base = f"/{slug}/extension/CoopClose/board_pack?month=2025-02&file="
    response = client.get(base + "boardpack-2025-02.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == (printed.parent / "boardpack" / "2025-02" /
                             "boardpack-2025-02.pdf").read_bytes()
    assert client.get(base + "boardpack-2025-03.pdf").status_code == 404
    assert client.get(f"/{slug}/extension/CoopClose/board_pack?month=2025-03&file="
                      "boardpack-2025-03.pdf").status_code == 404


def test_a_members_printed_pack_is_its_own(printed: Path, tmp_path: Path) -> None:
    from coopledger.cli.serve import build_app

    group = load_books(printed)
    app = build_app(printed, entity="Kafe", read_only=True, folder=tmp_path)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    base = f"/{slug}/extension/CoopClose/board_pack?month=2025-02&file="
    response = client.get(base + "boardpack-2025-02.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert f"Kafe: {group.entities['Kafe'].name}" in text
    result = compare(group, "Kafe", month_period(2025, 2), "budget").total("actual")
    assert " ".join(format_amount(result, 0, "sv").replace("\u00a0", " ").split()) in text
    for other in ("Stad", group.entities["Stad"].name, "Fonden"):
        assert other not in text
    assert client.get(base.replace("2025-02", "2025-03") + "boardpack-2025-03.pdf"
                      ).status_code == 404


def test_the_pdf_is_readable_like_the_packs_other_files(printed: Path) -> None:
    folder = printed.parent / "boardpack" / "2025-02"
    mode = (folder / "index.html").stat().st_mode & 0o777
    assert (folder / "boardpack-2025-02.pdf").stat().st_mode & 0o777 == mode
