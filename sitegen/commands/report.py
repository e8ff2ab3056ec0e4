"""How findings are shown: text lines for people, one JSON document for CI."""

from __future__ import annotations

import json

from sitegen.checks.pipeline import Loaded

SUMMARY_LABELS = (
    ("units", "个单位"),
    ("years", "个年度公开表"),
    ("projects", "个项目"),
    ("indicators", "个指标"),
    ("errors", "个错误"),
    ("warnings", "个警告"),
)


def text_report(loaded: Loaded) -> str:
    lines = [finding.format() for finding in loaded.findings.sorted()]
    lines.append(summary_line(loaded))
    return "\n".join(lines)


def summary_line(loaded: Loaded) -> str:
    counts = loaded.summary()
    parts = [f"{counts[key]} {label}" for key, label in SUMMARY_LABELS]
    english = ", ".join(f"{counts[key]} {key}" for key, _ in SUMMARY_LABELS)
    return f"检查完成：{'，'.join(parts)}（{english}）"


def json_report(loaded: Loaded) -> str:
    document = {
        "counts": loaded.summary(),
        "ok": loaded.ok,
        "findings": [finding.as_dict() for finding in loaded.findings.sorted()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
