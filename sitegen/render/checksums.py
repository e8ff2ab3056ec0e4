"""SHA256SUMS: one line per downloadable file, in `sha256sum -c` format."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sitegen.model import Content
from sitegen.render import Context
from sitegen.render.writer import Writer

DOWNLOADS = (".pdf", ".csv", ".xlsx", ".json")
NAME = "SHA256SUMS"


def render_checksums(content: Content, writer: Writer, context: Context) -> int:
    files = sorted(path for path in writer.written if is_download(path))
    # The shards' files were hashed as they were made, the site-wide downloads as they were written.
    known = {**(context.summary.digests if context.summary is not None else {}), **writer.digests}
    lines = [f"{known.get(path) or sha256(writer.root / path)}  {path}" for path in files]
    writer.write_text(NAME, "\n".join(lines) + "\n")
    return len(lines)


def is_download(path: str) -> bool:
    return path.endswith(DOWNLOADS) and not path.startswith("pagefind/")


def sha256(path: Path) -> str:
    """In chunks: the site-wide downloads of a large site are hundreds of megabytes each."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
