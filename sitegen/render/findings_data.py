"""The open data's findings file (issue 23): every warning the site publishes on its data-quality
page, the target-quality review's among them, as /data/findings.csv and /data/findings.json, with a
resource of its own in datapackage.json: the rule, the file, the indicator and the message."""

from __future__ import annotations

import csv
import io
import json
import re

from sitegen.base.findings import Finding
from sitegen.checks import WARNING_CODES
from sitegen.render.data.columns import csv_cell
from sitegen.render.writer import Writer, store_text

NAME = "findings"
COLUMNS = (
    ("rule", "规则代码", "string"), ("rule_title", "规则", "string"), ("level", "级别", "string"),
    ("file", "文件", "string"), ("line", "行", "integer"), ("column", "列", "integer"), ("path", "位置（YAML 路径）", "string"),
    ("indicator", "三级指标", "string"), ("message", "说明", "string"),
)
NAMED = re.compile(r"^(?:中期指标：)?三级指标「(.+?)」")
ROW = re.compile(r"^(?:midterm\.)?indicators\[\d+\]")


def indicator_of(finding: Finding, index) -> str:
    """The indicator a finding is about: from the site's index of rows, else as its message names it."""
    match = ROW.match(finding.path)
    if match and index is not None and not finding.path.startswith("midterm."):
        row = index.db.execute("SELECT name FROM rows WHERE file = ? AND path = ?",
                               (finding.loc.file, f"{match.group(0)}.target")).fetchone()
        if row:
            return row[0]
    named = NAMED.match(finding.message)
    return named.group(1) if named else ""


def records(findings: tuple[Finding, ...], index) -> list[list]:
    return [[f.code, WARNING_CODES.get(f.code, f.code), f.level, f.loc.file, f.loc.line, f.loc.col, f.path,
             indicator_of(f, index), f.message] for f in findings]


def resource() -> dict:
    return {"name": NAME, "path": f"{NAME}.csv", "title": "数据质量与目标质量审核提示", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": {"fields": [{"name": n, "title": t, "type": k} for n, t, k in COLUMNS], "missingValues": [""]}}


def write_findings(writer: Writer, findings: tuple[Finding, ...], index) -> list[str]:
    rows = records(findings, index)
    out = io.StringIO()
    names = [name for name, _, _ in COLUMNS]
    table = csv.writer(out, lineterminator="\r\n")
    table.writerow(names)
    table.writerows([csv_cell(v) for v in row] for row in rows)
    document = {"findings": [dict(zip(names, row)) for row in rows]}
    paths = [f"data/{NAME}.csv", f"data/{NAME}.json"]
    store_text(writer.claim(paths[0]), "\ufeff" + out.getvalue())
    store_text(writer.claim(paths[1]), json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return paths
