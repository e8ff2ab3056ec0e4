"""Stage 3, check: warnings about what does not add up.

One module per family of rules, each listing its PROJECT_RULES and
UNIT_YEAR_RULES in the order they run and the WARNING_CODES they report:
- goals.py: the goals table (scores, totals, targets; contract version 1);
- cells.py: the cells of version 2 (costs, last year's result, medium term);
- results.py: the self-evaluation (results against targets, points, money spent);
- overall.py: the department-wide table (funds, tasks, the unit's projects);
- review/: the target-quality review (contract 2.1), each rule switchable per site.
Journalists read these on the data-quality page, so messages state the figures.
"""

from __future__ import annotations

from typing import Iterable

from sitegen.checks import cells, goals, overall, results, review
from sitegen.checks.base import Flag
from sitegen.base.findings import Findings
from sitegen.checks.review.peers import content_peer_flags
from sitegen.checks.review.synonyms import Synonyms
from sitegen.model import Content, Site

FAMILIES = (goals, cells, results, overall, review)
PROJECT_RULES = tuple(rule for family in FAMILIES for rule in family.PROJECT_RULES)
UNIT_YEAR_RULES = tuple(rule for family in FAMILIES for rule in family.UNIT_YEAR_RULES)
# Every code the checks can report, for the docs and the data-quality page.
WARNING_CODES = {code: text for family in FAMILIES for code, text in family.WARNING_CODES.items()}


def check(content: Content, findings: Findings, whole: bool = True, synonyms: Synonyms | None = None) -> None:
    """Append every warning about `content` to `findings`, in a stable order. `whole`: the content
    is the whole site, so the rules that compare units (review/peers.py) run too; a shard of the
    build leaves them to the build, which runs them over every shard's rows. `synonyms`: the site's
    (review/synonyms.py), which those rules compare by."""
    site = content.site
    for unit_year in content.unit_years():
        for rule in UNIT_YEAR_RULES:
            add(findings, rule(unit_year, content), site)
        for project in unit_year.projects:
            for project_rule in PROJECT_RULES:
                add(findings, project_rule(project, content), site)
    if whole:
        add(findings, content_peer_flags(content, synonyms), site)


def add(findings: Findings, warnings: Iterable[Flag], site: Site) -> None:
    """Each flag at the level the site sets for its code (`review` in site.yaml): off, warning or error."""
    for w in warnings:
        level = site.review_level(w.code)
        if level == "off":
            continue
        report = findings.error if level == "error" else findings.warning
        report(w.code, w.message, w.loc, w.path)
