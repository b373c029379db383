"""Bank statements: the format-independent model, account lookup, matching and dedup.

The importers in ``coopledger.importers`` read camt, BgMax, bank CSV and MT940 files into
the :class:`~coopledger.bank.model.Statement` model; everything after that (which member
and account, what each payment is, whether it is already booked, the balance check) is
done here, once for every format.
"""
