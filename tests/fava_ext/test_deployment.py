"""The documented deployment: nginx in front of one ``coopledger serve`` per member board.

``docs/examples/nginx-member-boards.conf`` is read as a deployment would use it: every
``coopledger serve`` command in its header is checked against the ``location`` blocks
(every member has a board; each location its own password file and a ``proxy_pass`` to
its own process and prefix; anything else 404), then every command is run as a real
process on the example books (on free ports) and each board is asked through the prefix
the proxy forwards: it answers from its own books only, its links keep its prefix, and
nothing outside the prefix is served.
"""

from __future__ import annotations

import html
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from coopledger.books import Books, load_books
from coopledger.entities import EntityKind
from tests.conftest import ROOT
from tests.fava_ext.test_member_crawl import EXAMPLE, forbidden_for, leaks

CONFIG = ROOT / "docs" / "examples" / "nginx-member-boards.conf"
LOCATION = re.compile(r"location\s+(\S+)\s*\{(.*?)\}", re.S)


def serve_commands(text: str) -> list[list[str]]:
    """The ``coopledger serve`` commands named in the configuration's header."""
    return [shlex.split(line.lstrip("#").strip()) for line in text.splitlines()
            if line.lstrip("#").strip().startswith("coopledger serve ")]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def locations(text: str) -> dict[str, dict[str, str]]:
    """Each location's directives (name to the rest of the line)."""
    found = {}
    for path, body in LOCATION.findall(text):
        directives = {}
        for statement in body.split(";"):
            words = statement.strip().split(None, 1)
            if words:
                directives[words[0]] = words[1].strip() if len(words) > 1 else ""
        found[path] = directives
    return found


@pytest.fixture(scope="module")
def group() -> Books:
    return load_books(EXAMPLE)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def boards() -> Iterator[dict[str, str]]:
    """Every command of the configuration running on the example books: prefix to URL."""
    running = []
    urls = {}
    try:
        for command in serve_commands(CONFIG.read_text(encoding="utf-8")):
            args = command[2:]
            args[0] = str(EXAMPLE)
            port = free_port()
            args[args.index("--port") + 1] = str(port)
            process = subprocess.Popen([sys.executable, "-m", "coopledger", "serve", *args],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True, cwd=ROOT)
            running.append(process)
            urls[option(command, "--prefix")] = f"http://127.0.0.1:{port}"
        for process in running:
            assert process.stdout is not None
            deadline = time.monotonic() + 180
            line = ""
            while time.monotonic() < deadline and not line.startswith("coopledger serve:"):
                line = process.stdout.readline()
                if not line:
                    break
            assert line.startswith("coopledger serve: http://"), line
        yield urls
    finally:
        for process in running:
            process.terminate()
            process.wait(timeout=20)


def get(url: str) -> tuple[int, str, str]:
    """Status, final URL and text of a GET (redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.url, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", errors="replace")


def test_the_configuration_gives_each_board_its_own_process(group: Books) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    commands = serve_commands(text)
    codes = [option(c, "--entity") for c in commands]
    members = {c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER}
    assert sorted(codes) == sorted(members)  # every member of the example books
    ports = [option(c, "--port") for c in commands]
    assert len(set(ports)) == len(ports)
    found = locations(text)
    assert found.pop("/") == {"return": "404"}
    assert sorted(found) == sorted(f"/{code}/" for code in codes)
    files = [d["auth_basic_user_file"] for d in found.values()]
    assert len(set(files)) == len(files)  # one password file per board
    for command in commands:
        code, prefix = option(command, "--entity"), option(command, "--prefix")
        assert prefix == f"/{code}"
        directives = found[f"{prefix}/"]
        assert directives["proxy_pass"] == \
            f"http://127.0.0.1:{option(command, '--port')}{prefix}/"
        assert directives["auth_basic_user_file"].endswith(f"/{code}.htpasswd")
        assert directives["auth_basic"].strip('"')


@pytest.mark.slow
def test_each_process_serves_its_board_its_own_books(group: Books,
                                                     boards: dict[str, str]) -> None:
    for prefix, base in boards.items():
        code = prefix.strip("/")
        status, url, text = get(f"{base}{prefix}/")
        assert status == 200
        assert url.startswith(f"{base}{prefix}/")
        slug = url.removeprefix(f"{base}{prefix}/").split("/")[0]
        status, _, text = get(f"{base}{prefix}/{slug}/extension/CoopMember/")
        assert status == 200
        text = html.unescape(text)
        assert group.entities[code].name in text
        assert f'href="{prefix}/static/' in text  # Fava's links keep the prefix
        assert not leaks(text, forbidden_for(group, code))
        assert get(f"{base}{prefix}/{slug}/api/source")[0] == 403
        assert get(f"{base}/")[0] == 404
        assert get(f"{base}/{slug}/income_statement/")[0] == 404
