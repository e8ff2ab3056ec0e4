"""HTML renderer: the disclosure site's pages from the model."""

from __future__ import annotations

from sitegen.model import Content
from sitegen.render.templates import environment
from sitegen.render.writer import Writer


def render_html(content: Content, writer: Writer, site_root=None) -> int:
    """Write every page; returns how many were written."""
    env = environment(site_root)
    page = env.get_template("index.html").render(site=content.site, content=content)
    writer.write_text("index.html", page)
    return 1
