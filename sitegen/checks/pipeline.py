"""The pipeline's front half, shared by `check`, `build` and `serve`:
load → model → check, with every finding collected in one place."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sitegen.checks import check
from sitegen.checks.review.synonyms import read_synonyms
from sitegen.base.findings import Findings
from sitegen.content.load import load_tree
from sitegen.model import Content
from sitegen.model.build import ContentBuilder


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
            "indicators": sum(len(p.indicators) for p in content.projects()),  # a sharded build's records keep only the count
            "errors": len(self.findings.errors),
            "warnings": len(self.findings.warnings),
        }


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading creates a few hundred thousand small objects that all stay alive; the cyclic
    collector would rescan them over and over (a third of the load time on 10,000 files)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Straight into the oldest generation: otherwise the young collections
        # would each scan all of them once before they got there.
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


@contextmanager
def collector_frozen() -> Iterator[None]:
    """While rendering, the loaded model lives on and never changes: keep the cyclic
    collector from scanning it again and again (unfrozen after, so serve's old
    models are still collected)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def load_content(root: Path, only: frozenset[str] | None = None, shown: str | None = None) -> Loaded:
    """The whole content, or with `only` the units of those folder names (and the site's own files)."""
    findings = Findings()
    # The model's findings come after every file's own, in the order of a whole load then a whole build.
    model_findings = Findings()
    builder = ContentBuilder(model_findings)
    with collector_paused():
        tree = load_tree(root, findings, each_agency=builder.add, only=only, shown=shown)
        content = builder.content(tree)
        findings.items += model_findings.items
        # The whole site is compared across units, as the site compares them (its synonyms too)
        synonyms = read_synonyms(root.resolve().parent, findings) if only is None else None
        check(content, findings, whole=only is None, synonyms=synonyms)
    return Loaded(content, findings)
