"""coopledger's version, written here only: pyproject.toml reads it when the package is built.

A module of its own, importing nothing, so that the load cache's key and the command's
``--version`` have it without reading the installed package's metadata
(``importlib.metadata`` and the email parser it brings cost the command about 0.05 s).
"""

__version__ = "0.1.0"
