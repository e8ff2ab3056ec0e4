"""The pipeline's front half, shared by `check`, `build` and `serve`:
load → model → check, with every finding collected in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.check import check
from sitegen.findings import Findings
from sitegen.load import load_tree
from sitegen.model import Content, build_content


@dataclass
class Loaded:
    content: Content
    findings: Findings

    @property
    def ok(self) -> bool:
        return not self.findings.errors

    def summary(self) -> dict:
        content = self.content
        return {
            "units": len(content.agencies),
            "years": len(content.unit_years()),
            "projects": len(content.projects()),
            "indicators": len(content.indicators()),
            "errors": len(self.findings.errors),
            "warnings": len(self.findings.warnings),
        }


def load_content(root: Path) -> Loaded:
    findings = Findings()
    tree = load_tree(root, findings)
    content = build_content(tree, findings)
    check(content, findings)
    return Loaded(content, findings)
