"""What changed in a project since the previous budget year of the same unit.

A project is the same project when its id (file name) is the same in two
consecutive years of one unit. Indicators are matched by 一级/二级/三级 name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sitegen.model import Content, Indicator, Project


@dataclass(frozen=True)
class TargetChange:
    before: Indicator
    after: Indicator


@dataclass(frozen=True)
class Changes:
    previous: Project
    budget_change: Decimal
    added: list[Indicator]
    removed: list[Indicator]
    targets: list[TargetChange]

    @property
    def any(self) -> bool:
        return bool(self.budget_change or self.added or self.removed or self.targets)


def compare(previous: Project, current: Project) -> Changes:
    before = {i.identity: i for i in previous.indicators}
    after = {i.identity: i for i in current.indicators}
    targets = [TargetChange(before[k], i) for k, i in after.items()
               if k in before and before[k].value_text != i.value_text]
    return Changes(
        previous=previous,
        budget_change=current.budget - previous.budget,
        added=[i for k, i in after.items() if k not in before],
        removed=[i for k, i in before.items() if k not in after],
        targets=targets,
    )


def changes_since_last_year(content: Content) -> dict[int, Changes]:
    """id(project) → its changes, for every project that existed the year before."""
    found = {}
    for agency in content.agencies:
        by_year = {uy.year: {p.id: p for p in uy.projects} for uy in agency.years}
        for year, projects in by_year.items():
            for project_id, project in projects.items():
                previous = by_year.get(year - 1, {}).get(project_id)
                if previous:
                    found[id(project)] = compare(previous, project)
    return found
