"""Model records → YAML files: the loader's mirror.

Keys are written in the order of the model's specs, only when they carry
a value; figures exactly as they are held (`65.00`), text quoted only
where YAML would read it as something else (`"057001"`, `"%"`, `"≥"`),
indicators one flow mapping a line as in the example content. Each file
starts with a comment naming the source: file, sheet or page, rows.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import yaml

from sitegen.content.fields import Target
from sitegen.model import DISCLOSURE, INDICATOR, PROJECT, Indicator, Project

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, PyYAML's resolver
PLAIN_START = re.compile(r"^[\w\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》（）【】·…—]", re.UNICODE)
FLOW_UNSAFE = set(",[]{}#&*!|>'\"%@`")
BLOCK_UNSAFE = set("#&*!|>'\"%@`")


# What YAML cannot carry as it is: control characters (but tab), DEL and the C1 range, the
# characters YAML 1.1 reads as line breaks (U+0085, U+2028, U+2029), the byte-order mark,
# surrogates and the two non-characters. In a double-quoted scalar they are written as escapes.
RAW_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quoted(text: str) -> str:
    """A double-quoted YAML scalar: `"` and `\\` escaped, and every character of RAW_UNSAFE as
    `\\uXXXX`, so that the file holds printable text only and reads back as the same string."""
    return '"' + re.sub(r'[\\"]|' + RAW_UNSAFE.pattern, escape, text) + '"'


def escape(match: re.Match) -> str:
    ch = match.group(0)
    return ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def scalar(value, flow: bool = False) -> str:
    """One value as YAML text that the loader reads back as the same text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Target):
        return target_text(value)
    text = str(value)
    if text == "" or RAW_UNSAFE.search(text) or "\t" in text or text != text.strip():
        return quoted(text)
    unsafe = FLOW_UNSAFE if flow else BLOCK_UNSAFE
    plain = (PLAIN_START.match(text) and not any(ch in unsafe for ch in text) and ": " not in text
             and " #" not in text and not text.endswith(":") and resolves_to_text(text))
    return text if plain else quoted(text)


def target_text(target: Target) -> str:
    """A number as written (`70`, `46.1`); text as text, never read as a number by YAML."""
    return target.text if target.is_numeric else scalar(target.text, flow=True)


@functools.lru_cache(maxsize=4096)  # the same level names and units come on every row
def resolves_to_text(text: str) -> bool:
    """A plain scalar YAML keeps as a string (not 1.0, true, null, 2024-01-01, 057001)."""
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return False
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def block(key: str, value: str, indent: str = "") -> list[str]:
    """A key with Markdown or multi-line text: a literal block keeps the line breaks."""
    # `|` keeps one final line break and `|-` none; text ending in more (or starting with a space or
    # an empty line) is written quoted, so that it loads back exactly as it was.
    simple = not value.startswith((" ", "\n")) and not value.endswith("\n\n")
    lines = value.split("\n")
    if lines[-1] == "":
        lines.pop()
    if ("\n" in value.rstrip("\n") and simple and not RAW_UNSAFE.search(value.replace("\n", ""))
            and all(line == line.rstrip() for line in lines)):
        chomp = "|" if value.endswith("\n") else "|-"
        return [f"{indent}{key}: {chomp}"] + [f"{indent}  {line}" if line else "" for line in lines]
    return [f"{indent}{key}: {scalar(value)}"]


def comment(lines: list[str]) -> list[str]:
    """`# ` lines; a line break or control character in a file or sheet name is shown escaped
    (a raw one would end the comment and start a key)."""
    return [f"# {RAW_UNSAFE.sub(escape, line)}" for line in lines]


# ---------------------------------------------------------------- files


def agency_yaml(source: list[str], code: str, name: str, region: str, department: tuple[str, str] | None,
                layout: str | None) -> str:
    lines = comment(source) + [f"code: {quoted(code)}", f"name: {scalar(name)}", f"region: {scalar(region)}"]
    if department:
        lines += ["department:", f"  code: {quoted(department[0])}", f"  name: {scalar(department[1])}"]
    if layout:
        lines.append(f"pdf_layout: {layout}")
    return "\n".join(lines) + "\n"


def disclosure_yaml(source: list[str], values: dict) -> str:
    lines = comment(source)
    for key in DISCLOSURE.keys:
        value = values.get(key)
        if value in (None, ""):
            continue
        lines += block(key, value) if isinstance(value, str) else [f"{key}: {scalar(value)}"]
    return "\n".join(lines) + "\n"


def indicator_line(indicator: Indicator) -> str:
    values = indicator_values(indicator)
    parts = [f"{key}: {scalar(values[key], flow=True)}" for key in INDICATOR.keys if key in values]
    return "{" + ", ".join(parts) + "}"


def indicator_values(i: Indicator) -> dict:
    derived_kind = "定量" if i.target is not None and i.target.is_numeric else "定性"
    values = {
        "level1": i.level1, "level2": i.level2, "name": i.name, "op": i.op, "target": i.target, "unit": i.unit,
        "direction": i.direction, "kind": i.kind if i.kind != derived_kind else None, "score": i.score,
        "explanation": i.explanation, "scoring": i.scoring, "basis": i.basis, "last_actual": i.last_actual,
        "remark": i.remark, "actual": i.actual, "earned": i.earned, "deviation": i.deviation,
    }  # fmt: skip
    # The levels and the name are required keys: a table that leaves a level cell empty (or has no
    # level column at all) keeps it as an empty text, which the loader accepts and the checks report.
    return {k: v for k, v in values.items() if v not in (None, "") or k in REQUIRED_INDICATOR_KEYS}


REQUIRED_INDICATOR_KEYS = ("level1", "level2", "name")


