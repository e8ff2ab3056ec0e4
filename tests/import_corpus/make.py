"""Rebuild the import corpus: each folder's grid.tsv → the file its agency published, in its FORMAT.

    python tests/import_corpus/make.py [--copy /work/corpus] [SLUG ...]

Builds the named folders, or (none named) the folders that have no table file yet.

A corpus folder is laid out as an import fixture (../import_fixtures/README.md: SOURCE.md, grid.tsv,
expected/) plus `FORMAT`, the one format the table was published in: xlsx, xls, docx, pdf or csv.
This script writes `table.<FORMAT>` with the fixtures' writers (make.py there); a csv is written in
GB18030, as Excel on a Chinese Windows saves it, every row of the grid a line, merged cells empty.
With --copy, complete folders of the transcribers' corpus that are not here yet are copied in first
(a folder here may carry corrections, said in its SOURCE.md: it is never overwritten). The generated files
are committed: the tests never run this script.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "import_fixtures"))

import make as fixtures  # noqa: E402

FORMATS = ("xlsx", "xls", "docx", "pdf", "csv")


def write_csv(tables, path: Path) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for n, grid in enumerate(tables):
        if n:
            writer.writerow([])
        for r in range(grid.height):
            writer.writerow([grid.own(r, c) for c in range(grid.width)])
    path.write_bytes(out.getvalue().encode("gb18030"))


def build(folder: Path) -> None:
    fmt = (folder / "FORMAT").read_text(encoding="utf-8").strip().lower()
    if fmt not in FORMATS:
        raise SystemExit(f"{folder.name}: FORMAT「{fmt}」不是 {', '.join(FORMATS)} 之一")
    for old in folder.glob("table.*"):
        old.unlink()
    tables = fixtures.read_tables(folder / "grid.tsv")
    target = folder / f"table.{fmt}"
    if fmt in ("xlsx", "xls"):
        fixtures.write_xlsx(tables, folder / "table.xlsx")
        if fmt == "xls":
            fixtures.write_xls(folder / "table.xlsx", target)
            (folder / "table.xlsx").unlink()
    elif fmt == "docx":
        fixtures.write_docx(tables, target)
    elif fmt == "pdf":
        fixtures.write_pdf(tables, target)
    else:
        write_csv(tables, target)
    print(f"{folder.name}: {len(tables)} table(s) → {target.name}")


def copy(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("grid.tsv", "SOURCE.md", "FORMAT"):
        shutil.copy(source / name, target / name)
    if (target / "expected").exists():
        shutil.rmtree(target / "expected")
    shutil.copytree(source / "expected", target / "expected")


def main() -> None:
    args = fixtures.arguments("--copy", "corpus")
    for source in fixtures.complete_folders(args.source, ("grid.tsv", "SOURCE.md", "FORMAT", "expected"), args.slugs):
        if not (HERE / source.name).exists():  # a folder here may carry corrections
            copy(source, HERE / source.name)
    for folder in fixtures.grid_folders(HERE):
        built = any(folder.glob("table.*"))
        if folder.name in args.slugs or (not args.slugs and not built):
            build(folder)


if __name__ == "__main__":
    main()
