"""Where sitegen's own files are: the built-in layouts, static files and schemas, and the digest
of everything that makes its output (the caches' keys and the cluster's check of its workers)."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def builtin_root() -> Path:
    """An installed wheel has the built-in files inside the package (setup.py copies them there);
    a checkout, editable install included, has them at the repository's top level."""
    packaged = resources.files("sitegen") / "_builtin"
    if packaged.is_dir():
        return Path(str(packaged))
    return PACKAGE.parent


BUILTIN_ROOT = builtin_root()
BUILTIN_LAYOUTS = BUILTIN_ROOT / "layouts"
BUILTIN_STATIC = BUILTIN_ROOT / "static"
SCHEMA_DIR = BUILTIN_ROOT / "schema"

# The libraries whose code decides the bytes sitegen writes: the pages (Jinja, MarkupSafe,
# markdown-it-py), the JSON downloads (orjson), the content read (PyYAML), the search index
# (Pagefind, cbor2 rewrites its filters), the PDFs (WeasyPrint, pydyf, fontTools, uharfbuzz).
OUTPUT_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "orjson", "pyyaml", "pagefind", "cbor2",
                    "weasyprint", "pydyf", "fonttools", "uharfbuzz")
# Of each font file, its size and its first bytes: there an OpenType file (or each font of a
# collection) lists its tables with a checksum of each, so another version of the font differs
# there, and hashing the whole of the large Noto CJK collections would slow every start.
FONT_SAMPLE = 16 * 1024


def tree_digest(root: Path, pattern: str = "*", leave_out: tuple[str, ...] = ()) -> str:
    """A digest of every file under root matching pattern (paths and bytes), in a stable order;
    compiled files (__pycache__) are what the sources already say, and left out, as are the
    files `leave_out` names (relative to root, with /)."""
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            name = path.relative_to(root).as_posix()
            if name not in leave_out:
                digest.update(name.encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def site_digests(root: Path, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The site's own files besides its units, content folder `root` (resolved): site.yaml,
    pages/, and the layouts/ (less `leave_out`) and static/ beside it."""
    site_yaml = root / "site.yaml"
    return [hashlib.sha256(site_yaml.read_bytes() if site_yaml.is_file() else b"-").hexdigest(),
            tree_digest(root / "pages"), tree_digest(root.parent / "layouts", leave_out=leave_out),
            tree_digest(root.parent / "static")]


def library_versions(names: tuple[str, ...] = OUTPUT_LIBRARIES) -> str:
    found = [f"python {platform.python_version()}"]
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return "\n".join(found)


@dataclass(frozen=True)
class FontFace:
    """One face fontconfig lists, as fc-list prints it."""

    family: str  # its first family name
    families: str  # all its family names, comma-separated
    weight: str  # fontconfig's weight (80 regular, 200 bold)
    index: str  # the face's index in its file (a .ttc holds several)
    file: str


@lru_cache(maxsize=1)
def font_faces() -> tuple[FontFace, ...]:
    """Every face fontconfig knows, asked once a process: the caches' digest, the PDF renderer's
    check of its fonts and its subsetting all read it. Empty when fc-list cannot run."""
    fields = "%{family[0]}\t%{family}\t%{weight}\t%{index}\t%{file}\n"
    try:
        listing = subprocess.run(["fc-list", "--format", fields], capture_output=True, text=True,
                                 check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    rows = (line.split("\t") for line in listing.splitlines())
    return tuple(FontFace(*row) for row in rows if len(row) == 5)


def font_files() -> list[str]:
    """Every font file fontconfig knows: WeasyPrint may take a glyph the CJK fonts lack from any."""
    return sorted({face.file for face in font_faces()})


def font_digest() -> str:
    digest = hashlib.sha256()
    for name in font_files():
        try:
            with open(name, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                head = file.read(FONT_SAMPLE)
        except OSError:
            continue
        digest.update(f"{name}\0{size}\0".encode("utf-8", "surrogateescape") + head)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """What sitegen's output is made of besides the site itself: its code and data files, the
    built-in layouts and static files, the fonts and the versions of Python and the libraries
    that write the bytes. Every cache's key starts with it, and a cluster's worker must have the
    same (build/cluster.py): a changed line of sitegen, a layout or a font is a new key."""
    parts = [tree_digest(PACKAGE), tree_digest(BUILTIN_LAYOUTS), tree_digest(BUILTIN_STATIC), font_digest(),
             library_versions()]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def code_stamp() -> tuple[tuple[str, int, int], ...]:
    """(path, size, modification time) of every file of sitegen's code, layouts and static files:
    a look (half a millisecond) at whether code_digest's files changed since it was worked out."""
    found = []
    for root in (PACKAGE, BUILTIN_LAYOUTS, BUILTIN_STATIC):
        for folder, folders, names in os.walk(root):
            folders[:] = [name for name in folders if name != "__pycache__"]
            for name in names:
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found.append((os.path.join(folder, name), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def current_code_digest() -> str:
    """code_digest of the files as they are now. A process that lives long (a cluster's `dask
    worker`) reads its layouts from disk at each render: after a checkout was updated under it,
    it must neither report the digest of before, nor key the PDFs it renders and caches by it."""
    return digest_at(code_stamp())


@lru_cache(maxsize=1)
def digest_at(stamp: tuple) -> str:
    """code_digest worked out again once the files' stamp is new (`stamp` is only the key)."""
    code_digest.cache_clear()
    return code_digest()