def project_yaml(source: list[str], project: Project) -> str:
    lines = comment(source)
    p = project
    simple = {"name": p.name, "code": p.code, "category": p.category, "budget": p.budget, "order": p.order,
              "attribute": p.attribute, "period": p.period, "implementer": p.implementer, "parent": p.parent,
              "total_investment": p.total_investment}
    for key in PROJECT.keys:
        if key in simple and simple[key] not in (None, ""):
            lines.append(f"{key}: {scalar(simple[key])}")
        elif key == "funding" and p.funding:
            lines += ["funding:"] + [f"  - {{source: {scalar(f.source, True)}, amount: {scalar(f.amount)}}}" for f in p.funding]
        elif key == "goals":
            lines += goals_lines("goals", p.goals)
        elif key in ("description", "notes", "basis") and getattr(p, key):
            lines += block(key, getattr(p, key))
        elif key == "indicators":
            lines += ["indicators:"] + [f"  - {indicator_line(i)}" for i in p.indicators] if p.indicators else ["indicators: []"]
        elif key == "costs" and p.costs:
            lines += ["costs:"] + [cost_line(c) for c in p.costs]
        elif key == "facts" and p.facts:
            lines += ["facts:"] + [f"  {scalar(label)}: {scalar(text)}" for label, text in p.facts]
        elif key == "midterm" and p.midterm:
            lines += midterm_lines(p.midterm)
        elif key == "evaluation" and p.evaluation:
            lines += evaluation_lines(p.evaluation)
    return "\n".join(lines) + "\n"


def goals_lines(key: str, goals: list[str], indent: str = "") -> list[str]:
    if len(goals) == 1:
        return block(key, goals[0], indent)
    if not goals:
        return [f'{indent}{key}: ""']
    return [f"{indent}{key}:"] + [f"{indent}  - {scalar(goal)}" for goal in goals]


def cost_line(cost) -> str:
    parts = [f"item: {scalar(cost.item, True)}"]
    if cost.amount is not None:
        parts.append(f"amount: {scalar(cost.amount)}")
    if cost.basis:
        parts.append(f"basis: {scalar(cost.basis, True)}")
    return "  - {" + ", ".join(parts) + "}"


def midterm_lines(midterm) -> list[str]:
    lines = ["midterm:"]
    if midterm.period:
        lines.append(f"  period: {scalar(midterm.period)}")
    if midterm.budget is not None:
        lines.append(f"  budget: {scalar(midterm.budget)}")
    if midterm.goals:
        lines += goals_lines("goals", midterm.goals, "  ")
    if midterm.indicators:
        lines += ["  indicators:"] + [f"    - {indicator_line(i)}" for i in midterm.indicators]
    return lines


def flow(pairs: list[tuple[str, object]]) -> str:
    """`{initial: 65.66, adjusted: 65.66}`: the keys that carry a value, in order."""
    return "{" + ", ".join(f"{key}: {scalar(value, True)}" for key, value in pairs if value not in (None, "")) + "}"


def evaluation_lines(e, indent: str = "") -> list[str]:
    """`evaluation:` of a project or overall.yaml, keys in the spec's order."""
    lines = [f"{indent}evaluation:"]
    inner = indent + "  "
    if e.published:
        lines.append(f"{inner}published: {e.published.isoformat()}")
    lines.append(f"{inner}budget: {flow([('initial', e.initial), ('adjusted', e.adjusted), ('spent', e.spent)])}")
    if e.funding:
        lines += [f"{inner}funding:"] + [
            f"{inner}  - {flow([('source', f.source), ('initial', f.initial), ('adjusted', f.adjusted), ('spent', f.spent)])}"
            for f in e.funding]
    if e.execution_weight is not None or e.execution_earned is not None:
        lines.append(f"{inner}execution: {flow([('weight', e.execution_weight), ('earned', e.execution_earned)])}")
    if e.outcome:
        lines += goals_lines("outcome", e.outcome, inner)
    for key in ("process", "conclusion", "problems", "improvements"):
        if getattr(e, key):
            lines += block(key, getattr(e, key), inner)
    if e.stated_total is not None:
        lines.append(f"{inner}stated_total: {scalar(e.stated_total)}")
    return lines


def overall_yaml(source: list[str], o) -> str:
    """overall.yaml, keys in the spec's order."""
    lines = comment(source)
    if o.title:
        lines.append(f"title: {scalar(o.title)}")
    if o.published:
        lines.append(f"published: {o.published.isoformat()}")
    if o.has_funds:
        lines.append(f"funds: {flow([('total', o.total), ('basic', o.basic), ('project', o.project)])}")
    if o.sources:
        lines += ["sources:"] + [f"  - {flow([('source', f.source), ('amount', f.amount)])}" for f in o.sources]
    if o.duties:
        lines += block("duties", o.duties)
    if o.goals:
        lines += goals_lines("goals", o.goals)
    if o.midterm:
        lines += midterm_lines(o.midterm)
    if o.tasks:
        lines += ["tasks:"] + [f"  - {flow([('duty', t.duty), ('task', t.task), ('project', t.project), ('amount', t.amount)])}"
                               for t in o.tasks]
    lines += ["indicators:"] + [f"  - {indicator_line(i)}" for i in o.indicators] if o.indicators else ["indicators: []"]
    if o.evaluation:
        lines += evaluation_lines(o.evaluation)
    if o.notes:
        lines += block("notes", o.notes)
    return "\n".join(lines) + "\n"


def site_yaml() -> str:
    return ("# 由 sitegen import 新建：请改成本站的标题和网址\n"
            "title: 预算绩效目标公开\nbase_url: http://localhost/\n")
