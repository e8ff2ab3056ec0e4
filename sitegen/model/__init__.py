"""The model: typed records built from located nodes, the one source of truth.

- specs.py: the content contract as data (keys, labels, kinds);
- records.py: the records renderers read, with what is computed from them;
- build.py: located nodes → records;
- targets.py: one-cell targets (`≥95%`) and the met / not met rule.
"""

from sitegen.model.build import DEFAULT_SITE, build_content
from sitegen.model.records import (
    MET,
    NOT_JUDGED,
    NOT_MET,
    Agency,
    Content,
    Cost,
    Evaluation,
    EvaluationFunding,
    Funding,
    Indicator,
    Midterm,
    Overall,
    Page,
    Project,
    Site,
    Task,
    UnitYear,
    standard_name,
)
from sitegen.model.specs import (
    AGENCY,
    ALL_SPECS,
    COST,
    DEPARTMENT,
    DISCLOSURE,
    EVALUATION,
    FUNDING,
    INDICATOR,
    LAYOUTS,
    LEVEL1_NAMES,
    LEVEL2_NAMES,
    MIDTERM,
    MONEY_UNITS,
    OP_ALIASES,
    OP_SIGNS,
    OP_WORDS,
    OPS,
    OVERALL,
    PROJECT,
    SITE,
    SPECS,
    TASK,
)
from sitegen.model.targets import Cell, is_met, split_cell

__all__ = [name for name in dir() if not name.startswith("_")]
