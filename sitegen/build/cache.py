"""Incremental builds: each shard's output, kept in the build cache under the key of all it is made from.

A shard's pages, PDFs and open-data files, and what the site-wide pages take from it
(summary.SiteSummary), depend only on its own files, the site's files (site.yaml,
pages/), the site-wide facts, the layouts and static files (the site's and sitegen's
own), sitegen's code and the libraries that write the bytes. The key hashes all of
them, so an entry is either exactly what rendering the shard again would give, or is
not found. After editing one project of a 10,000-project site, one shard is loaded
and rendered; the others are copied from here.

The entries are pickles, as Sphinx keeps its environment: `.sitegen-cache/` is as
trusted as the code that reads it. Never restore it from a source you would not run
code from (a cache shared with other people's branches, say).
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sitegen.base.resources import code_digest, tree_digest  # noqa: F401 (tree_digest re-exported)
from sitegen.render.writer import LINKS, replace_atomically
from sitegen.build.shards import Shard
from sitegen.render.summary import Facts, SiteSummary

FORMAT = 2  # of the entries; raise it when ShardOutput changes (2: SiteSummary.digests)
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "xlsxwriter", "pyyaml")
PDF_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "uharfbuzz")


@dataclass
class ShardOutput:
    files: list[tuple[str, bytes]]  # site path → bytes, every file the shard's renderers wrote
    summary: SiteSummary
    cached: bool = False  # taken from the cache (so not put there again)
    # From a worker of this machine: the files are already in the staging folder, only their
    # paths come back (the build's process never holds a shard's bytes).
    paths: list[str] = field(default_factory=list)


def read_entry(path: Path) -> ShardOutput | None:
    """A cache entry, or None: one that cannot be read whole (a killed build, another format) is never used."""
    try:
        with open(path, "rb") as file:
            output = pickle.load(file)
    except Exception:  # noqa: BLE001 - any broken entry is a miss
        return None
    if not isinstance(output, ShardOutput):
        return None
    output.cached = True
    return output


def write_entry(path: Path, output: ShardOutput) -> None:
    replace_atomically(path, pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))


def links_path(entry: Path) -> Path:
    """Beside an entry: where the last build put its files (writer.read_links)."""
    return entry.with_suffix(LINKS)


def versions(names: tuple[str, ...]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return "\0".join(found)


class ShardCache:
    def __init__(self, cache_dir: Path, content_dir: Path, shown_root: str, renderers: tuple[str, ...], with_pdf: bool):
        self.folder = cache_dir / "shards"
        root = content_dir.resolve()
        site_files = hashlib.sha256()
        site_yaml = root / "site.yaml"
        site_files.update(site_yaml.read_bytes() if site_yaml.is_file() else b"-")
        parts = [f"format {FORMAT}", sys.version, code_digest(), versions(LIBRARIES), shown_root, "\0".join(renderers),
                 site_files.hexdigest(), tree_digest(root / "pages"), tree_digest(root.parent / "layouts"),
                 tree_digest(root.parent / "static")]
        if with_pdf:
            from sitegen.render.pdf import font_versions

            parts += [versions(PDF_LIBRARIES), font_versions()]
        self.salt = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        self.used: set[str] = set()

    def key(self, shard: Shard, facts: Facts) -> str:
        key = hashlib.sha256(f"{self.salt}\n{shard.digest}\n{facts!r}".encode("utf-8")).hexdigest()
        self.used.add(key)
        return key

    def entry(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def get(self, key: str) -> ShardOutput | None:
        return read_entry(self.entry(key))

    def put(self, key: str, output: ShardOutput) -> None:
        write_entry(self.entry(key), output)

    def sweep(self) -> None:
        """After a build that succeeded: drop the entries it did not use, so the cache holds one site."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.suffix in (".pickle", LINKS) and entry.stem not in self.used:
                entry.unlink(missing_ok=True)
