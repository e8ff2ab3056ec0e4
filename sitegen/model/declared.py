"""Record classes whose data attributes come from the declarations (vocab/fields.yaml).

`@declared(PROJECT, eq=False, slots=True)` on a class makes it a keyword-only dataclass with one
attribute for every field the spec declares as a value (not a nested record): its type from the
field's kind and its default from the declaration (or the kind's empty value; none when the field
is required). The class body holds only what is not a declared value: nested records, where a
value was written (`loc`, `locs`), what is computed, and the methods. A field added to
fields.yaml is thus an attribute of its record with nothing to write here or in model/build.py.

`flatten` takes a nested record's values up into the class under a prefix: the evaluation's
`budget: {initial, adjusted, spent}` are Evaluation.initial …, its `execution: {weight, earned}`
are Evaluation.execution_weight ….
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from sitegen.content.fields import (
    Choice, Date, Field, Kind, Labelled, License, Number, Record, Records, Spec, Target, TargetValue, Text, TextList,
)

# The spec every declared record class was made from, by class: for the completeness test and
# the docs.
DECLARED: dict[type, Spec] = {}


def empty(kind: Kind) -> Any:
    """What a record holds for a field that was not written: "" for text, [] for a list, () for
    labelled cells, ("", "") for a licence, None for numbers, dates and choices."""
    if isinstance(kind, Text):
        return ""
    if isinstance(kind, TextList):
        return []
    if isinstance(kind, Labelled):
        return ()
    if isinstance(kind, License):
        return ("", "")
    return None


def type_of(kind: Kind) -> Any:
    """The Python type a record holds for a value of this kind."""
    if isinstance(kind, Text):
        return str
    if isinstance(kind, TextList):
        return list[str]
    if isinstance(kind, Labelled):
        return tuple[tuple[str, str], ...]
    if isinstance(kind, License):
        return tuple[str, str]
    single = {Number: Decimal, TargetValue: Target, Date: date, Choice: str}
    return next(t for k, t in single.items() if isinstance(kind, k)) | None


def is_value(f: Field) -> bool:
    """A value the record keeps as parsed, not a record or a list of them."""
    return not isinstance(f.kind, (Record, Records))


def attribute(f: Field, required: bool) -> tuple[Any, dataclasses.Field]:
    """(type, dataclass field) of a declared value."""
    if required:
        return type_of(f.kind), dataclasses.field()
    default = f.default if f.default is not None else empty(f.kind)
    if isinstance(default, list):
        return type_of(f.kind), dataclasses.field(default_factory=list)
    return type_of(f.kind), dataclasses.field(default=default)


def attributes(spec: Spec, flatten: dict[str, str]) -> dict[str, tuple[Any, dataclasses.Field]]:
    """The attributes a spec gives its record, in declared order; a flattened record's values
    where the record is declared, under their prefix."""
    found: dict[str, tuple[Any, dataclasses.Field]] = {}
    for f in spec.fields:
        if is_value(f):
            found[f.key] = attribute(f, f.required is True)
        elif f.key in flatten:
            for inner in f.kind.spec.fields:  # type: ignore[attr-defined]
                found[flatten[f.key] + inner.key] = attribute(inner, f.required is True and inner.required is True)
    return found


def declared(spec: Spec, flatten: dict[str, str] | None = None, **options: Any) -> Callable[[type], type]:
    """A keyword-only dataclass (with `options`: eq, slots, frozen) of the spec's declared values
    and the class body's own attributes, declared ones first."""

    def make(cls: type) -> type:
        own = cls.__dict__.get("__annotations__", {})
        derived = attributes(spec, flatten or {})
        repeated = set(derived) & set(own)
        if repeated:
            raise TypeError(f"{cls.__name__}: {sorted(repeated)} are declared in fields.yaml ({spec.name}); remove them from the class body")
        for name, (_, value) in derived.items():
            setattr(cls, name, value)
        cls.__annotations__ = {**{name: kind for name, (kind, _) in derived.items()}, **own}
        made = dataclasses.dataclass(kw_only=True, **options)(cls)
        DECLARED[made] = spec
        return made

    return make
