"""Stage 5, publish: build beside output/, then swap it in.

A build writes into a fresh folder next to the target (same file system,
so the final renames are atomic). Only when every renderer succeeded is the
old output moved aside and the new one renamed into place; on any failure
the staging folder is removed and output/ is exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.building-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap(staging, target)


def swap(staging: Path, target: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a web server must read it
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)  # put the previous site back before reporting
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
