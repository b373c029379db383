"""What a bank payment is: a loan repayment, a subsidy, a transfer, a rule, or unknown.

:func:`categorise` takes one payment (a :class:`~coopledger.bank.model.Leg`) on one bank
account and returns the postings that balance it, tried in this order:

1. **Loan repayment**: its OCR reference (or a number in its message) is a loan's OCR
   reference. The fund splits the amount into fees, interest and principal by the
   schedule, and its ``repayment_legs`` give the postings: interest and fees to 8410 in
   the borrower's books and 8250 in the fund's, principal to the loan (2390, mirrored by
   the fund's receivable 1380), all linked ``^<loan id>``. The other side's bank movement
   is booked too, on its declared bank account (else its 1930), so both books move. Money
   above everything owed (an overpayment, or any payment to a loan already repaid) is
   held: on a loan declared ``overpayment: "hold"`` as a credit on the loan accounts,
   otherwise on the OBS account (2999) of both sides, a credit owed back to the member;
   either way the entry is flagged ``!`` and counted as held in the import summary.
2. **Invoice**: money in whose OCR reference (or invoice number in the message) is one
   of the entity's open customer invoices settles it on 1510; money out settles an open
   supplier invoice on 2440 the same way (:mod:`coopledger.invoicing.payments`). A
   payment of more than is open is flagged for review.
3. **Wage subsidy**: money in whose message names the decision number of an open claim
   (a transaction with ``decision`` metadata on a 1689 receivable) settles the claim;
   more than the claim is still open is flagged for review.
4. **Transfer between declared accounts**: the other party's account is a declared bank
   account, so the payment is booked on both; between two entities the books' clearing
   completion settles their clearing accounts (this is how a member's payment of its
   service fee to the umbrella is booked).
5. **Declared rule** (``coop-bank-rule``), then the account the same payee was last
   booked to from this bank account (never a loan account: a payment whose reference
   names no loan, or a loan unknown to the books, is not a repayment).
6. Otherwise the OBS account (2999, suspense), and the transaction is flagged ``!`` for
   the accountant to categorise.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from coopledger.bank.context import BankContext, decision_key, number_of, payee_key
from coopledger.bank.model import Leg, ocr_digits
from coopledger.entities import entity_of
from coopledger.errors import CoopException

#: BAS number of the suspense account uncategorised payments are left on.
PLACEHOLDER_BAS = "2999"
PLACEHOLDER_NAME = "OBS-konto"
#: BAS numbers of the loan accounts only a matched loan repayment may move.
LOAN_BAS = frozenset({"1380", "2390"})
ARBETSFORMEDLINGEN = "arbetsförmedlingen"


def placeholder_account(code: str) -> str:
    """The suspense account (OBS-konto) of an entity, where unknown payments wait."""
    return f"Liabilities:{code}:{PLACEHOLDER_BAS}-{PLACEHOLDER_NAME}"


@dataclass
class Booking:
    """The postings that balance one payment, and what kind of match produced them.

    Attributes:
        postings: The postings other than the statement's own bank posting.
        kind: loan, invoice, subsidy, transfer, rule, payee or open (left for the
            accountant).
        meta: Metadata for the transaction (``ocr``, ``decision``, ``counterpart``).
        links: Links for the transaction (the loan id).
        review: Matched, but the accountant should look (an overpayment).
        held: Money that could not go where the payment says (above what the loan
            owes), held on the OBS account or as a credit on the loan.
    """

    postings: list[data.Posting]
    kind: str
    meta: dict[str, Any] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    review: bool = False
    held: Decimal = Decimal(0)

    @property
    def matched(self) -> bool:
        """Whether the payment found its account (loan, subsidy or transfer)."""
        return self.kind in ("loan", "invoice", "subsidy", "transfer")


def posting(account: str, number: Decimal, currency: str) -> data.Posting:
    """A simple posting with an amount and no cost or price."""
    return data.Posting(account, Amount(number, currency), None, None, None, None)


def categorise(ctx: BankContext, bank: str, leg: Leg, date: datetime.date,
               currency: str) -> Booking:
    """The postings that balance one payment on ``bank``.

    Args:
        ctx: The books as the matching sees them.
        bank: The statement's ledger account.
        leg: The payment (its amount signed from ``bank``'s side).
        date: The booking date.
        currency: The statement currency.

    Returns:
        The booking; its postings sum to ``-leg.amount``.
    """
    code = entity_of(bank) or ""
    for attempt in (_loan, _invoice, _subsidy, _transfer):
        booking = attempt(ctx, bank, leg, date, currency)
        if booking is not None:
            return booking
    text = " ".join(t for t in (leg.payee, leg.message) if t)
    for rule in ctx.rules:
        if rule.entity not in (None, code) or not text or not rule.regex.search(text):
            continue
        target = (ctx.account_with_bas(code, rule.account)
                  if re.fullmatch(r"\d{4}", rule.account) else rule.account)
        return Booking([posting(target, -leg.amount, currency)], "rule")
    if leg.payee:
        seen = ctx.payees.get((bank, payee_key(leg.payee)))
        # A payee who last repaid a loan is not repaying it now unless the OCR says so:
        # money to an unknown or repaid loan waits on the OBS account instead.
        if seen is not None and ctx.opened.get(seen) not in LOAN_BAS:
            return Booking([posting(seen, -leg.amount, currency)], "payee")
    return Booking([posting(placeholder_account(code), -leg.amount, currency)], "open")


def _candidates(leg: Leg) -> list[str]:
    found = [leg.ocr] if leg.ocr else []
    found += re.findall(r"\d{4,25}", (leg.message or "").replace(" ", ""))
    return list(dict.fromkeys(c for c in (ocr_digits(x) for x in found) if c))


def _bank_of(ctx: BankContext, code: str) -> str:
    """An entity's bank account: its first declared one, else its BAS 1930 account."""
    return ctx.accounts.of_entity(code) or ctx.account_with_bas(code, "1930")


def _loan(ctx: BankContext, bank: str, leg: Leg, date: datetime.date,
          currency: str) -> Booking | None:
    if (ctx.loan_by_ocr is None or ctx.split_repayment is None
            or ctx.repayment_legs is None or leg.amount == 0):
        return None
    loan = next((found for found in map(ctx.loan_by_ocr, _candidates(leg)) if found), None)
    if loan is None:
        return None
    loan_id, lender, borrower = str(loan.id), str(loan.lender), str(loan.borrower)
    paid = abs(leg.amount)
    try:
        parts = ctx.split_repayment(loan_id, date, paid)
    except CoopException:
        return None
    zero = Decimal(0)
    fees, interest = parts.get("fees", zero), parts.get("interest", zero)
    overpaid = parts.get("overpayment", zero)
    principal = parts.get("principal", zero) + overpaid
    if fees + interest + principal != paid:
        return None
    on_obs = overpaid > 0 and str(getattr(loan, "overpayment", "")) != "hold"
    if on_obs:  # the books refuse it on the loan: it is held on the OBS accounts instead
        parts = {**parts, "overpayment": zero}
    # The fund's own legs: interest and fees to 8250/8410, principal (and an overpayment)
    # to 1380/2390; split here into the lender's side and the borrower's.
    legs = ctx.repayment_legs(loan_id, parts)
    if on_obs:  # the lender owes it back; the borrower has it to come
        legs += [(placeholder_account(lender), -overpaid),
                 (placeholder_account(borrower), overpaid)]
    lender_side = [posting(a, n, currency) for a, n in legs if entity_of(a) == lender]
    borrower_side = [posting(a, n, currency) for a, n in legs if entity_of(a) != lender]
    meta: dict[str, Any] = {"loan": loan_id}
    if overpaid:
        meta["overpayment"] = str(overpaid)
    postings = []
    own = entity_of(bank)
    # Both books move: the loan is mirrored, so the other side is booked as well, on its
    # declared bank account (else its 1930), and its own statement will not book it again.
    if leg.amount < 0:  # the statement holder paid: the lender receives
        postings += borrower_side
        if own != lender:
            other_bank = _bank_of(ctx, lender)
            postings += [posting(other_bank, paid, currency), *lender_side]
            meta["counterpart"] = other_bank
    else:  # the statement holder (the lender) received from the borrower
        postings += lender_side
        if own != borrower:
            other_bank = _bank_of(ctx, borrower)
            postings += [posting(other_bank, -paid, currency), *borrower_side]
            meta["counterpart"] = other_bank
    postings = [p for p in postings if number_of(p) != 0]
    moves_loan = fees + interest + principal - (overpaid if on_obs else zero) > 0
    # A payment held whole on the OBS accounts does not move the loan: no link to it.
    links = ({loan_id} if moves_loan and re.fullmatch(r"[A-Za-z0-9\-_/.]+", loan_id)
             else set())
    return Booking(postings, "loan", meta, links, review=overpaid > 0,
                   held=overpaid)


def _invoice(ctx: BankContext, bank: str, leg: Leg, date: datetime.date,
             currency: str) -> Booking | None:
    if ctx.invoices is None or leg.amount == 0:
        return None
    from coopledger.invoicing.payments import find_invoice, settle

    found = find_invoice(ctx.invoices, entity_of(bank) or "", leg.amount, leg.ocr,
                         leg.message)
    if found is None:
        return None
    over = settle(found, leg.amount)
    postings = [data.Posting(found.account, Amount(-leg.amount, currency), None, None, None,
                             {"invoice": found.number})]
    return Booking(postings, "invoice", {"invoice": found.number}, {found.link}, review=over)


def _subsidy(ctx: BankContext, bank: str, leg: Leg, date: datetime.date,
             currency: str) -> Booking | None:
    if leg.amount <= 0 or not ctx.claims:
        return None
    text = " ".join(t for t in (leg.message, leg.ocr) if t)
    tokens = {decision_key(t) for t in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-/]*", text)}
    hits = [ctx.claims[t] for t in sorted(tokens) if t in ctx.claims]
    hits = [c for c in hits if c.open_amount > 0]
    payer = (leg.payee or "").casefold()
    if not hits or (payer and ARBETSFORMEDLINGEN not in payer):
        return None
    if len(hits) > 1 and sum(c.open_amount for c in hits) != leg.amount:
        return None
    postings = []
    review = False
    if len(hits) == 1:
        claim = hits[0]
        postings.append(posting(claim.account, -leg.amount, currency))
        review = leg.amount > claim.open_amount  # more than claimed: look at it
        claim.open_amount -= leg.amount
    else:
        for claim in hits:
            postings.append(posting(claim.account, -claim.open_amount, currency))
            claim.open_amount = Decimal(0)
    return Booking(postings, "subsidy", {"decision": ", ".join(c.decision for c in hits)},
                   review=review)


def _transfer(ctx: BankContext, bank: str, leg: Leg, date: datetime.date,
              currency: str) -> Booking | None:
    if not leg.counterparty:
        return None
    other = ctx.accounts.find([leg.counterparty])
    if other is None or other == bank:
        return None
    return Booking([posting(other, -leg.amount, currency)], "transfer",
                   {"counterpart": other})
