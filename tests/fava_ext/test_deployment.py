"""The documented deployment: nginx in front of one process serving every member's board.

``docs/examples/nginx-member-boards.conf`` is read as a deployment would use it: the
``coopledger serve`` command in its header is run (as an application, on the example
books), and every ``location`` is checked against it: one password file per board, the
proxy reaching that board's own prefix, every member served, nothing else reachable.
Then each board is asked through the prefixes the proxy forwards.
"""

from __future__ import annotations

import html
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from coopledger.books import Books, load_books
from coopledger.cli.serve import build_boards_app
from coopledger.entities import EntityKind
from tests.conftest import ROOT
from tests.fava_ext.test_member_crawl import EXAMPLE, forbidden_for, leaks

CONFIG = ROOT / "docs" / "examples" / "nginx-member-boards.conf"
LOCATION = re.compile(r"location\s+(\S+)\s*\{(.*?)\}", re.S)


def serve_command(text: str) -> list[str]:
    """The ``coopledger serve`` command named in the configuration's header."""
    lines = [line.lstrip("#").strip() for line in text.splitlines()
             if line.lstrip("#").strip().startswith("coopledger serve ")]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


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


def test_the_configuration_gives_each_board_its_own_prefix(group: Books) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    command = serve_command(text)
    port = command[command.index("--port") + 1]
    codes = [command[i + 1] for i, word in enumerate(command) if word == "--entity"]
    members = {c for c, e in group.entities.items() if e.kind is EntityKind.MEMBER}
    assert set(codes) == members  # every member of the example books has its board
    found = locations(text)
    assert found.pop("/") == {"return": "404"}
    assert sorted(found) == sorted(f"/{code}/" for code in codes)
    files = [d["auth_basic_user_file"] for d in found.values()]
    assert len(set(files)) == len(files)  # one password file per board
    for code in codes:
        directives = found[f"/{code}/"]
        assert directives["proxy_pass"] == f"http://127.0.0.1:{port}/{code}/"
        assert directives["auth_basic_user_file"].endswith(f"/{code}.htpasswd")
        assert directives["auth_basic"].strip('"')


def test_the_named_process_serves_each_board_its_own_books(group: Books,
                                                           tmp_path: Path) -> None:
    command = serve_command(CONFIG.read_text(encoding="utf-8"))
    codes = [command[i + 1] for i, word in enumerate(command) if word == "--entity"]
    client: Any = Client(build_boards_app(EXAMPLE, codes, tmp_path))
    slugs = {}
    for code in codes:
        response = client.get(f"/{code}/")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith(f"/{code}/")
        slugs[code] = location.split("/")[2]
        page = client.get(f"/{code}/{slugs[code]}/extension/CoopMember/")
        assert page.status_code == 200
        text = html.unescape(page.get_data(as_text=True))
        assert group.entities[code].name in text
        assert f'href="/{code}/{slugs[code]}/' in text  # Fava's links keep the prefix
        assert not leaks(text, forbidden_for(group, code))
        assert client.get(f"/{code}/{slugs[code]}/api/source").status_code == 403
    first, second = codes[:2]
    assert client.get(f"/{first}/{slugs[second]}/income_statement/").status_code == 404
    assert client.get("/").status_code == 404
    assert client.get("/Nope/").status_code == 404
