"""Beancount plugins of coopledger, imported as ``coopledger.plugins.<name>``.

Each plugin is a thin adapter over the core: it parses its configuration, calls core
functions and returns ``(entries, errors)``. A ledger enables them with::

    plugin "coopledger.plugins.entities"
"""
