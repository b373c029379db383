"""Proof that a member's board sees its own books and nothing else: a crawl of every route.

For each member of the example books, ``coopledger serve --entity CODE``'s application is
asked every route of Fava's URL map (and the extension's pages and endpoint), with
plausible parameters, every method the route takes. No answer may be a server error, a
refused route must answer 403, and no answer may carry a token of another entity: its
code or name (other members; the umbrella and the fund are every member's counterparts
and appear in its clearing and loan accounts), any of its accounts, any of its voucher
ids, or an amount that only its books contain. The tokens come from the library's own
load of the group's books, not from a hand-written list. A route that Fava adds and that
:mod:`coopledger.fava_ext.guard` has not judged fails the crawl.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data

from coopledger.books import Books, load_books
from coopledger.cli.serve import build_app
from coopledger.entities import EntityKind, entity_of
from coopledger.fava_ext.close_view import read_board_packs
from coopledger.fava_ext.guard import (
    ALLOWED_ENDPOINTS,
    ALLOWED_REPORTS,
    REFUSED_ENDPOINTS,
)
from coopledger.member import own_vouchers, read_close_marks
from tests.conftest import ROOT

EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"
PAGES = ("CoopGroup", "CoopMember", "CoopFund", "CoopClose")
#: Fava's own reports and a few that do not exist.
REPORTS = (*sorted(ALLOWED_REPORTS), "editor", "import", "query", "options", "documents",
           "no_such_report")
#: Every endpoint must have been answered (200, or a redirect) by some member's crawl.
MUST_ANSWER = ("index", "report", "account", "extension_report", "extension_endpoint",
               "json_api.get_ledger_data", "json_api.get_income_statement",
               "json_api.get_balance_sheet", "json_api.get_journal",
               "json_api.get_account_report", "json_api.get_errors")


@dataclass(frozen=True)
class Forbidden:
    """What a member's view may not show: words (matched whole) and amounts."""

    words: frozenset[str]
    amounts: frozenset[Decimal]


def _amount_texts(number: Decimal) -> list[str]:
    swedish = f"{number:,.2f}".replace(".", ";")
    return [f"{number:.2f}", f"{number:,.2f}",
            *(swedish.replace(",", space).replace(";", ",") for space in "\u00a0\u202f ")]


