"""coopledger's plugins take no configuration: one given is an error, the entries untouched."""

from __future__ import annotations

import pytest

from tests.conftest import load_text

PLUGINS = ("coopledger.plugins.entities", "coopledger.plugins.loans",
           "coopledger.plugins.seals")


@pytest.mark.parametrize("plugin", PLUGINS)
def test_a_configuration_is_refused_not_ignored(plugin: str) -> None:
    books = load_text(f"""
        plugin "{plugin}" "{{'strict': True}}"
        2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
        """)
    messages = [e.message for e in books.errors]
    assert messages == [f'plugin "{plugin}" takes no configuration; remove '
                        "\"{'strict': True}\" from its plugin line"]
    assert books.errors[0].source["filename"] == f"<{plugin}>"


@pytest.mark.parametrize("plugin", PLUGINS)
def test_no_configuration_is_no_error(plugin: str) -> None:
    books = load_text(f"""
        plugin "{plugin}"
        2025-01-01 custom "coop-entity" "Kafe"
          name: "Kafé Linnéa ekonomisk förening"
          kind: "member"
        2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
        """)
    assert books.errors == []
