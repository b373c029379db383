"""Entity declarations, account ownership and per-entity balance with clearing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beancount.core.data import Posting

from coopledger.books import Books
from coopledger.clearing import clearing_account, settle
from coopledger.entities import validate_orgnr
from coopledger.errors import BalanceError, DeclarationError, EntityError
from tests.conftest import load_text

HEADER = """
option "operating_currency" "SEK"
plugin "coopledger.plugins.entities"
2025-01-01 custom "coop-entity" "Paraply"
  name: "Paraplyet ekonomisk förening"
  kind: "umbrella"
  orgnr: "769600-0012"
2025-01-01 custom "coop-entity" "Kafe"
  name: "Kafé Linnéa"
  kind: "member"
2025-01-01 custom "coop-entity" "Stad"
  name: "Städkooperativet Glansen"
  kind: "member"
2025-01-01 open Assets:Paraply:1930-Företagskonto SEK
2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
2025-01-01 open Expenses:Kafe:4010-Inköp SEK
2025-01-01 open Expenses:Stad:4010-Inköp SEK
"""


def messages(books: Books, kind: type = object) -> list[str]:
    return [str(getattr(e, "message", e)) for e in books.errors if isinstance(e, kind)]


def number(posting: Posting) -> Decimal:
    assert posting.units is not None
    assert posting.units.number is not None
    return posting.units.number


def test_valid_header_loads_clean() -> None:
    books = load_text(HEADER)
    assert books.errors == []
    assert list(books.entities) == ["Paraply", "Kafe", "Stad"]
    assert books.umbrella is not None
    assert books.umbrella.code == "Paraply"
    assert books.entities["Paraply"].orgnr == "769600-0012"


def test_cross_entity_transaction_gets_clearing_postings() -> None:
    books = load_text(HEADER + """
2025-02-03 * "Grossisten AB" "Kaffebönor till kaféet"
  Expenses:Kafe:4010-Inköp  800.00 SEK
  Assets:Paraply:1930-Företagskonto
""")
    assert books.errors == []
    (txn,) = books.transactions
    added = {p.account: number(p) for p in txn.postings[2:]}
    assert added == {clearing_account("Kafe", "Paraply"): Decimal("-800.00"),
                     clearing_account("Paraply", "Kafe"): Decimal("800.00")}
    assert all((p.meta or {}).get("generated-by") == "coopledger.clearing"
               for p in txn.postings[2:])
    assert sum(added.values()) == 0
    assert books.opens[clearing_account("Kafe", "Paraply")].meta["intragroup"] is True


def test_an_account_not_opened_still_clears_for_its_entity() -> None:
    """Beancount reports the account; the clearing still takes its entity from its name."""
    books = load_text(HEADER + """
2025-02-03 * "Grossisten AB" "Koppar till kaféet"
  Expenses:Kafe:5410-Förbrukningsinventarier  120.00 SEK
  Assets:Paraply:1930-Företagskonto
""")
    assert any("Expenses:Kafe:5410-Förbrukningsinventarier" in message
               for message in messages(books))
    (txn,) = books.transactions
    added = {p.account: number(p) for p in txn.postings[2:]}
    assert added == {clearing_account("Kafe", "Paraply"): Decimal("-120.00"),
                     clearing_account("Paraply", "Kafe"): Decimal("120.00")}


def test_clearing_legs_keep_the_digits_of_the_residual() -> None:
    # A clearing leg shares a posting's units only when they are exactly its amount,
    # digits included: 800.0 and -800.00 are equal numbers but print differently.
    books = load_text(HEADER + """
2025-02-03 * "Grossisten AB" "Kaffebönor till kaféet"
  Expenses:Kafe:4010-Inköp  800.0 SEK
  Assets:Paraply:1930-Företagskonto  -800.00 SEK

2025-02-04 * "Grossisten AB" "Kaffebönor igen"
  Expenses:Kafe:4010-Inköp  800.00 SEK
  Assets:Paraply:1930-Företagskonto  -800.00 SEK
""")
    assert books.errors == []
    first, second = books.transactions
    assert [str(number(p)) for p in first.postings[2:]] == ["-800.0", "800.0"]
    assert [str(number(p)) for p in second.postings[2:]] == ["-800.00", "800.00"]
    # Shared where exact: the leg is the very units object of the opposite posting.
    assert second.postings[2].units is second.postings[1].units
    assert second.postings[3].units is second.postings[0].units
    assert first.postings[2].units is not first.postings[1].units


def test_three_entities_are_settled_pairwise() -> None:
    books = load_text(HEADER + """
2025-02-03 * "Grossisten AB" "Gemensamt inköp"
  Expenses:Kafe:4010-Inköp  300.00 SEK
  Expenses:Stad:4010-Inköp  200.00 SEK
  Assets:Paraply:1930-Företagskonto
