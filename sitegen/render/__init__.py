"""Stage 4, renderers: each reads the model and writes through one Writer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.base.errors import SitegenError
from sitegen.base.findings import Finding

if TYPE_CHECKING:  # the types only: summary.py imports this package's modules
    from sitegen.render.summary import Facts, SiteSummary


class RenderError(SitegenError):
    """A renderer cannot do its work (a missing font, say); the message is for the user."""

    exit_code = 1


@dataclass(frozen=True)
class Context:
    """What every renderer may know besides the model and the writer."""

    content_dir: Path
    cache_dir: Path
    warnings: tuple[Finding, ...] = ()  # the checks' warnings, published on the data-quality page
    cluster: object | None = None  # the build's own (build/cluster.py); no renderer uses it
    # A sharded build (sitegen/build/shards.py): the facts of the whole site that a unit's pages show,
    # and what the site-wide pages take from all the shards.
    facts: Facts | None = None  # None: taken from the content itself
    summary: SiteSummary | None = None  # for the site-wide renderers
    previous: Path | None = None  # the site a build replaces: its unchanged files are linked, not written

    @property
    def site_root(self) -> Path:
        """Where a site's own layouts/ and static/ live: beside its content folder."""
        return self.content_dir.resolve().parent


def worker_count() -> int:
    """Processes for the HTML and PDF steps: every core, at most SITEGEN_WORKERS."""
    return max(1, min(len(os.sched_getaffinity(0)), int(os.environ.get("SITEGEN_WORKERS", "64"))))
