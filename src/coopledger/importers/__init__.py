"""beangulp importers of coopledger, imported as ``coopledger.importers.<name>``."""
