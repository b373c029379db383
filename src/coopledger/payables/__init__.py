"""Supplier invoices and paying them: the payables ledger and the pain.001 payment file.

- :mod:`coopledger.payables.invoices`: a supplier invoice booked on 2440 with its due
  date, OCR and the supplier's account; which of them fall due.
- :mod:`coopledger.payables.pain001`: the ISO 20022 ``pain.001.001.03`` credit-transfer
  file a Swedish bank takes, to bankgiro, plusgiro or IBAN.

The open items themselves come from :mod:`coopledger.invoicing.receivables` (the same
sub-ledger reader over 2440), and the bank's camt.054 debit report settles each invoice
through :mod:`coopledger.invoicing.payments`.
"""
