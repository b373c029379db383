"""coopledger: the books of a cooperative umbrella, its members and their fund, on Beancount.

The typed library API::

    import coopledger

    books = coopledger.load_books("ledgers/example/main.beancount")
    for entity in books.entities.values():
        print(entity.code, entity.name, entity.kind)
"""

from __future__ import annotations

# Importing the package registers every declaration type (coopledger.schema) before any
# of its modules can read a ledger: Python runs this file before any of them.
from coopledger import schema  # noqa: F401
from coopledger._version import __version__
from coopledger.books import Books, load_books
from coopledger.entities import Entity, EntityKind
from coopledger.errors import CoopError, CoopException

__all__ = ["Books", "CoopError", "CoopException", "Entity", "EntityKind", "__version__",
           "load_books"]
