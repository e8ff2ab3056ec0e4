"""HTML renderer: the disclosure site's pages from the model."""

from __future__ import annotations

from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.pdf import project_pdf_path, unit_year_pdf_path
from sitegen.render.templates import environment
from sitegen.render.writer import Writer


def render_html(content: Content, writer: Writer, context: Context) -> int:
    """Write every page; returns how many were written."""
    env = environment(context.content_dir)
    env.globals.update(project_pdf=project_pdf_path, unit_year_pdf=unit_year_pdf_path)
    page = env.get_template("index.html").render(site=content.site, content=content)
    writer.write_text("index.html", page)
    return 1
