"""Writing one site-wide page from the index (peers.py, indicators.py): the values every layout
expects (site, canonical, links relative to the page), one page at a time.

These pages depend on every shard's rows, so any edit would render them all again. Each page's
digest (of its values, its layout's inputs and sitegen) is kept in the site itself (REUSE, a hidden
file swapped in with the pages it describes): a page whose digest the site being replaced already
has is hard-linked from there instead of rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

from sitegen.base.resources import code_digest, tree_digest
from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.templates import environment, render_layout
from sitegen.render.writer import Writer, located, store_text

REUSE = ".sitegen-pages-{name}"  # in the site (JSON): page path → digest of what made it; not a download


class PageWriter:
    def __init__(self, content: Content, writer: Writer, context: Context, name: str):
        self.writer = writer
        self.env = environment(context.site_root)
        self.site = content.site
        facts = context.facts
        self.common = {"site": content.site, "content": content, "base_path": urlparse(content.site.base_url).path or "/",
                       "has_results": bool(facts and facts.has_results)}
        self.count = self.reused = 0
        self.name = name
        self.previous = context.previous
        self.known = read_digests(context.previous, name)
        self.digests: dict[str, str] = {}
        # Everything a page is made of besides its values: sitegen, the site's layouts, the nav.
        self.base = hashlib.sha256(repr((
            code_digest(), tree_digest(context.site_root / "layouts"), content.site, [(p.id, p.title) for p in content.pages],
            self.common["has_results"],
        )).encode("utf-8")).hexdigest()

    def page(self, path: str, template: str, **values) -> bool:
        """`template` rendered for site path `path` (ending in / for an index.html), written now, or
        linked from the previous site when that has this page made of the same: True then."""
        relative = (path + "index.html" if path.endswith("/") else path).lstrip("/")
        digest = hashlib.sha256(f"{self.base}\0{path}\0{template}\0{values!r}".encode("utf-8")).hexdigest()
        self.digests[relative] = digest
        self.count += 1
        if self.known.get(relative) == digest and self.link_previous(relative):
            self.reused += 1
            return True
        target = self.writer.claim(relative)
        canonical = self.site.base_url + path.lstrip("/")
        store_text(target, render_layout(self.env, template, {**self.common, "page_url": path, "canonical": canonical, **values}))
        return False

    def has_previous(self, relative: str) -> bool:
        return self.previous is not None and (self.previous / relative).is_file()

    def link_previous(self, relative: str) -> bool:
        """`relative` hard-linked (or copied) from the site being replaced; False when it has none."""
        same = self.previous / relative if self.previous is not None else None
        if same is None or not same.is_file():
            return False
        target = self.writer.claim(relative)
        with located(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(same, target)
            except OSError:  # no hard links here: a copy
                shutil.copyfile(same, target)
        return True

    def text(self, path: str, text: str) -> None:
        store_text(self.writer.claim(path), text)

    def finish(self) -> None:
        """The digests of this build's pages, for the next one."""
        self.writer.write_text(REUSE.format(name=self.name), json.dumps(self.digests, sort_keys=True, indent=0) + "\n")


def read_digests(previous: Path | None, name: str) -> dict[str, str]:
    if previous is None:
        return {}
    try:
        return json.loads((previous / REUSE.format(name=name)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
