"""``coopledger serve``: the group's view loads through the load cache, and nothing else does.

Fava's ``FavaLedger.load_file`` loads through one function of its core module; the
command routes it through :func:`coopledger.loadcache.load_file` for as long as it serves.
These tests fail when Fava drops the name or changes its signature (so an upgrade cannot
silently drop the cache), prove the served pages after an edit are those of an uncached
load, and that importing coopledger or building an application leaves Fava alone. And a
member's projected books never stay behind in the temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import fava.beans.load
import fava.core
import pytest
from fava.core import FavaLedger

from coopledger import collector
from coopledger.cli import main
from coopledger.cli import serve as serve_module
from coopledger.cli.serve import (
    FAVA_LOADER,
    FAVA_LOADER_PARAMETERS,
    build_app,
    fava_loader,
    fava_loads_cached,
)
from coopledger.errors import CoopException
from coopledger.loadcache import caching_allowed
from tests.conftest import ROOT
from tests.fava_ext.conftest import BOARD_LEDGER
from tests.test_loadcache import same_load

FAVAS_OWN = fava.beans.load.load_uncached


def current() -> Any:
    """The function Fava's ledger loads through now."""
    return vars(fava.core)["load_uncached"]


def test_fava_still_loads_through_the_routed_name() -> None:
    """The name, its signature and Fava's ledger calling it: an upgrade that changes any
    of them fails here instead of serving uncached without a word."""
    assert FAVA_LOADER == ("fava.core", "load_uncached")
    assert fava_loader() is FAVAS_OWN
    assert current() is FAVAS_OWN
    source = inspect.getsource(FavaLedger.load_file)
    assert "= load_uncached(" in source
    signature = inspect.signature(FAVAS_OWN)
    assert tuple((p.name, p.kind) for p in signature.parameters.values()) \
        == FAVA_LOADER_PARAMETERS
    assert str(signature) == "(beancount_file_path: 'str', *, is_encrypted: 'bool') " \
        "-> 'LoaderResult'"


