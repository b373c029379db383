"""Every declaration type a ledger may hold, imported so that each registers itself.

A declaration type is registered where it is defined, by the
:func:`~coopledger.declarations.declaration` decorator on its model. Reading a ledger
needs all of them known (an unknown ``coop-...`` type is an error), so the package
imports this module first (``coopledger/__init__.py``, which Python runs before any of
its modules, the plugins and the shared index of :mod:`coopledger.loadindex` included):
plain imports of every model by name, which tools follow, not a list of module names.
``tests/test_imports.py`` checks that it names every model the package registers.

Importing a model is cheap: each builds its validator on first use (pydantic's
``defer_build``, set on :class:`~coopledger.declarations.Declaration`), so a command
that reads no declaration (a check served whole by the load cache) builds none.
"""

from __future__ import annotations

from coopledger.bank.rules import BankRule
from coopledger.close.yearseal import Opening
from coopledger.declarations import Declaration
from coopledger.entities import Entity
from coopledger.filings.employees import Contact, Employee
from coopledger.fund.loans import CapitalRule, Loan, LoanRate, LoanReschedule, ProvisionRule
from coopledger.fund.opening import LoanOpening
from coopledger.invoicing.parties import Customer, Seller, Supplier
from coopledger.seals import Seal
from coopledger.services.allocation import AllocationKey
from coopledger.services.fees import FeeRule
from coopledger.services.payroll import VacationPay
from coopledger.services.premises import Premises
from coopledger.services.subsidies import SubsidyDecision
from coopledger.thresholds import Thresholds

#: The declaration models, each registered under its ``coop-...`` directive.
DECLARATION_TYPES: tuple[type[Declaration], ...] = (
    Entity, Loan, LoanRate, LoanReschedule, ProvisionRule, CapitalRule, LoanOpening,
    BankRule, Seal, Opening, FeeRule, Premises, VacationPay, SubsidyDecision, AllocationKey,
    Employee, Contact, Customer, Supplier, Seller, Thresholds,
)
