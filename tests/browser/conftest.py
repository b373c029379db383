"""A real Chromium against ``coopledger serve``: fixtures for the browser tests.

The browser is Debian's Chromium (``/usr/bin/chromium``, or ``COOPLEDGER_CHROMIUM``),
driven by Playwright without downloading a browser of its own. When it is missing the
tests fail with a message saying how to install it; they never skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.fava_ext.conftest import BOARD_LEDGER, close_copy

CHROMIUM = Path(os.environ.get("COOPLEDGER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"
#: Where the browser tests leave their screenshots and printouts (CI keeps the folder as
#: its artefacts; it is not tracked).
ARTIFACTS = ROOT / "artifacts" / "screenshots"
EXTENSION_LINE = 'custom "fava-extension" "coopledger.fava_ext"'


def board_ledger(tmp: Path) -> Path:
    """The example books (or the small test ledger before they exist), extension enabled.

    When the main file does not enable the extension itself, its folder is copied and
    the copy's main file gets the extension line (options and plugins count only in the
    main file, so a wrapper that includes it would not do).
    """
    ledger = EXAMPLE if EXAMPLE.is_file() else BOARD_LEDGER
    text = ledger.read_text(encoding="utf-8")
    if EXTENSION_LINE in text:
        return ledger
    folder = tmp / "books"
    shutil.copytree(ledger.parent, folder, ignore=shutil.ignore_patterns("*.picklecache"))
    copy = folder / ledger.name
    copy.write_text(f"{text}\n2000-01-01 {EXTENSION_LINE}\n", encoding="utf-8")
    return copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``coopledger serve``: its base URL and the ledger it serves."""

    url: str
    ledger: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)


def start_server(ledger: Path, *extra: str) -> Server:
    """Start ``coopledger serve`` on a free port; wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "coopledger", "serve", str(ledger), "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert process.stdout is not None
    output = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if line.startswith("coopledger serve: http://"):
            url = line.split()[2].rstrip("/")
            assert url == f"http://127.0.0.1:{port}"
            return Server(url, ledger, process, output)
    process.kill()
    raise AssertionError("coopledger serve did not start:\n" + "".join(output))


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session", params=["example", "small"])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coopledger serve`` read-only on 127.0.0.1, on the example books and on the small
    test ledger (loans in arrears, payroll with employees, three months closed and
    sealed by ``coopledger close``)."""
    tmp = tmp_path_factory.mktemp(request.param)
    ledger = board_ledger(tmp) if request.param == "example" else close_copy(tmp / "small")
    running = start_server(ledger)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: the browser tests need it "
                    "(apt-get install -y chromium, or set COOPLEDGER_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page that records JavaScript errors and console errors."""

    page: Any
    errors: list[str]

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        title = self.page.title().rsplit(" - ", 1)[-1]
        prefix = "".join(c if c.isascii() and c.isalnum() else "-" for c in title.lower())[:40]
        self.page.screenshot(path=str(ARTIFACTS / f"{prefix}-{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A fresh page whose JavaScript and console errors are collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    yield Tab(page, errors)
    context.close()