def test_a_changed_fava_is_noticed_and_left_alone(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def other(path: str, encrypted: bool) -> Any:  # a signature Fava might move to
        raise AssertionError("never called")

    monkeypatch.setattr(fava.core, "load_uncached", other)
    with pytest.raises(CoopException, match="takes"):
        fava_loader()
    with fava_loads_cached():
        assert current() is other
    assert "the group's view loads without the cache" in capsys.readouterr().err
    monkeypatch.delattr(fava.core, "load_uncached")
    with pytest.raises(CoopException, match=r"has no fava\.core\.load_uncached"):
        fava_loader()


def test_the_routing_ends_with_the_block() -> None:
    with fava_loads_cached():
        assert current() is not FAVAS_OWN
    assert current() is FAVAS_OWN
    with pytest.raises(ValueError, match="inside"), fava_loads_cached():
        raise ValueError("inside")
    assert current() is FAVAS_OWN


def test_a_cached_fava_load_is_favas_own(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0

    def counted(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        nonlocal calls
        calls += 1
        return FAVAS_OWN(beancount_file_path, is_encrypted=is_encrypted)

    monkeypatch.setattr(fava.core, "load_uncached", counted)
    ledger = tmp_path / "main.beancount"
    ledger.write_text(BOARD_LEDGER.read_text(encoding="utf-8"), encoding="utf-8")
    cache = tmp_path / "cache"
    own = FAVAS_OWN(str(ledger), is_encrypted=False)
    with caching_allowed(cache), fava_loads_cached():
        cold = current()(str(ledger), is_encrypted=False)
        warm = current()(str(ledger), is_encrypted=False)
    assert any(cache.rglob("*"))  # the cache was written and read
    for cached in (cold, warm):
        same_load(cached, own)
    # Outside caching_allowed (or with the cache turned off), Fava loads as it does.
    with fava_loads_cached():
        assert current()(str(ledger), is_encrypted=False)[0] == own[0]
    monkeypatch.setenv("COOPLEDGER_CACHE_DIR", "off")
    with caching_allowed(), fava_loads_cached():
        assert current()(str(ledger), is_encrypted=False)[0] == own[0]
    assert calls == 2


def page_figures(app: Any) -> dict[str, Any]:
    """What the board reads: the Grupp page's body and Fava's statements' data."""
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).removeprefix("http://localhost").split("/")[1]
    html = client.get(f"/{slug}/extension/CoopGroup/?time=2025").get_data(as_text=True)
    # Fava's own page carries the time its watcher last saw the files: not a figure.
    body = re.sub(r'id="ledger-mtime">\d+<', "", html[html.index('<div class="coop-page'):])
    figures = {"page": body}
    for api in ("income_statement?time=2025", "balance_sheet", "journal?time=2025-03"):
        figures[api] = client.get(f"/{slug}/api/{api}").get_json()["data"]
    return figures


def test_the_served_group_page_after_an_edit_is_an_uncached_loads(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(BOARD_LEDGER.read_text(encoding="utf-8"), encoding="utf-8")
    edit = ('\n2025-12-30 * "Grossisten" "Kaffe efter ändringen"\n'
            "  Expenses:Kafe:4010-Inköp   1234.56 SEK\n"
            "  Assets:Kafe:1930-Bank\n")
    with caching_allowed(tmp_path / "cache"), fava_loads_cached():
        app = build_app(ledger, entity=None, read_only=True)
        before = page_figures(app)
        with ledger.open("a", encoding="utf-8") as handle:
            handle.write(edit)
        later = ledger.stat().st_mtime + 5  # a watcher that compares times sees it too
        os.utime(ledger, (later, later))
        served: Any = app.config["LEDGERS"].ledgers[0]
        loaded = served.all_entries
        # Told as Fava tells itself after it writes a file (its watcher thread may not
        # run: a machine out of inotify instances), so the next page request reloads.
        served.watcher.notify(ledger)
        after = page_figures(app)  # every figure from the one load after the edit
        assert served.all_entries is not loaded
    assert after != before
    assert "1234.56" in json.dumps(after["income_statement?time=2025"])
    assert current() is FAVAS_OWN
    uncached = build_app(ledger, entity=None, read_only=True)
    assert page_figures(uncached) == after
    fresh: Any = uncached.config["LEDGERS"].ledgers[0]
    same_load((served.all_entries, served.load_errors, served.options),
              (fresh.all_entries, fresh.load_errors, fresh.options))


#: A fresh interpreter: imports every module of the package, builds the group's and a
#: member's application, and says whether Fava's loader is still Fava's own.
SCRIPT = """
import importlib, json, pkgutil, sys, tempfile
from pathlib import Path
import fava.beans.load, fava.core
own = fava.core.load_uncached
import coopledger
for info in pkgutil.walk_packages(coopledger.__path__, "coopledger."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
imported = fava.core.load_uncached is own
from coopledger.cli.serve import build_app
from coopledger.loadcache import caching_allowed
with caching_allowed(Path(sys.argv[2])):
    build_app(Path(sys.argv[1]), entity=None, read_only=True)
    build_app(Path(sys.argv[1]), entity="Kafe", read_only=True, folder=Path(sys.argv[2]))
print(json.dumps({"imported": imported, "built": fava.core.load_uncached is own,
                  "own": own is fava.beans.load.load_uncached}))
"""


def test_importing_coopledger_or_building_an_app_leaves_fava_alone(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(BOARD_LEDGER), str(tmp_path)],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"imported": True, "built": True,
                                                         "own": True}


def test_the_command_routes_the_groups_view_only(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str | None, bool]] = []

    def serving(app: Any, args: argparse.Namespace) -> int:
        seen.append((args.entity, current() is FAVAS_OWN))
        return 0

    monkeypatch.setattr(serve_module, "serve", serving)
    assert main(["serve", str(BOARD_LEDGER)]) == 0
    assert main(["serve", str(BOARD_LEDGER), "--entity", "Kafe"]) == 0
    assert seen == [(None, False), ("Kafe", True)]
    assert current() is FAVAS_OWN


def test_the_server_loads_without_freezing(monkeypatch: pytest.MonkeyPatch) -> None:
    """serve reloads: its loads may pause the collector but never freeze what they built
    (the books a reload replaces, Fava's ledger with them, must stay collectable)."""
    seen: list[tuple[bool, int]] = []
    pauses: list[bool] = []
    real = gc.disable

    def disable() -> None:
        pauses.append(gc.isenabled())
        real()

    def serving(app: Any, args: argparse.Namespace) -> int:
        monkeypatch.setattr(gc, "disable", disable)
        app.config["LEDGERS"].ledgers[0].load_file()  # a reload
        seen.append((collector.is_pausing_allowed(), gc.get_freeze_count()))
        return 0

    monkeypatch.setattr(serve_module, "serve", serving)
    before = gc.get_freeze_count()
    assert main(["serve", str(BOARD_LEDGER)]) == 0
    assert seen == [(True, before)]
    assert pauses  # the reload paused the collector, as load_books does
    assert gc.get_freeze_count() == before
    assert gc.isenabled()


#: A fresh interpreter whose temporary folder is argv[2]: builds a member's application
#: without a folder of its own, says how many folders it made, and exits.
TEMPORARY = """
import sys, tempfile
from pathlib import Path
tempfile.tempdir = sys.argv[2]
from coopledger.cli.serve import build_app
app = build_app(Path(sys.argv[1]), entity="Kafe", read_only=True)
assert app.test_client().get("/testparaplyet-kafe/extension/CoopGroup/").status_code == 200
print(len([f for f in Path(sys.argv[2]).glob("coopledger-Kafe-*")
           if (f / "Kafe.beancount").is_file()]))
"""


def test_a_members_temporary_books_go_with_the_app(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder goes when the application is collected or, as Fava's application is
    kept alive by its own references until then, when the process exits."""
    done = subprocess.run([sys.executable, "-c", TEMPORARY, str(BOARD_LEDGER), str(tmp_path)],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1"]  # the folder was there while the app lived
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(CoopException, match="not declared"):
        build_app(BOARD_LEDGER, entity="Nope", read_only=True)
    assert not list(tmp_path.iterdir())  # a refusal leaves nothing either


def test_a_stopped_serve_leaves_no_folder(tmp_path: Path) -> None:
    """``coopledger serve --entity`` stopped by SIGTERM removes its private folder."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "coopledger", "serve", str(BOARD_LEDGER), "--entity", "Kafe",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert process.stdout is not None
    output = []
    try:
        for line in process.stdout:  # notes (a skipped cache...) may come first
            output.append(line)
            if line.startswith("coopledger serve: http://"):
                break
        assert output[-1].startswith("coopledger serve: http://"), output
        assert [f.name[:17] for f in tmp_path.iterdir()] == ["coopledger-serve-"]
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert not list(tmp_path.iterdir())
