"""The board pack's HTML: Jinja2 templates in ``close/templates/``, autoescaped."""

from __future__ import annotations

import functools
from typing import Any

import jinja2


@functools.lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("coopledger.close", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render(name: str, **context: Any) -> str:
    """Render one of the board pack's templates, HTML escaped."""
    return _templates().get_template(name).render(**context)
