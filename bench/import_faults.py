"""Figures for the import's guards: what the checks before reading cost, how fast the hostile
files are refused, a folder of 50 tables, and the merge into existing files.

    .venv/bin/python bench/import_faults.py [--work /tmp/import-faults]

Prints one line per figure (seconds, wall clock, on this machine as it is loaded now).
With ruamel.yaml importable, the merge is also compared with ruamel's round trip.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.importers.readers import ooxml, read_file  # noqa: E402
from sitegen.importers.yamlmerge import merge_text  # noqa: E402
from tests.test_import_faults_files import raw_xlsx  # noqa: E402

FLAT = ROOT / "tests" / "import_fixtures" / "seed-neimenggu-wuhai-2022-flat" / "table.xlsx"
ARGS = ["--year", "2022", "--region", "内蒙古自治区乌海市"]


def timed(what: str, action) -> None:
    start = time.perf_counter()
    try:
        action()
        outcome = ""
    except Exception as exc:  # a refusal is the figure here
        outcome = f"  ({type(exc).__name__}: {str(exc)[:60]})"
    print(f"{what:60s} {time.perf_counter() - start:8.3f} s{outcome}")


def sitegen(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=ROOT, capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=None)
    work = parser.parse_args().work or Path(tempfile.mkdtemp(prefix="import-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    timed("guard: the flat fixture (sizes, DTDs, rows)", lambda: ooxml.guard(FLAT, "t"))
    timed("read: the flat fixture, guard included", lambda: read_file(FLAT, "t"))
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>'
                    % (n, n, n) for n in range(1, 150_001))
    big = raw_xlsx(work / "150k.xlsx", rows)
    timed("guard: 150,000 rows, 300,000 cells", lambda: ooxml.guard(big, "t"))
    timed("read: 150,000 rows, 300,000 cells", lambda: read_file(big, "t"))
    far = raw_xlsx(work / "far.xlsx", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    timed("refused: one cell at XFD1048576", lambda: read_file(far, "t"))
    long = raw_xlsx(work / "long.xlsx", b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 200_002)))
    timed("refused: 200,001 rows", lambda: read_file(long, "t"))
    bomb = raw_xlsx(work / "bomb.xlsx", b"")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
        for _ in range(300):
            member.write(bytes(1 << 20))
    timed("refused: 300 MB declared (zip bomb)", lambda: read_file(bomb, "t"))
    folder = work / "tables"
    folder.mkdir(exist_ok=True)
    for n in range(50):
        shutil.copy(FLAT, folder / f"t{n:02d}.xlsx")
    shutil.rmtree(work / "content", ignore_errors=True)
    timed("sitegen import: a folder of 50 tables (one process)", lambda: sitegen("import", str(folder), "--into", str(work / "content"), *ARGS))
    merges(ROOT / "content")


def merges(content: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(content.rglob("*.yaml"))]
    start = time.perf_counter()
    same = sum(merge_text(t, t) == t for t in texts)
    print(f"{'merge: content/ files merged with themselves, unchanged':60s} {time.perf_counter() - start:8.3f} s  ({same} of {len(texts)})")
    try:
        from ruamel.yaml import YAML
    except ImportError:
        print("ruamel.yaml is not installed: its round trip is not measured")
        return
    yaml = YAML()
    yaml.preserve_quotes, yaml.width = True, 10**9
    yaml.indent(mapping=2, sequence=4, offset=2)
    start = time.perf_counter()
    same = 0
    for text in texts:
        out = io.StringIO()
        yaml.dump(yaml.load(text), out)
        same += out.getvalue() == text
    print(f"{'ruamel.yaml: round trip of the same files, unchanged':60s} {time.perf_counter() - start:8.3f} s  ({same} of {len(texts)})")


if __name__ == "__main__":
    main()
