"""Declared categorisation rules for bank payments: a pattern and the account it books to.

::

    2025-01-01 custom "coop-bank-rule" "bankavgifter"
      pattern: "månadsavgift|kontoavgift"
      account: "6570"
      entity: "Kafe"

``pattern`` is a regular expression searched, case-insensitively, in the payee and the
message of a payment. ``account`` is a full account name, or a BAS number that is looked
up in the tree of the entity whose statement is imported. ``entity`` (optional) limits
the rule to one entity's statements. Rules apply in date order; the first that matches
wins.
"""

from __future__ import annotations

import re

from pydantic import field_validator

from coopledger.declarations import Declaration, declaration


@declaration("coop-bank-rule")
class BankRule(Declaration):
    """A pattern in a payment's payee or message and the account it books to.

    Attributes:
        pattern: Regular expression, searched case-insensitively.
        account: A full account name or a four-digit BAS number.
        entity: Only for statements of this entity (optional).
    """

    pattern: str
    account: str
    entity: str | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}", value) and value.count(":") < 2:
            raise ValueError("give a BAS number such as 6570 or a full account name")
        return value
