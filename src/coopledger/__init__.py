"""coopledger: the books of a cooperative umbrella, its members and their fund, on Beancount.

The typed library API::

    import coopledger

    books = coopledger.load_books("ledgers/example/main.beancount")
    for entity in books.entities.values():
        print(entity.code, entity.name, entity.kind)
"""

from __future__ import annotations

from coopledger.books import Books, load_books
from coopledger.entities import Entity, EntityKind
from coopledger.errors import CoopError, CoopException

__all__ = ["Books", "CoopError", "CoopException", "Entity", "EntityKind", "load_books"]
__version__ = "0.1.0"
