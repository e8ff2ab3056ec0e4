"""sitegen: budget performance goals (预算绩效目标) from YAML to a site, PDFs and open data."""

__version__ = "0.1.0"
