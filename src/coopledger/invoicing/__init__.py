"""Customer invoices, e-invoices, the receivables ledger and reminders.

- :mod:`coopledger.invoicing.parties`: the ``coop-customer``, ``coop-supplier`` and
  ``coop-invoicing`` declarations, with bankgiro, plusgiro and IBAN checks.
- :mod:`coopledger.invoicing.invoice`: an invoice, its booking on 1510/30xx/26xx, its
  numbers (invoice number, OCR, voucher) and its reading back from the books.
- :mod:`coopledger.invoicing.ubl`: the Peppol BIS Billing 3.0 e-invoice.
- :mod:`coopledger.invoicing.pdf`: the printable invoice and reminder.
- :mod:`coopledger.invoicing.receivables`: open items and their age, equal to 1510.
- :mod:`coopledger.invoicing.payments`: which invoice a bank payment settles.
- :mod:`coopledger.invoicing.reminders`: late-payment interest and reminder fees.

Every function here is a pure function of the books; the ``coopledger invoice``,
``receivables`` and ``remind`` commands write what they return.
"""
