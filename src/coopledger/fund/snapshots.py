"""Loan snapshots computed from the full history, for the year-end close.

The close writes one ``coop-loan-opening`` declaration per loan that started before the
cut (:mod:`coopledger.fund.opening` describes them and their text); this module computes
their fields by replaying each loan's history with the state engine
(:func:`coopledger.fund.state.snapshot_replay`). Kept apart from the declaration so that
the loan book (which reads the declarations) does not depend on the engine that reads
the loan book.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from coopledger.fund.ledger import LoanRecord
from coopledger.fund.opening import render_dated
from coopledger.fund.state import snapshot_replay


def snapshot_fields(record: LoanRecord, cut: datetime.date) -> dict[str, str]:
    """The snapshot of a loan for daily books starting on ``cut``, from its full history.

    Args:
        record: The loan, with its whole history (full books).
        cut: The first day of the open year.

    Returns:
        Field name (hyphenated) to its text, in a fixed order.
    """
    anchor, run, dues, rescheduled = snapshot_replay(record, cut)
    fields = {"anchor": anchor.isoformat()}
    values = {"disbursed": run.disbursed, "principal_repaid": run.repaid,
              "written_off": run.written_off, "interest_paid": run.interest_paid,
              "interest_written_off": run.interest_written_off,
              "recovered": run.recovered, "credit": run.credit,
              "interest_accrued": run.accrued, "outstanding_principal": run.balance}
    for key, value in values.items():
        fields[key.replace("_", "-")] = f"{value:f}"
    fields["dues"] = render_dated(dues)
    fields["rescheduled"] = render_dated(rescheduled)
    return fields


def history_snapshots(records: Iterable[LoanRecord],
                      cut: datetime.date) -> dict[str, dict[str, str]]:
    """The snapshot of every loan that started before ``cut``, from the full history."""
    return {r.loan.id: snapshot_fields(r, cut) for r in records if r.loan.date < cut}
