"""Which ledger account a bank file belongs to, read from the ledger itself.

A bank account is declared on its ``open`` directive with the identifiers the bank uses
in its files; any of them may be given, and all are compared without spaces and hyphens::

    2025-01-01 open Assets:Kafe:1930-Företagskonto SEK
      bas: "1930"
      iban: "SE45 5000 0000 0583 9825 7466"
      bban: "5000 0583 9825 7466"
      bankgiro: "5050-1055"

So an importer finds the member and the account from the file alone: no separate
configuration file is needed. An ``iban`` must be a valid IBAN (country, length and
check digits, by python-stdnum): a mistyped one would never match a bank's file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from beancount.core import data
from stdnum import iban

from coopledger.bank.model import normalise_account_id
from coopledger.entities import entity_of
from coopledger.errors import CoopException

#: The ``open`` metadata keys that identify a bank account.
ID_KEYS = ("iban", "bban", "bankgiro", "plusgiro")


@dataclass(frozen=True)
class BankAccounts:
    """Normalised bank identifiers to ledger accounts.

    Attributes:
        by_id: Identifier to account.
        by_entity: Entity code to its bank accounts, in ledger order.
    """

    by_id: Mapping[str, str] = field(default_factory=dict)
    by_entity: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> BankAccounts:
        """Build the lookup from identifier -> account pairs (for an ``import.py``)."""
        by_id = {normalise_account_id(key): account for key, account in mapping.items()}
        by_entity: dict[str, list[str]] = {}
        for account in by_id.values():
            code = entity_of(account) or ""
            if account not in by_entity.setdefault(code, []):
                by_entity[code].append(account)
        return cls(by_id, {code: tuple(a) for code, a in by_entity.items()})

    @classmethod
    def from_opens(cls, opens: Iterable[data.Open]) -> BankAccounts:
        """Build the lookup from the ``iban``/``bban``/``bankgiro``/``plusgiro`` metadata.

        Raises:
            CoopException: One identifier is declared on two accounts, or an ``iban``
                is not a valid IBAN.
        """
        by_id: dict[str, str] = {}
        by_entity: dict[str, list[str]] = {}
        for entry in opens:
            for key in ID_KEYS:
                value = entry.meta.get(key)
                if value is None:
                    continue
                ident = normalise_account_id(str(value))
                other = by_id.get(ident)
                where = f"{entry.meta.get('filename')}:{entry.meta.get('lineno')}"
                if key == "iban" and not iban.is_valid(str(value)):
                    raise CoopException(
                        f"{where}: iban {value} on {entry.account} is not a valid IBAN "
                        "(country, length or check digits); copy it from the bank",
                        entry.meta)
                if other is not None and other != entry.account:
                    raise CoopException(
                        f"{where}: {key} {value} is declared on both {other} and "
                        f"{entry.account}; a bank identifier belongs to one account",
                        entry.meta)
                by_id[ident] = entry.account
                code = entity_of(entry.account) or ""
                if entry.account not in by_entity.setdefault(code, []):
                    by_entity[code].append(entry.account)
        return cls(by_id, {code: tuple(a) for code, a in by_entity.items()})

    def find(self, identifiers: Iterable[str]) -> str | None:
        """The ledger account of the first identifier that is declared, if any."""
        for ident in identifiers:
            account = self.by_id.get(normalise_account_id(ident))
            if account is not None:
                return account
        return None

    def of_entity(self, code: str) -> str | None:
        """The entity's first declared bank account (where its payments go), if any."""
        accounts = self.by_entity.get(code)
        return accounts[0] if accounts else None
