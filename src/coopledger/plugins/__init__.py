"""Beancount plugins of coopledger, imported as ``coopledger.plugins.<name>``.

Each plugin is a thin adapter over the core: it calls core functions and returns
``(entries, errors)``. None takes a configuration: a ``plugin`` line that gives one
returns an error and the entries untouched (see :func:`no_configuration`), rather than
ignore it silently. A ledger enables them with::

    plugin "coopledger.plugins.entities"
"""

from __future__ import annotations

from beancount.core import data

from coopledger.errors import CoopError


class ConfigurationError(CoopError):
    """A plugin given a configuration it does not take."""


def no_configuration(plugin: str, config: str | None) -> list[CoopError]:
    """The error for a configuration given to a plugin that takes none.

    Args:
        plugin: The plugin's module name, as the ``plugin`` line names it.
        config: The configuration string from the ``plugin`` line (None: none given).

    Returns:
        One error naming the plugin and the configuration, or none.
    """
    if config is None or not config.strip():
        return []
    return [ConfigurationError(
        data.new_metadata(f"<{plugin}>", 0),
        f'plugin "{plugin}" takes no configuration; remove {config!r} from its plugin line',
        None)]
