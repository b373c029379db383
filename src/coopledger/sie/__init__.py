"""SIE 4: the Swedish interchange format for accounting data.

- :mod:`coopledger.sie.reader`: ``read_sie``/``parse_sie`` read SIE 1, 2, 3, 4E and 4I into
  the typed records of :mod:`coopledger.sie.records`, with every problem at its line.
- :mod:`coopledger.sie.consistency`: do ``#IB`` and the vouchers give ``#UB``/``#RES``?
- :mod:`coopledger.sie.writer`: ``render_sie`` writes 4E or 4I (CP437, CRLF, ``#KSUMMA``).
- :mod:`coopledger.sie.export`: ``export_sie`` turns one entity's fiscal year, or the
  umbrella with its members as dimension-1 objects, into a SIE file.
- :mod:`coopledger.sie.importer`: ``import_sie`` turns a SIE file into Beancount text,
  keeping every record (:mod:`coopledger.sie.keys` says where each lives in the books;
  :mod:`coopledger.sie.kept` reads the kept records back for the export).
- :mod:`coopledger.sie.compare`: ``compare_sie`` lists, record by record, what differs
  between two files (the round trip's test).
"""
