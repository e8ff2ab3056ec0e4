"""Where sitegen may write: the one check every command that replaces a folder calls first.

`sitegen build` and `sitegen serve` replace their output folder as a whole
(publish.py swaps a fresh build in and deletes the previous one). One wrong
argument (`--out content`, `--out ..`, `--out ~`) would delete what the
author wrote, so before any work `check_output_path` refuses:

- the content folder, a folder containing it, a folder inside it;
- a folder that is, contains or lies inside the site's `layouts/` or
  `static/` (or sitegen's own built-in ones);
- `/`, a home directory or a folder containing one;
- a path that exists and is not a folder (a regular file, a device);
- an existing non-empty folder that sitegen did not write: every build puts
  the marker file `.sitegen-output` into its output, and only a folder with
  that marker (or an empty one) is replaced, unless the user says `--force`.

For another command that writes into a folder (the coming `import --into`),
`refuse_dangerous_path(path, protected)` is the first half on its own (no
marker rule: an import adds files to a content tree and must refuse to
overwrite each existing file itself); `check_output_path` is both halves for
a folder that is replaced whole. Both raise `UnsafeOutput`, whose message is
one Chinese line naming both paths and the option to change.
"""

from __future__ import annotations

import pwd
from pathlib import Path
from typing import Iterable

from sitegen.base.errors import SitegenError

MARKER = ".sitegen-output"
# Constant text: the marker is part of every build, and two builds give the same bytes.
MARKER_TEXT = ("本目录由 sitegen 生成，每次生成都会整体替换，请不要在这里存放其他文件。\n"
               "This folder is written by sitegen; every build replaces all of it.\n")


class UnsafeOutput(SitegenError):
    """The output path would destroy files sitegen did not write; the message is for the user."""

    exit_code = 1


def check_output_path(out: Path, content: Path, site_root: Path | None = None, force: bool = False,
                      option: str = "--out") -> None:
    """Refuse `out` as a folder to be replaced whole by a build of `content`; see the module docstring.

    `site_root` is where the site's own layouts/ and static/ live (beside `content`
    when None). `force` allows replacing a non-empty folder without the marker, never
    the other cases. `option` is the command-line option named in the message.
    """
    site_root = site_root if site_root is not None else content.resolve().parent
    protected = [(content, "内容目录")]
    protected += [(site_root / name, f"站点的 {name}/ 目录") for name in ("layouts", "static")]
    from sitegen.base.resources import BUILTIN_LAYOUTS, BUILTIN_STATIC

    protected += [(BUILTIN_LAYOUTS, "sitegen 自带的 layouts/ 目录"), (BUILTIN_STATIC, "sitegen 自带的 static/ 目录")]
    refuse_dangerous_path(out, protected, option)
    if not force:
        refuse_foreign_folder(out, option)


def refuse_dangerous_path(path: Path, protected: Iterable[tuple[Path, str]], option: str = "--out") -> None:
    """Refuse `/`, a home directory (or one containing a home), a path that is not a folder,
    and a folder that is, contains or lies inside one of `protected` (path, Chinese name)."""
    target = path.resolve()
    shown = show(path)
    if target == Path(target.anchor):
        raise UnsafeOutput(f"输出目录 {shown} 是根目录：生成会替换整个文件系统。请用 {option} 指定一个专用的目录（如 output）")
    if path.exists() and not path.is_dir():
        raise UnsafeOutput(f"输出路径 {shown} 已存在且不是目录（是一个文件）：sitegen 不会覆盖它。请用 {option} 指定一个目录")
    for folder, name in protected:
        place = folder.resolve()
        if target == place:
            relation = f"就是{name} {show(folder)}"
        elif place.is_relative_to(target):
            relation = f"包含{name} {show(folder)}"
        elif target.is_relative_to(place):
            relation = f"位于{name} {show(folder)} 之内"
        else:
            continue
        raise UnsafeOutput(f"输出目录 {shown} {relation}：生成会删除或混入那里的文件。请用 {option} 指定另一个目录（如 output）")
    for home in home_directories():
        if target == home or home.is_relative_to(target):
            what = "是用户主目录" if target == home else f"包含用户主目录 {home}"
            raise UnsafeOutput(f"输出目录 {shown} {what}：生成会替换其中全部文件。请用 {option} 指定一个专用的目录（如 output）")


def refuse_foreign_folder(path: Path, option: str = "--out") -> None:
    """Refuse an existing non-empty folder without sitegen's marker file."""
    if not path.is_dir() or is_own_output(path) or not any(path.iterdir()):
        return
    raise UnsafeOutput(
        f"输出目录 {show(path)} 已存在且不是 sitegen 生成的（没有标记文件 {show(path / MARKER)}）：生成会替换并删除其中全部文件。"
        f"请用 {option} 指定另一个目录，或确认可以替换后加 --force"
    )


def is_own_output(folder: Path) -> bool:
    """The folder carries sitegen's marker: a regular file (not a link) with the marker text."""
    marker = folder / MARKER
    try:
        return not marker.is_symlink() and marker.is_file() and marker.read_text(encoding="utf-8") == MARKER_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def home_directories() -> set[Path]:
    """The current user's home and every person's (uid 0 or ≥ 1000): system accounts' homes
    such as /var/www are ordinary output targets, people's homes are not."""
    homes = {Path.home()}
    try:
        homes.update(Path(entry.pw_dir) for entry in pwd.getpwall() if entry.pw_uid == 0 or 1000 <= entry.pw_uid < 65534)
    except OSError:
        pass
    return {home.resolve() for home in homes if str(home) not in ("", "/")}


def show(path: Path) -> str:
    """The path as the user wrote it, and where it leads when that differs (.., ~, links)."""
    resolved = path.resolve()
    return str(path) if str(path) == str(resolved) else f"{path}（即 {resolved}）"


def shown_path(path: str | Path) -> str:
    """A file as messages name it: relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
