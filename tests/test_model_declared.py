"""One declaration per field: the record classes take their data attributes from
model/vocab/fields.yaml (model/declared.py), so a field declared there is read from the YAML,
held by its record, written in the JSON Schema and (with `column`) named in the open data."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from sitegen.base.findings import Findings
from sitegen.content.fields import ColumnInfo, Field, Spec, Text, parse_record
from sitegen.content.load import parse_yaml
from sitegen.model import records
from sitegen.model.build import values_of
from sitegen.model.declared import DECLARED, declared, empty, is_value, type_of
from sitegen.model.keytables import key_table
from sitegen.model.specs import ALL_SPECS, PROJECT, SITE
from sitegen.render.data.columns import declared as column_of

# Specs kept inside another record rather than as a record class of their own.
FLATTENED = {"department": "Agency.department_code, department_name", "evaluation_budget": "Evaluation.initial …",
             "execution": "Evaluation.execution_weight, execution_earned", "funds": "Overall.total, basic, project",
             "review": "Site.review, (code, level) pairs"}
# Nested fields a record holds under another name.
RENAMED = {"source": "provenance", "budget": "adjusted", "execution": "execution_weight", "funds": "total",
           "department": "department_code", "review": "review"}


def test_every_spec_is_a_record_class_or_kept_in_one():
    by_spec = {spec.name for spec in DECLARED.values()}
    for spec in ALL_SPECS:
        assert spec.name in by_spec or spec.name in FLATTENED, spec.name


def test_every_declared_value_is_a_derived_attribute_of_its_record():
    """Type from the kind, default from the declaration (or the kind's empty value), none when
    required; keyword-only, so no construction depends on the order of the declarations."""
    assert {cls.__name__ for cls in DECLARED} >= {"Indicator", "Project", "Agency", "UnitYear", "Overall", "Task",
                                                   "Site", "Cost", "Midterm", "Funding", "Evaluation", "Source"}
    for cls, spec in DECLARED.items():
        attributes = {f.name: f for f in dataclasses.fields(cls)}
        for f in spec.fields:
            if not is_value(f):
                assert f.key in attributes or RENAMED.get(f.key) in attributes, f"{cls.__name__}.{f.key}"
                continue
            attribute = attributes[f.key]
            assert attribute.kw_only and attribute.type == type_of(f.kind), f"{cls.__name__}.{f.key}"
            if f.required is True:
                assert attribute.default is dataclasses.MISSING and attribute.default_factory is dataclasses.MISSING
            else:
                made = attribute.default_factory() if attribute.default is dataclasses.MISSING else attribute.default
                assert made == (f.default if f.default is not None else empty(f.kind)), f"{cls.__name__}.{f.key}"


def test_the_declared_defaults_reach_the_record():
    site = records.Site(title="t", base_url="http://localhost/", loc=None)
    assert (site.language, site.money_unit, site.score_total, site.pdf_layout) == ("zh-CN", "万元", Decimal(90), "flat")
    assert site.license == ("", "") and site.description == ""
    with pytest.raises(TypeError):
        records.Site("t", "http://localhost/")  # keyword only


def test_the_records_many_of_keep_their_slots():
    """Memory at 100,000 projects: an indicator and a project have slots, no __dict__."""
    for cls in (records.Indicator, records.Project):
        assert "__slots__" in cls.__dict__ and "__dict__" not in dir(cls), cls.__name__


def test_a_class_body_cannot_repeat_a_declared_field():
    with pytest.raises(TypeError, match="name"):
        @declared(PROJECT, eq=False)
        class Twice:
            name: str


def test_a_new_declaration_is_read_held_in_the_schema_and_a_column():
    """What a newcomer adds to fields.yaml (here as the Spec specs.py would read from it): the
    same record class, with no other line written, holds it as read from YAML; the schema, the
    docs' key table and its open-data column take it from the declaration."""
    contact = Field("contact", "联系人", Text(), help="Who answers questions about the project.",
                    column=ColumnInfo("contact", "联系人", "As written."), doc="答复问询的人 / who answers questions")
    spec = Spec("project", PROJECT.title, (*PROJECT.fields, contact))

    @declared(spec, eq=False, slots=True)
    class Project:
        id: str

    assert "contact" in Project.__slots__
    schema = spec.json_schema()["properties"]["contact"]
    assert schema["title"] == "联系人" and schema["description"] == contact.help
    findings = Findings()
    node = parse_yaml("name: 培训\nbudget: 12.5\ngoals: 培训 100 人\nindicators: []\ncontact: 王老师\n", "p.yaml", findings)
    parsed = parse_record(node, spec, "", findings)
    assert parsed.ok, findings.sorted()
    project = Project(id="p", **values_of(parsed, spec))
    assert (project.contact, project.name, project.budget) == ("王老师", "培训", Decimal("12.5"))
    column = column_of(contact, lambda p, i, n: p.contact)  # placed in render/data/columns.py COLUMNS
    assert (column.name, column.title, column.description, column.type) == ("contact", "联系人", "As written.", "string")
    assert "| `contact` | 联系人 | 否 no | 答复问询的人 / who answers questions |" in key_table(spec)
    assert Project(id="q", **values_of(parse_record(parse_yaml("name: x\nbudget: 1\ngoals: y\nindicators: []\n", "q.yaml",
                                                               findings), spec, "", findings), spec)).contact == ""


def test_the_site_without_site_yaml_takes_the_declared_defaults():
    from sitegen.model.build import DEFAULT_SITE

    assert DEFAULT_SITE.score_total == SITE.field("score_total").default
    assert DEFAULT_SITE.pdf_layout == SITE.field("pdf_layout").default


# What layouts print in their own words on purpose, by (layout, label): not a declared field's cell.
OWN_WORDS = {("index.html", "绩效指标"), ("partials/summary_box.html", "绩效指标"),  # counts of indicators
             ("indicators.html", "目标质量审核"),  # the review's findings, not site.yaml's review
             ("agency.html", "绩效自评"), ("units.html", "绩效自评"), ("partials/unit_years_table.html", "绩效自评"),
             ("pdf/evaluation.html", "年度总体目标"),  # the 自评表's own wording of the project's goals
             ("pdf/declaration.html", "项目资金"),  # the 申报表's funds, not the evaluation's budget
             ("pdf/per-project.html", "金额")}  # the form's wording of the project's budget


def test_the_layouts_print_declared_labels_through_the_declarations():
    """A header cell, a data-label, an aria-label or a PDF column that names a declared field
    prints {{ labels.<spec>.<key> }}, so changing a label in fields.yaml changes every page and
    PDF: no layout writes a declared cell label itself, but for the listed own words."""
    import re

    from sitegen.base.resources import BUILTIN_LAYOUTS
    from sitegen.model.specs import CELL_LABELS

    declared_labels = {label for fields in CELL_LABELS.values() for label in fields.values()}
    pattern = re.compile(r'(?:>|(?:data|aria)-label="|"label": ")([^<"（{]+)(?:<|"|（)')
    written = []
    for path in sorted(BUILTIN_LAYOUTS.rglob("*.html")):
        name = path.relative_to(BUILTIN_LAYOUTS).as_posix()
        for label in pattern.findall(path.read_text(encoding="utf-8")):
            if label in declared_labels and (name, label) not in OWN_WORDS:
                written.append(f"{name}: {label}")
    assert not written, written


def test_the_labels_global_gives_each_fields_cell_label():
    from sitegen.render.templates import environment

    env = environment()
    text = env.from_string("{{ labels.indicator.actual }}|{{ labels.indicator.scoring }}|{{ labels.cost.amount }}").render()
    assert text == "实际完成值|评(扣)分标准|金额"  # label, and `cell:` where the layouts print other words
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ labels.indicator.actuall }}").render()
