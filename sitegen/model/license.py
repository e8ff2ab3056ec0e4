"""The data licence a site names (site.yaml `license`): an SPDX id or {name, url}."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

KNOWN = Path(__file__).with_name("vocab") / "licenses.yaml"


@lru_cache(maxsize=1)
def known() -> dict[str, dict[str, str]]:
    return yaml.safe_load(KNOWN.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class License:
    name: str  # the SPDX id or the name as written
    url: str
    title: str

    def datapackage(self) -> dict:
        """The Data Package's `licenses` entry (v2: name, path, title)."""
        entry = {"name": self.name}
        if self.url:
            entry["path"] = self.url
        if self.title:
            entry["title"] = self.title
        return entry


def license_of(written: tuple[str, str]) -> License | None:
    """The licence a site.yaml names: an SPDX id gets its address and title from the vocabulary."""
    name, url = written
    if not name:
        return None
    entry = known().get(name, {})
    return License(name, url or entry.get("url", ""), entry.get("title", ""))
