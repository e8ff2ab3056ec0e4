"""How findings are shown: text lines for people, one JSON document for CI, and the formats CI
systems show beside a change: GitHub workflow annotations, a GitLab Code Quality report, SARIF 2.1.0."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from sitegen.base.findings import ERROR, WARNING, Finding
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


# ---------------------------------------------------------------- the formats of CI (docs/publishing.md)


def github_report(loaded: Loaded) -> str:
    """GitHub Actions workflow commands: each finding an annotation on its file and line (shown on
    the pull request's changed lines), then the summary as a plain line."""
    lines = []
    for finding in loaded.findings.sorted():
        properties = ",".join(f"{key}={github_escape(value, True)}" for key, value in (
            ("file", finding.loc.file), ("line", finding.loc.line), ("col", finding.loc.col), ("title", finding.code)))
        lines.append(f"::{finding.level} {properties}::{github_escape(github_message(finding), False)}")
    lines.append(summary_line(loaded))
    return "\n".join(lines)


def github_message(finding: Finding) -> str:
    where = f"{finding.path}: " if finding.path else ""
    return f"{where}{finding.message}"


def github_escape(value: object, is_property: bool) -> str:
    """The escaping GitHub's runner undoes: %, CR and LF, and in a property also : and ,."""
    text = str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


GITLAB_SEVERITY = {ERROR: "critical", WARNING: "minor"}


def gitlab_report(loaded: Loaded) -> str:
    """A GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues."""
    issues = [{
        "type": "issue",
        "check_name": finding.code,
        "description": github_message(finding),
        "categories": ["Bug Risk" if finding.level == ERROR else "Clarity"],
        "fingerprint": fingerprint(finding),
        "severity": GITLAB_SEVERITY[finding.level],
        "location": {"path": finding.loc.file, "lines": {"begin": finding.loc.line}},
    } for finding in loaded.findings.sorted()]
    return json.dumps(issues, ensure_ascii=False, indent=2)


def fingerprint(finding: Finding) -> str:
    """Stable while lines move: the rule, the file, the YAML path and the message, not the line."""
    key = "\0".join((finding.code, finding.loc.file, finding.path, finding.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def sarif_report(loaded: Loaded) -> str:
    """SARIF 2.1.0 (GitHub code scanning, GitLab, editors): one run, a rule per code that was found."""
    from sitegen import __version__
    from sitegen.checks import WARNING_CODES

    findings = loaded.findings.sorted()
    codes = sorted({f.code for f in findings})
    rules = [{"id": code, "shortDescription": {"text": WARNING_CODES.get(code, code)},
              "defaultConfiguration": {"level": "warning" if code in WARNING_CODES else "error"}} for code in codes]
    results = [{
        "ruleId": finding.code,
        "ruleIndex": codes.index(finding.code),
        "level": finding.level,
        "message": {"text": github_message(finding)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.loc.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.loc.line, "startColumn": finding.loc.col},
        }}],
        "partialFingerprints": {"sitegenFinding/v1": fingerprint(finding)},
    } for finding in findings]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sitegen", "version": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


FORMATS = {"text": text_report, "json": json_report, "github": github_report, "gitlab": gitlab_report,
           "sarif": sarif_report}
