"""The target-quality review (contract 2.1, "The target-quality review"): what a finance
department looks for before it approves targets (事前绩效目标审核) and auditors after the year.

Warnings with codes of their own, on by default; a site switches a rule off or raises it to an
error with `review` in site.yaml ({vague-target: off, soft-target: error}; checks/__init__.py
applies it). rules.py: the rules over one project or unit-year, run in every shard; peers.py:
soft-target by peers, which needs every unit and runs over the whole content (`sitegen check`)
or over the rows every shard keeps (the build). Word lists and patterns: vocabulary.yaml.
"""

from __future__ import annotations

from sitegen.checks.review.rules import PROJECT_RULES, UNIT_YEAR_RULES
from sitegen.model.specs import REVIEW_CODES

WARNING_CODES = {
    "vague-target": "目标值模糊：没有数值或分级标准",
    "input-as-goal": "把投入当成产出或效益",
    "missing-dimension": "缺少产出、效益或满意度维度，或指标少于三项",
    "no-cost": "缺少成本指标",
    "satisfaction-as-benefit": "效益指标只有满意度",
    "quality-as-benefit": "把产出质量当成效益",
    "multi-year-as-annual": "年度目标等于多年的总量",
    "soft-target": "目标值低于上年实际或同行最低目标（低目标）",
    "process-only": "只有资金过程比率",
    "full-marks-low-execution": "执行率低却全部满分",
    "always-met-satisfaction": "满意度年年达标却无调查方法",
}
assert tuple(WARNING_CODES) == REVIEW_CODES, "the review's labels and the site.yaml keys must list the same rules"

__all__ = ["PROJECT_RULES", "UNIT_YEAR_RULES", "WARNING_CODES"]
