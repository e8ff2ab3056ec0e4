"""Located YAML nodes: what the loader hands to the model.

PyYAML's composer gives nodes with marks; we copy them into three small
classes so that later stages never touch PyYAML, every value keeps its
position, and the raw text of a scalar survives (`65.00` stays `65.00`,
`057001` stays `057001`, never a float or an octal number).
"""

from __future__ import annotations

from typing import Union

from sitegen.base.findings import Loc, quoted

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"


# Plain classes with __slots__ rather than frozen dataclasses: the loader makes
# one per YAML value (1.8 million for 10,000 projects) and a frozen dataclass's
# __init__ costs two and a half times as much. Nothing assigns to them after.


class Scalar:
    __slots__ = ("text", "tag", "loc")

    def __init__(self, text: str, tag: str, loc: Loc):
        self.text = text  # the scalar exactly as written, less quotes and escapes
        self.tag = tag  # the YAML 1.1 tag PyYAML resolved (null, bool, int, float, str ...)
        self.loc = loc

    def __repr__(self) -> str:
        return f"Scalar({self.text!r}, {self.tag!r}, {self.loc})"

    @property
    def is_null(self) -> bool:
        return self.tag == NULL_TAG

    def describe(self) -> str:
        return quoted(self.text) if self.text else "空值"


class Mapping:
    __slots__ = ("pairs", "loc")

    def __init__(self, pairs: tuple[tuple[Scalar, "Node"], ...], loc: Loc):
        self.pairs = pairs
        self.loc = loc

    def __repr__(self) -> str:
        return f"Mapping({self.pairs!r}, {self.loc})"

    def describe(self) -> str:
        return "映射（键值对）"


class Sequence:
    __slots__ = ("items", "loc")

    def __init__(self, items: tuple["Node", ...], loc: Loc):
        self.items = items
        self.loc = loc

    def __repr__(self) -> str:
        return f"Sequence({self.items!r}, {self.loc})"

    def describe(self) -> str:
        return "列表"


Node = Union[Scalar, Mapping, Sequence]


def kind_name(node: Node) -> str:
    """Chinese name of what a node is, for type errors."""
    if isinstance(node, Scalar):
        return "空值" if node.is_null else f"文字{node.describe()}"
    return node.describe()
