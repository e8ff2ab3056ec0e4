"""A site's own synonyms for the peers (contract 2.1, "Peers": "a site may add synonyms in
layouts/-side data, never by changing the content").

`<site>/layouts/peers/synonyms.yaml` is a list of groups; each group lists 三级 names that the site
counts as one indicator:

    - [培训合格率, 培训考核合格率, 参训人员合格率]
    - [服务对象满意度, 群众满意度]

Every name is normalised as the identity rule normalises it (vocabulary.name_key) first; then each
name of a group stands for the group's first. The 二级 kind still has to be equal: a synonym joins
names, never kinds. A name in two groups is an error (which would it join?), as is anything but a
list of lists of at least two names. The file is data for the site's comparison only: the content
and the shards' pages do not depend on it, so editing it renders again only the pages whose rows
it moves (their digests hold the rows' keys).
"""

from __future__ import annotations

from pathlib import Path

from sitegen.base.errors import SitegenError
from sitegen.base.findings import Findings, Loc, quoted
from sitegen.base.safety import shown_path
from sitegen.checks.review.vocabulary import name_key
from sitegen.content.load import read_yaml
from sitegen.content.nodes import Scalar, Sequence, kind_name

SYNONYMS = "peers/synonyms.yaml"  # inside the site's layouts/ folder


class SynonymsError(SitegenError):
    """The site's synonyms file cannot be used: its first error, one located line."""

    exit_code = 1


class Synonyms:
    """name_key → the name_key of its group's first name (names of no group are absent)."""

    def __init__(self, canonical: dict[str, str] | None = None):
        self.canonical = canonical or {}

    def __bool__(self) -> bool:
        return bool(self.canonical)

    def key(self, identity: str) -> str:
        """An identity (vocabulary.identity: `kind|name_key`) with its name's synonym applied."""
        if not self.canonical:
            return identity
        kind, _, name = identity.rpartition("|")
        joined = self.canonical.get(name)
        return identity if joined is None else f"{kind}|{joined}"

    def digest_part(self) -> str:
        return repr(sorted(self.canonical.items()))


def synonyms_path(site_root: Path) -> Path:
    return site_root / "layouts" / SYNONYMS


def read_synonyms(site_root: Path, findings: Findings) -> Synonyms:
    """The site's synonyms; none when it has no file. Errors go to `findings`, located."""
    path = synonyms_path(site_root)
    if not path.is_file():
        return Synonyms()
    node = read_yaml(path, shown_path(path), findings)
    if node is None:
        return Synonyms()
    if isinstance(node, Scalar) and node.is_null:
        return Synonyms()
    if not isinstance(node, Sequence):
        if getattr(node, "pairs", None) == ():  # an empty file
            return Synonyms()
        findings.error("synonyms", f"同义词文件应是一个列表，每项是一组同义的三级指标名称，如 - [培训合格率, 培训考核合格率]；"
                                   f"这里是{kind_name(node)}", node.loc)
        return Synonyms()
    canonical: dict[str, str] = {}
    group_of: dict[str, int] = {}
    where: dict[str, Loc] = {}
    for number, group in enumerate(node.items):
        keys = group_keys(group, findings)
        for key, loc, text in keys:
            if group_of.get(key, number) != number:
                findings.error("synonyms", f"名称{quoted(text)}已在第 {where[key].line} 行的一组中（规范化后相同）："
                                           "一个名称只能属于一组", loc)
                return Synonyms()
            group_of[key] = number
            where.setdefault(key, loc)
            canonical.setdefault(key, keys[0][0])
    return Synonyms({k: v for k, v in canonical.items() if k != v})


def group_keys(group, findings: Findings) -> list[tuple[str, Loc, str]]:
    """One group's names, normalised, with where and how each is written; [] after an error."""
    if not isinstance(group, Sequence):
        findings.error("synonyms", f"每一组应是名称的列表，如 [培训合格率, 培训考核合格率]；这里是{kind_name(group)}", group.loc)
        return []
    if len(group.items) < 2:
        findings.error("synonyms", f"一组至少要有两个名称（这里有 {len(group.items)} 个）", group.loc)
        return []
    keys = []
    for name in group.items:
        if not isinstance(name, Scalar) or name.is_null or not name_key(name.text):
            findings.error("synonyms", f"名称应是三级指标的名称文字；这里是{kind_name(name)}", name.loc)
            return []
        keys.append((name_key(name.text), name.loc, name.text))
    return keys


def site_synonyms(site_root: Path) -> Synonyms:
    """The build's: the synonyms, or SynonymsError with the file's first error."""
    findings = Findings()
    synonyms = read_synonyms(site_root, findings)
    if findings.errors:
        first = findings.errors[0]
        raise SynonymsError(f"{first.loc}: {first.message}")
    return synonyms
