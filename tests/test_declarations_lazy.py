"""Declaration models build their validators on first use, and answer as if built at once.

Every declaration model defers building its pydantic validator until it first validates
(``defer_build`` on :class:`coopledger.declarations.Declaration`), so importing the
package builds none. Each registered model is compared with a copy of it built eagerly
(the same fields and validators, ``defer_build`` off): the same declarations, and the
same errors for payloads broken in several ways.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from beancount.core import data
from pydantic import ConfigDict, ValidationError

from coopledger.books import load_books
from coopledger.declarations import (
    Declaration,
    describe_validation_error,
    parse_declarations,
    payload_of,
    registry,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example"

#: A fresh interpreter: imports the package (every declaration type registers), then
#: prints which models have a validator built.
SCRIPT = """
import json
import coopledger
from coopledger.declarations import registry
print(json.dumps({"types": len(registry()),
                  "built": sorted(n for n, m in registry().items() if m.__pydantic_complete__)}))
"""


def test_importing_the_package_builds_no_validator() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=False, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["types"] >= 20
    assert seen["built"] == []


def eager(model: type[Declaration]) -> type[Declaration]:
    """The model with its validator built when the class is made (``defer_build`` off)."""
    body = {"model_config": ConfigDict(defer_build=False), "__module__": model.__module__}
    copy = cast("type[Declaration]", types.new_class(f"Eager{model.__name__}", (model,),
                                                     exec_body=lambda ns: ns.update(body)))
    assert copy.__pydantic_complete__
    return copy


def answer(model: type[Declaration], payload: dict[str, Any]) -> tuple[str, Any]:
    """What validating a payload gives: its fields, or its errors as the user reads them."""
    try:
        return "valid", model.model_validate(payload).model_dump()
    except ValidationError as exc:
        errors = [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]
        return describe_validation_error(exc), errors


#: Values a ledger's metadata may hold where a field expects another kind.
WRONG = ("text", Decimal("-1.5"), True, datetime.date(2026, 2, 28))


def broken(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload as written, then broken: an unknown field, each field left out, each
    field given values of the other kinds a ledger's metadata holds."""
    variants = [dict(payload), {**payload, "no_such_field": "1"}]
    for name, given in payload.items():
        if name == "meta":
            continue
        variants.append({key: value for key, value in payload.items() if key != name})
        variants.extend({**payload, name: wrong} for wrong in WRONG
                        if type(wrong) is not type(given))
    variants.append({**payload, "date": datetime.date(1900, 1, 1), "id": ""})
    return variants


def example_declarations() -> list[data.Custom]:
    customs: dict[tuple[str, str, datetime.date], data.Custom] = {}
    for name in ("main.beancount", "daily.beancount"):
        for entry in load_books(EXAMPLE / name).entries:
            if isinstance(entry, data.Custom) and entry.type.startswith("coop-"):
                customs.setdefault((entry.type, str(entry.values[0].value), entry.date), entry)
    return list(customs.values())


def test_the_examples_declare_most_types() -> None:
    declared = {entry.type for entry in example_declarations()}
    assert len(declared) >= len(registry()) - 4


@pytest.mark.parametrize("directive", sorted(registry()))
def test_a_lazy_model_answers_as_an_eager_one(directive: str) -> None:
    model = registry()[directive]
    payloads = [payload_of(e) for e in example_declarations() if e.type == directive]
    if not payloads:  # a type the example books do not declare: its bare minimum
        payloads = [{"id": "x", "date": datetime.date(2026, 1, 1), "meta": {}}]
    built_eagerly = eager(model)
    answers = 0
    for payload in payloads:
        for variant in broken(payload):
            assert answer(model, variant) == answer(built_eagerly, variant), variant
            answers += 1
    assert model.__pydantic_complete__
    assert answers > 3


def test_every_example_declaration_validates_as_before() -> None:
    """The whole ledger's declarations: the lazy models give what eager copies give."""
    customs = example_declarations()
    valid, errors = parse_declarations(customs)
    assert not errors
    eager_models = {directive: eager(model) for directive, model in registry().items()}
    for entry in customs:
        lazy = next(d for d in valid.by_type[entry.type] if d.meta == entry.meta)
        again = eager_models[entry.type].model_validate(payload_of(entry))
        assert again.model_dump() == lazy.model_dump()
