"""The content contract (../shared/content-format.md, version 2.1) as data.

Every field is declared once, in vocab/fields.yaml: its key, Chinese label, kind, whether it is
required, its help text, and its open-data column and cell label when it has them. This module
reads that file into one `Spec` per kind of record. The same specs parse located nodes
(fields.parse_record), write the JSON Schemas and the `sitegen new` scaffolds, name the open data's
columns (render/data/columns.py) and label the page and PDF cells (render/cells.py), so none of
them can drift from the declaration. Version 2 and 2.1 only add keys: every version-1 file stays
valid.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from sitegen.content.fields import (
    Choice,
    ColumnInfo,
    Date,
    Field,
    Kind,
    Labelled,
    LanguageTag,
    License,
    Link,
    Number,
    OneOrMany,
    Record,
    Records,
    Spec,
    TargetValue,
    Text,
    TextList,
    Url,
)

DECLARATIONS = Path(__file__).with_name("vocab") / "fields.yaml"
_DATA = yaml.safe_load(DECLARATIONS.read_text(encoding="utf-8"))
VOCABULARIES: dict[str, Any] = _DATA["vocabularies"]

OPS: tuple[str, ...] = tuple(VOCABULARIES["ops"])
OP_ALIASES: dict[str, str] = VOCABULARIES["op_aliases"]
OP_WORDS: dict[str, str] = VOCABULARIES["op_words"]
OP_SIGNS: dict[str, str] = VOCABULARIES["op_signs"]
LAYOUTS: tuple[str, ...] = tuple(VOCABULARIES["layouts"])
MONEY_UNITS: tuple[str, ...] = tuple(VOCABULARIES["money_units"])
LEVEL1_NAMES: tuple[str, ...] = tuple(VOCABULARIES["level1_names"])
LEVEL2_NAMES: tuple[str, ...] = tuple(VOCABULARIES["level2_names"])

# The kinds a declaration names, by the word it uses.
SIMPLE_KINDS = {
    "text": lambda: Text(), "markdown": lambda: Text(markdown=True), "url": Url, "link": Link,
    "language": LanguageTag, "number": lambda: Number(), "amount": lambda: Number(Decimal(0)),
    "target": TargetValue, "date": Date, "textlist": TextList, "labelled": Labelled, "license": License,
}
NESTED_KINDS = {"record": Record, "records": Records, "one-or-many": OneOrMany}


def kind_of(word: str, declared: dict, specs: dict[str, Spec]) -> Kind:
    """The Kind a declaration's `kind` names: `text`, `choice ops`, `records indicator` …"""
    name, _, argument = word.partition(" ")
    if name in SIMPLE_KINDS:
        return SIMPLE_KINDS[name]()
    if name == "choice":
        values = tuple(VOCABULARIES[argument])
        aliases = VOCABULARIES.get(argument.removesuffix("s") + "_aliases")  # op_aliases, review_level_aliases
        return Choice(values, aliases, code=declared.get("code", "type"))
    return NESTED_KINDS[name](specs[argument])


def default_of(kind: Kind, text: Any) -> Any:
    if text is None:
        return None
    return Decimal(str(text)) if isinstance(kind, Number) else text


def field_of(declared: dict, specs: dict[str, Spec]) -> Field:
    kind = kind_of(declared["kind"], declared, specs)
    required = declared.get("required", False)
    column = declared.get("column")
    return Field(
        declared["key"], declared["label"], kind, "warn" if required == "warn" else bool(required),
        declared.get("help", ""), default_of(kind, declared.get("default")),
        ColumnInfo(column["name"], column.get("title", declared["label"]), column.get("description", "")) if column else None,
        declared.get("cell", ""), declared.get("doc", ""),
    )  # fmt: skip


def read_specs() -> dict[str, Spec]:
    specs: dict[str, Spec] = {}
    for name, declared in _DATA["specs"].items():
        specs[name] = Spec(name, declared["title"], tuple(field_of(f, specs) for f in declared["fields"]))
    return specs


ALL = read_specs()
SITE, AGENCY, DEPARTMENT, DISCLOSURE, SOURCE = ALL["site"], ALL["agency"], ALL["department"], ALL["disclosure"], ALL["source"]
REVIEW = ALL["review"]
REVIEW_CODES: tuple[str, ...] = tuple(f.key for f in REVIEW.fields)  # the rules site.yaml `review` may set
REVIEW_LEVELS: tuple[str, ...] = tuple(VOCABULARIES["review_levels"])
FUNDING, INDICATOR, COST, MIDTERM, PROJECT = ALL["funding"], ALL["indicator"], ALL["cost"], ALL["midterm"], ALL["project"]
EVALUATION, EVALUATION_BUDGET, EVALUATION_FUNDING = ALL["evaluation"], ALL["evaluation_budget"], ALL["evaluation_funding"]
EXECUTION, FUNDS, TASK, OVERALL = ALL["execution"], ALL["funds"], ALL["task"], ALL["overall"]

# Every field's page and PDF cell label by spec and key, for the layouts: {{ labels.indicator.actual }}.
CELL_LABELS: dict[str, dict[str, str]] = {name: {f.key: f.cell_label for f in spec.fields} for name, spec in ALL.items()}

# The files an agency writes, by schema name.
SPECS = {spec.name: spec for spec in (SITE, AGENCY, DISCLOSURE, PROJECT, OVERALL)}
# Every spec, for the docs' completeness test.
ALL_SPECS = (SITE, REVIEW, AGENCY, DEPARTMENT, DISCLOSURE, SOURCE, FUNDING, INDICATOR, COST, MIDTERM, PROJECT,
             EVALUATION, EVALUATION_BUDGET, EVALUATION_FUNDING, EXECUTION, FUNDS, TASK, OVERALL)
