"""Writing one site-wide page from the index (peers.py, indicators.py): the values every layout
expects (site, canonical, links relative to the page), one page at a time."""

from __future__ import annotations

from urllib.parse import urlparse

from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.templates import environment, render_layout
from sitegen.render.writer import Writer, store_text


class PageWriter:
    def __init__(self, content: Content, writer: Writer, context: Context):
        self.writer = writer
        self.env = environment(context.site_root)
        self.site = content.site
        facts = context.facts
        self.common = {"site": content.site, "content": content, "base_path": urlparse(content.site.base_url).path or "/",
                       "has_results": bool(facts and facts.has_results)}
        self.count = 0

    def page(self, path: str, template: str, **values) -> None:
        """`template` rendered for site path `path` (ending in / for an index.html), written now."""
        relative = path + "index.html" if path.endswith("/") else path
        target = self.writer.claim(relative)
        canonical = self.site.base_url + path.lstrip("/")
        store_text(target, render_layout(self.env, template, {**self.common, "page_url": path, "canonical": canonical, **values}))
        self.count += 1

    def text(self, path: str, text: str) -> None:
        store_text(self.writer.claim(path), text)
