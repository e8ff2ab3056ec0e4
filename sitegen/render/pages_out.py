"""Writing one site-wide page from the index (peers.py, indicators.py): the values every layout
expects (site, canonical, links relative to the page), one page at a time.

These pages depend on every shard's rows, so any edit would render them all again. Each page's
digest (of its values, its layout's inputs and sitegen) is kept in the build cache with the
signature of the file the build put there (writer.signature, as the shard cache keeps its files'):
a page whose digest is unchanged, and whose file the site being replaced still has as that build
put it, is hard-linked from there instead of rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from typing import Callable
from urllib.parse import urlparse

from sitegen.base.resources import code_digest, tree_digest
from sitegen.checks.review.synonyms import SYNONYMS
from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.dates import print_date
from sitegen.render.templates import environment, render_layout
from sitegen.render.writer import Writer, located, replace_atomically, same_file, signature, store_text


class PageWriter:
    def __init__(self, content: Content, writer: Writer, context: Context, name: str):
        self.writer = writer
        self.env = environment(context.site_root)
        self.site = content.site
        facts = context.facts
        self.common = {"site": content.site, "content": content, "base_path": urlparse(content.site.base_url).path or "/",
                       "has_results": bool(facts and facts.has_results),
                       "print_date": print_date(content.unit_years(), whole_site=True)}
        self.count = self.reused = 0
        self.previous = context.previous
        self.records = context.cache_dir / "pages" / f"{name}.json"  # page path → [digest, signature]
        self.known = read_records(self.records) if context.previous is not None else {}
        self.digests: dict[str, str] = {}
        # what a page's rows are made of (their units' shard keys) → the digest of those rows: the
        # last build's, and this one's for the next (remembered)
        self.memo_path = context.cache_dir / "pages" / f"{name}-rows.json"
        self.memo = read_records(self.memo_path)
        self.memo_now: dict[str, str] = {}
        # Everything a page is made of besides its values: sitegen, the site's layouts, the nav. Not
        # the site's synonyms: what they change reaches a page through its rows' keys.
        self.base = hashlib.sha256(repr((
            code_digest(), tree_digest(context.site_root / "layouts", leave_out=(SYNONYMS,)), content.site, [(p.id, p.title) for p in content.pages],
            self.common["has_results"], self.common["print_date"],
        )).encode("utf-8")).hexdigest()

    def page(self, path: str, template: str, digest: str | None = None, **values) -> str:
        """`template` rendered for site path `path` (ending in / for an index.html), written now, or
        linked from the previous site when that has this page made of the same. Returns the digest
        of what made it, which the files derived from the same values (twins) are kept under.
        `digest`: what made it, as the caller knows it (made_of), instead of from `values`."""
        relative = page_file(path)
        digest = digest or hashlib.sha256(f"{self.base}\0{path}\0{template}\0{values!r}".encode("utf-8")).hexdigest()
        self.count += 1
        if self.reuse(relative, digest):
            self.reused += 1
            return digest
        canonical = self.site.base_url + path.lstrip("/")
        self.text(relative, render_layout(self.env, template, {**self.common, "page_url": path, "canonical": canonical, **values}),
                  digest)
        return digest

    def remembered(self, made_of: str, digest: Callable[[], str]) -> str:
        """The digest of some rows that `made_of` determines (a digest of their units' shard keys),
        as the last build took it when it had the same, else taken now (`digest()`): the rows are
        read only when a unit they come from changed."""
        known = self.memo.get(made_of)
        found = known if isinstance(known, str) else digest()
        self.memo_now[made_of] = found
        return found

    def made_of(self, path: str, template: str, what: str) -> str:
        """The digest of a page at `path` made with `template` of `what`, a digest of its values
        that the caller can tell without making them (peers.group_digest)."""
        return hashlib.sha256(f"{self.base}\0{path}\0{template}\0{what}".encode("utf-8")).hexdigest()

    def reuse_page(self, path: str, digest: str) -> bool:
        """The page at `path` linked from the site being replaced, when made of the same (`digest`)."""
        if not self.reuse(page_file(path), digest):
            return False
        self.count += 1
        self.reused += 1
        return True

    def reuse(self, relative: str, digest: str) -> bool:
        """`relative` hard-linked (or copied) from the site being replaced, when the last build made it
        of the same (`digest`) and it is still the file that build put there."""
        known = self.known.get(relative)
        same = same_file(self.previous, {relative: known[1]}, relative) if known and known[0] == digest else None
        if same is None:
            return False
        self.digests[relative] = digest
        target = self.writer.claim(relative)
        with located(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(same, target)
            except OSError:  # no hard links here: a copy
                shutil.copyfile(same, target)
        return True

    def text(self, path: str, text: str, digest: str | None = None) -> None:
        """`text` written at `path`; with the digest of what made it, it may be reused next time."""
        relative = path.lstrip("/")
        store_text(self.writer.claim(relative), text)
        if digest is not None:
            self.digests[relative] = digest

    def finish(self) -> None:
        """The digests of this build's pages and where it put them, for the next build."""
        records = {relative: [digest, signature(self.writer.root / relative)] for relative, digest in self.digests.items()}
        self.records.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(self.records, json.dumps(records, sort_keys=True, separators=(",", ":")).encode("ascii"))
        replace_atomically(self.memo_path, json.dumps(self.memo_now, sort_keys=True, separators=(",", ":")).encode("ascii"))


def page_file(path: str) -> str:
    """The file of a site path: /peers/x/ → peers/x/index.html."""
    return (path + "index.html" if path.endswith("/") else path).lstrip("/")


def read_records(path) -> dict[str, list]:
    """The last build's records; none when they cannot be read (every page is rendered)."""
    try:
        records = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return records if isinstance(records, dict) else {}
