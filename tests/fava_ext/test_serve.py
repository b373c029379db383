"""``coopledger serve``: its command line refuses bad input in one line, before serving."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from coopledger.cli import main
from coopledger.cli.serve import build_app
from tests.fava_ext.conftest import BOARD_LEDGER


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["serve", *argv])
    return status, capsys.readouterr().err.strip()


def test_missing_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run([str(tmp_path / "nope.beancount")], capsys)
    assert status == 2
    assert err == f"coopledger serve: {tmp_path / 'nope.beancount'}: no such ledger file"


def test_entity_view_cannot_write(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run([str(BOARD_LEDGER), "--entity", "Kafe", "--read-write"], capsys)
    assert status == 2
    assert "--entity serves a derived view of the books and cannot write" in err


def test_unknown_entity(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run([str(BOARD_LEDGER), "--entity", "Nope", "--port", "1"], capsys)
    assert status == 2
    assert err.endswith("entity 'Nope' is not declared in these books")


def test_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run([str(BOARD_LEDGER), "--port", "70000"], capsys)
    assert status == 2
    assert "--port 70000: must be 1 to 65535" in err


def test_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, err = run([str(BOARD_LEDGER), "--port", str(port)], capsys)
    assert status == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_read_only_by_default() -> None:
    app = build_app(BOARD_LEDGER, entity=None, read_only=True)
    client = app.test_client()
    assert client.put("/testparaplyet/api/source", json={}).status_code == 401
    assert client.get("/testparaplyet/extension/CoopGroup/").status_code == 200


def test_entity_view_refuses_the_files(tmp_path: Path) -> None:
    app = build_app(BOARD_LEDGER, entity="Kafe", read_only=True, folder=tmp_path)
    client = app.test_client()
    for url in ("api/source?filename=x", "api/context?entry_hash=x",
                "api/source_slice?entry_hash=x", "api/imports"):
        assert client.get(f"/testparaplyet-kafe/{url}").status_code == 403, url
    assert client.get("/testparaplyet-kafe/extension/CoopGroup/").status_code == 200
    build_app(BOARD_LEDGER, entity=None, read_only=True)  # the group's view again


@pytest.mark.parametrize("prefix", ["Kafe", "/Kafe/", "/Ka fe", "/../x"])
def test_bad_prefix(prefix: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run([str(BOARD_LEDGER), "--entity", "Kafe", "--prefix", prefix], capsys)
    assert status == 2
    assert f"--prefix {prefix!r}: must look like /Kafe" in err


def test_prefix_serves_under_it_and_nothing_else(tmp_path: Path) -> None:
    from werkzeug.test import Client

    from coopledger.cli.serve import with_prefix

    client = Client(with_prefix(build_app(BOARD_LEDGER, entity="Kafe", read_only=True,
                                          folder=tmp_path), "/Kafe"))
    assert client.get("/Kafe/testparaplyet-kafe/extension/CoopGroup/").status_code == 200
    assert client.get("/testparaplyet-kafe/extension/CoopGroup/").status_code == 404
    assert client.get("/Kafe/testparaplyet-kafe/api/source").status_code == 403