""")
    assert books.errors == []
    (txn,) = books.transactions
    per_entity: dict[str, Decimal] = {}
    for posting in txn.postings:
        code = posting.account.split(":")[1]
        per_entity[code] = per_entity.get(code, Decimal(0)) + number(posting)
    assert per_entity == {"Kafe": 0, "Stad": 0, "Paraply": 0}


def test_settle_pairs_in_code_order() -> None:
    pairs = settle({"B": Decimal(5), "A": Decimal(3), "C": Decimal(-8)})
    assert pairs == [("A", "C", Decimal(3)), ("B", "C", Decimal(5))]


def test_single_entity_transaction_is_untouched() -> None:
    books = load_text(HEADER + """
2025-02-03 * "Grossisten AB" "Inköp"
  Expenses:Kafe:4010-Inköp  300.00 SEK
  Assets:Kafe:1930-Företagskonto
""")
    assert books.errors == []
    assert len(books.transactions[0].postings) == 2


@pytest.mark.parametrize(("declaration", "expected"), [
    ('2025-01-01 custom "coop-entity" "Snickeri"\n  name: "S"\n  kind: "bakery"\n',
     "kind: Input should be 'umbrella', 'member' or 'fund'"),
    ('2025-01-01 custom "coop-entity" "Kafe"\n  name: "Dubblett"\n  kind: "member"\n',
     "entity Kafe is declared twice"),
    ('2025-01-01 custom "coop-entity" "Snickeri"\n  name: "S"\n  kind: "member"\n'
     '  orgnr: "769600-0013"\n', "is not a valid Swedish organisation number"),
    ('2025-01-01 custom "coop-entity" "Snickeri"\n  kind: "member"\n', "name: missing"),
    ('2025-01-01 custom "coop-entity" "snickeri"\n  name: "S"\n  kind: "member"\n',
     "must be ASCII: a capital letter"),
    ('2025-01-01 custom "coop-entity" "Snickeri"\n  name: "S"\n  kind: "member"\n'
     '  colour: "red"\n', "colour: unknown field"),
    ('2025-01-01 custom "coop-entity" "Andra"\n  name: "S"\n  kind: "umbrella"\n',
     "the books already have an umbrella"),
    ('2025-01-01 custom "coop-frobnicate" "X"\n', "unknown declaration 'coop-frobnicate'"),
    ('2025-01-01 open Assets:Okänd:1930-Bank SEK\n', "'Okänd' is not a declared entity"),
    ('2024-12-01 open Assets:Kafe:1910-Kassa SEK\n', "before entity Kafe starts"),
])
def test_bad_declarations_are_errors_at_their_line(declaration: str, expected: str) -> None:
    text = HEADER + declaration
    books = load_text(text)
    matching = [e for e in books.errors
                if isinstance(e, (DeclarationError, EntityError)) and expected in e.message]
    assert len(matching) == 1, [e.message for e in books.errors]
    line_of_declaration = text.count("\n", 0, text.index(declaration)) + 1
    assert (matching[0].source or {}).get("lineno") == line_of_declaration


def test_unclearable_residual_names_entity_and_amount() -> None:
    books = load_text(HEADER + """
2025-01-01 open Expenses:Okand:6990-Övrigt SEK
2025-02-03 * "Fel" "Konto utan enhet"
  Expenses:Okand:6990-Övrigt  100.00 SEK
  Assets:Kafe:1930-Företagskonto
""")
    balance_errors = messages(books, BalanceError)
    assert any("100.00 SEK" in m and "no declared entity" in m for m in balance_errors), \
        [e.message for e in books.errors]


def test_orgnr_is_normalised() -> None:
    assert validate_orgnr("7696000012") == "769600-0012"
    with pytest.raises(ValueError, match="not a valid Swedish organisation number"):
        validate_orgnr("769600-0013")


def test_payment_between_two_members_clears_both_ways(load_doc: Books) -> None:
    """
    option "operating_currency" "SEK"
    plugin "coopledger.plugins.entities"
    2025-01-01 custom "coop-entity" "Kafe"
      name: "Kafé Linnéa"
      kind: "member"
    2025-01-01 custom "coop-entity" "Snickeri"
      name: "Snickarglädjen"
      kind: "member"
    2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
    2025-01-01 open Income:Snickeri:3001-Försäljning-25 SEK
    2025-01-01 open Liabilities:Snickeri:2611-Utgående-moms-25 SEK
    2025-01-01 open Expenses:Kafe:5410-Förbrukningsinventarier SEK
    2025-03-01 * "Snickarglädjen" "Nya hyllor till kaféet, betalt direkt"
      Expenses:Kafe:5410-Förbrukningsinventarier   1250.00 SEK
      Assets:Kafe:1930-Företagskonto              -1250.00 SEK
    2025-03-02 * "Snickarglädjen" "Hyllor, fakturerade kaféet på avräkning"
      Income:Snickeri:3001-Försäljning-25         -1000.00 SEK
      Liabilities:Snickeri:2611-Utgående-moms-25   -250.00 SEK
      Expenses:Kafe:5410-Förbrukningsinventarier   1250.00 SEK
    """
    assert load_doc.errors == []
    first, second = load_doc.transactions
    assert len(first.postings) == 2
    cleared = {p.account: number(p) for p in second.postings[3:]}
    assert cleared == {"Assets:Snickeri:1660-Avräkning-Kafe": Decimal("1250.00"),
                       "Assets:Kafe:1660-Avräkning-Snickeri": Decimal("-1250.00")}
