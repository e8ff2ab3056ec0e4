"""Located YAML nodes: what the loader hands to the model.

PyYAML's composer gives nodes with marks; we copy them into three small
classes so that later stages never touch PyYAML, every value keeps its
position, and the raw text of a scalar survives (`65.00` stays `65.00`,
`057001` stays `057001`, never a float or an octal number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from sitegen.base.findings import Loc, quoted

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"


# Slotted dataclasses, not frozen ones: the loader makes one per YAML value, and a frozen
# dataclass's __init__ (object.__setattr__ per field) costs several times a plain one.
# Nothing assigns to them after. Compared by identity, as the nodes of a file are.


@dataclass(slots=True, eq=False)
class Scalar:
    text: str  # the scalar exactly as written, less quotes and escapes
    tag: str  # the YAML 1.1 tag PyYAML resolved (null, bool, int, float, str ...)
    loc: Loc

    @property
    def is_null(self) -> bool:
        return self.tag == NULL_TAG

    def describe(self) -> str:
        return quoted(self.text) if self.text else "空值"


@dataclass(slots=True, eq=False)
class Mapping:
    pairs: tuple[tuple[Scalar, "Node"], ...]
    loc: Loc

    def describe(self) -> str:
        return "映射（键值对）"


@dataclass(slots=True, eq=False)
class Sequence:
    items: tuple["Node", ...]
    loc: Loc

    def describe(self) -> str:
        return "列表"


Node = Union[Scalar, Mapping, Sequence]


def kind_name(node: Node) -> str:
    """Chinese name of what a node is, for type errors."""
    if isinstance(node, Scalar):
        return "空值" if node.is_null else f"文字{node.describe()}"
    return node.describe()