def own_figures(books: Books, code: str) -> set[Decimal]:
    """Every amount the member's own books can show: its postings, and each account's
    (and each parent account's, and the result's) balance after every posting and change
    per month, quarter and year."""
    figures: set[Decimal] = set()
    running: dict[str, Decimal] = {}
    changes: dict[tuple[str, object], Decimal] = {}
    for entry in books.transactions:
        year, month = entry.date.year, entry.date.month
        keys: tuple[object, ...] = (year, (year, month), (year, "Q", (month - 1) // 3))
        for posting in entry.postings:
            if entity_of(posting.account) != code or posting.units is None \
                    or posting.units.number is None:
                continue
            number = posting.units.number
            figures.add(abs(number))
            parts = posting.account.split(":")
            accounts = [":".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
            if parts[0] in ("Income", "Expenses"):
                accounts.append("result")  # the member's result: income and costs together
            for account in accounts:
                running[account] = running.get(account, Decimal(0)) + number
                figures.add(abs(running[account]))
                for key in keys:
                    changes[account, key] = changes.get((account, key), Decimal(0)) + number
    figures |= {abs(v) for v in changes.values()}
    return figures


def forbidden_for(books: Books, code: str) -> Forbidden:
    """Tokens of every other entity, from the group's books, minus what is the member's."""
    counterparts = {c for c, e in books.entities.items() if e.kind is not EntityKind.MEMBER}
    words: set[str] = set()
    for other, entity in books.entities.items():
        if other != code and other not in counterparts:
            words |= {other, entity.name}
    words |= {a for a in books.opens if entity_of(a) not in (code, None)}
    other_amounts: set[Decimal] = set()
    for entry in books.transactions:
        for part in str((entry.meta or {}).get("ver", "")).split():
            if part.split(":", 1)[0] != code:
                words.add(part)
        for posting in entry.postings:
            if entity_of(posting.account) != code:
                words.add(posting.account)
                if posting.units is not None and posting.units.number is not None:
                    other_amounts.add(abs(posting.units.number))
    own_amounts = own_figures(books, code)
    # Amounts under 100 kronor or without öre are too common to prove anything.
    amounts = {n for n in other_amounts - own_amounts if n >= 100 and n % 1}
    return Forbidden(frozenset(words), frozenset(amounts))


#: Words as the text writes them: an account, a voucher id, a code (one token each).
TOKEN = re.compile(r"\w[\w:.-]*")
#: Numbers as Fava and coopledger write them: 1 234,56 (any space), 1234.56, 1,234.56.
NUMBER = re.compile(r"\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d{2})?|\d[\d,.]*\d")


def leaks(text: str, forbidden: Forbidden, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The forbidden tokens found in a response's text (HTML and JSON unescaped).

    A code counts only as a word of its own (``Omsorg``), not inside another token (a
    clearing account ``Assets:Kafe:1660-Avräkning-Paraply`` names its counterpart);
    names (several words) count anywhere.
    """
    tokens = {t.rstrip(".:-") for t in TOKEN.findall(text)}
    found = [w for w in forbidden.words - allowed if w in tokens or (" " in w and w in text)]
    numbers = set(NUMBER.findall(text))
    found += [str(n) for n in forbidden.amounts if any(t in numbers for t in _amount_texts(n))]
    return found


def readable(body: bytes, mimetype: str) -> str:
    """A response's text with HTML entities and JSON escapes undone (a PDF's: its pages'
    text, as pypdf reads it)."""
    if mimetype == "application/pdf":
        from pypdf import PdfReader

        return " ".join(" ".join(page.extract_text().split())
                        for page in PdfReader(io.BytesIO(body)).pages)
    text = body.decode("utf-8", errors="replace")
    if mimetype == "application/json":
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


@pytest.fixture(scope="module")
def group() -> Books:
    books = load_books(EXAMPLE)
    assert not books.errors, books.errors[:3]
    return books


def members(books: Books) -> list[str]:
    return [c for c, e in books.entities.items() if e.kind is EntityKind.MEMBER]


def requests_for(rule: Any, slug: str, books: Books, code: str) -> Iterator[
        tuple[str, str, frozenset[str]]]:
    """``(method, url, codes the request itself names)`` for one rule of the URL map."""
    own_accounts = sorted(a for a in books.opens if entity_of(a) == code)
    some = [own_accounts[0], own_accounts[len(own_accounts) // 2], own_accounts[-1]]
    other = next(c for c in members(books) if c != code)
    packs = read_board_packs(books.path)
    months = sorted(packs)[-2:]
    values: dict[str, list[str]] = {
        "bfile": [slug], "report_name": list(REPORTS), "name": some,
        "extension_name": [*PAGES, "NoSuchExtension"], "endpoint": ["board_pack", "nope"],
        "page_slug": ["_index", "beancount_syntax", "nope"], "aggregation_key": ["account"],
        "result_format": ["csv", "xlsx"], "filename": ["app.css"],
    }
    args = ["", "?time=2026", "?time=2025-Q3&account=Income&filter=Paraply"]
    payee = "?payee=Kooperativa Paraplyet i Östergötland ekonomisk förening"
    specific = {
        "json_api.get_account_report": [f"?a={some[0]}&r=journal",
                                        f"?a={some[1]}&r=changes&interval=month",
                                        f"?a={some[2]}&r=balances&time=2026"],
        "json_api.get_payee_accounts": [payee], "json_api.get_payee_transaction": [payee],
        "json_api.get_narration_transaction": ["?narration=Tjänsteavgift"],
        "json_api.get_journal_page": ["?page=1&order=asc", "?page=2&order=desc"],
        "json_api.get_query": ["?query_string=SELECT account, position"],
        "download_query": ["?query_string=SELECT account, position"],
        "json_api.get_source": [f"?filename={books.path}"],
        "document": [f"?filename={books.path}"],
        "json_api.get_context": [f"?entry_hash={'0' * 32}"],
        "json_api.get_source_slice": [f"?entry_hash={'0' * 32}"],
        "statement": [f"?entry_hash={'0' * 32}&key=document"],
        "extension_report": [f"?entity={code}", f"?entity={other}&time=2026"],
    }
    args += specific.get(rule.endpoint, [])
    pack_args = [f"?month={month}&file={name}" for month in months for name in packs[month]]
    pack_args += [f"?month={month}&file={name}" for month in months
                  for name in ("index.html", f"income-{code}.csv", "loans.csv", "nope.csv")]
    names = sorted(rule.arguments)
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in values.get(name, ["x"])]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    for combo in combos:
        path = rule.rule
        for name, value in combo.items():
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>|<any\([^)]*\):{name}>", value, path)
        pack = combo.get("extension_name") == "CoopClose" and combo.get("endpoint") == "board_pack"
        for method in methods:
            for arg in ((args + pack_args if pack else args) if method == "GET" else [""]):
                named = frozenset({other}) if other in arg else frozenset()
                yield method, path + arg, named


def test_every_route_is_judged() -> None:
    from fava.application import create_app

    app = create_app([], load=False, read_only=True)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unjudged = endpoints - ALLOWED_ENDPOINTS - set(REFUSED_ENDPOINTS)
    assert not unjudged, f"Fava routes not judged for a member's view: {sorted(unjudged)}"
    assert not ALLOWED_ENDPOINTS & set(REFUSED_ENDPOINTS)


def test_the_detector_finds_other_members_in_the_groups_view(group: Books) -> None:
    """The crawl's check is not blind: the group's own view shows other members' data."""
    app = build_app(EXAMPLE, entity=None, read_only=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    code = members(group)[0]
    for url in ("api/income_statement?time=2026", "api/journal?time=2026-03",
                "extension/CoopGroup/?time=2026"):
        response = client.get(f"/{slug}/{url}")
        text = readable(response.data, response.mimetype)
        assert leaks(text, forbidden_for(group, code)), url


@pytest.mark.slow
def test_a_members_view_shows_nothing_of_the_others(group: Books, tmp_path: Path) -> None:
    answered: dict[str, int] = {}
    problems: list[tuple[object, ...]] = []
    for code in members(group):
        forbidden = forbidden_for(group, code)
        assert forbidden.words
        assert forbidden.amounts
        folder = tmp_path / code
        folder.mkdir()
        app = build_app(EXAMPLE, entity=code, read_only=True, folder=folder)
        client = app.test_client()
        slug = client.get("/").headers["Location"].strip("/").split("/")[0]
        # Browsers send the page they come from (Fava's /jump needs it).
        referer = {"Referer": f"http://localhost/{slug}/income_statement/?time=2026"}
        own = load_books(folder / f"{code}.beancount")
        assert not own.errors, own.errors[:3]
        for rule in app.url_map.iter_rules():
            for method, url, named in requests_for(rule, slug, group, code):
                response = client.open(url, method=method, headers=referer)
                status = response.status_code
                if status >= 500:
                    problems.append((code, method, url, status, response.data[:300]))
                refused = rule.endpoint in REFUSED_ENDPOINTS or method != "GET"
                if refused and status != 403:
                    problems.append((code, method, url, status, "not refused"))
                if status in (200, 302):  # index and jump redirect
                    answered[rule.endpoint] = answered.get(rule.endpoint, 0) + 1
                found = leaks(readable(response.data, response.mimetype), forbidden, named)
                if found:
                    problems.append((code, method, url, status, sorted(found)[:10]))
    assert not problems, f"{len(problems)} problem(s): {problems[:20]}"
    missing = [e for e in MUST_ANSWER if not answered.get(e)]
    assert not missing, f"never answered 200: {missing}"


def test_the_member_pack_is_the_members_own(group: Books, tmp_path: Path) -> None:
    code = members(group)[0]
    app = build_app(EXAMPLE, entity=code, read_only=True, folder=tmp_path)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    month = max(read_board_packs(group.path))
    base = f"/{slug}/extension/CoopClose/board_pack?month={month}&file="
    page = client.get(base + "index.html")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Styrelserapport" in text
    assert group.entities[code].name in text
    assert not leaks(html.unescape(text), forbidden_for(group, code))
    assert client.get(base + f"income-{code}.csv").status_code == 200
    for name in ("results.csv", "loans.csv", f"balance-{code}.csv"):
        assert client.get(base + name).status_code == 200, name
    other = next(c for c in members(group) if c != code)
    for name in (f"income-{other}.csv", "fund-loans.csv", "checks.csv", "../main.beancount"):
        assert client.get(base + name).status_code == 404, name
    assert client.get(f"/{slug}/extension/CoopClose/board_pack?month=2099-01").status_code \
        == 404


def test_the_leaks_of_the_issue_are_closed(group: Books, tmp_path: Path) -> None:
    code = members(group)[0]
    app = build_app(EXAMPLE, entity=code, read_only=True, folder=tmp_path)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    assert client.get(f"/{slug}/download-journal/").status_code == 403
    assert client.get(f"/{slug}/api/source?filename={group.path}").status_code == 403
    assert client.get(f"/{slug}/api/query?query_string=SELECT%201").status_code == 403
    assert client.get(f"/{slug}/editor/").status_code == 403
    journal = client.get(f"/{slug}/api/journal?time=2026-03").get_json()["data"]
    shared = [e for e in journal if e.get("t") == "Transaction"
              and e["meta"].get("generated-by") == "coopledger.services.allocation"]
    assert shared
    for entry in shared:
        assert "weights" not in entry["meta"]
        assert "cost-accounts" not in entry["meta"]
        assert entry["meta"]["ver"] == own_vouchers(entry["meta"]["ver"], code)
        assert {entity_of(p["account"]) for p in entry["postings"]} == {code}
    page = client.get(f"/{slug}/income_statement/").get_data(as_text=True)
    assert 'id="coopledger-member-view"' in page


def own_sums(entries: list[Any], code: str) -> dict[str, Decimal]:
    """The balance of each of the entity's accounts over the entries."""
    totals: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if entity_of(posting.account) == code and posting.units is not None \
                        and posting.units.number is not None:
                    totals[posting.account] = totals.get(posting.account, Decimal(0)) \
                        + posting.units.number
    return totals


def test_balances_are_the_groups(group: Books, tmp_path: Path) -> None:
    """Every account of a member has the same balance in its own books as in the group's."""
    for code in members(group):
        folder = tmp_path / code
        folder.mkdir()
        app = build_app(EXAMPLE, entity=code, read_only=True, folder=folder)
        own_entries: list[Any] = list(app.config["LEDGERS"].ledgers[0].all_entries)
        assert own_sums(own_entries, code) == own_sums(list(group.entries), code), code
        assert own_sums(own_entries, code)
        assert {entity_of(p.account) for e in own_entries if isinstance(e, data.Transaction)
                for p in e.postings} == {code}


def pack_people(text: str) -> list[str]:
    """The people tables of a board pack's page."""
    return re.findall(r'<table class="people(?:-months)?">.*?</table>', text, re.S)


def test_the_member_packs_people_are_the_groups(group: Books, tmp_path: Path) -> None:
    """A member's pack, built from its own books, shows the people the group's books give
    for that member (target group and full-time equivalents included)."""
    from coopledger.close.boardpack import member_pack_files
    from coopledger.close.packsummary import months_to
    from coopledger.people import people

    month = max(read_board_packs(group.path))
    history = months_to(month)
    for code in ("Kafe", "Omsorg"):
        folder = tmp_path / code
        folder.mkdir()
        app = build_app(EXAMPLE, entity=code, read_only=True, folder=folder)
        client = app.test_client()
        slug = client.get("/").headers["Location"].strip("/").split("/")[0]
        response = client.get(f"/{slug}/extension/CoopClose/board_pack?month={month}"
                              "&file=index.html")
        assert response.status_code == 200
        shown = pack_people(response.get_data(as_text=True))
        state = dict(read_close_marks(app.config["LEDGERS"].ledgers[0].all_entries))[month]
        assert shown == pack_people(member_pack_files(group, code, month, state)["index.html"])
        now = people(group, code, history)[-1]
        assert now.booked
        cells = re.findall(r'<td class="n">([^<]*)</td>', shown[0])
        assert cells[:3] == [str(len(now.employed)), str(len(now.target_group)),
                             str(len(now.subsidised))]
    assert any(people(group, c, history)[-1].target_group for c in ("Kafe", "Omsorg"))
