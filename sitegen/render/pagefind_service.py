"""A small synchronous client for Pagefind's `--service` mode.

Why not the `pagefind` CLI over the output folder: the CLI numbers pages in
the order the file system lists them, and that order is creation order on
tmpfs and a per-file-system hash order on ext4, so the same pages gave
different index files (seen at 1,000 projects, where two processes write the
pages). Here the pages are added one by one in sorted path order, each
waited for, so the index depends on the pages alone.

Why not the package's own async client (`pagefind.index.PagefindIndex`): it
polls for one answer per 0.1 s, so adding 10,000 pages one at a time would
take 17 minutes. The protocol is small: base64-encoded JSON messages, each
followed by a comma, answered in the same form.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

from sitegen.render import RenderError


def executable() -> Path:
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise RenderError("找不到 Pagefind：请安装 pagefind[extended]")
    return found


class PagefindService:
    """One `pagefind --service` process holding one index in memory."""

    def __init__(self) -> None:
        try:
            self.process = subprocess.Popen([str(executable()), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise RenderError(f"无法运行 Pagefind 建立搜索索引：{exc}") from exc
        self.message_id = 0
        self.index_id = self.send({"type": "NewIndex", "config": None})["index_id"]

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.message_id += 1
        request = {"message_id": self.message_id, "payload": payload}
        assert self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(base64.b64encode(json.dumps(request).encode("utf-8")) + b",")
            self.process.stdin.flush()
            answer = self.read_answer()
        except (BrokenPipeError, OSError) as exc:
            raise RenderError(f"Pagefind 意外退出（{exc}）") from exc
        if answer.get("message_id") != self.message_id:
            raise RenderError("Pagefind 的回答与请求不对应")
        result = answer["payload"]
        if result.get("type") == "Error":
            raise RenderError(f"Pagefind 建立搜索索引失败：{result.get('message', '')}")
        return result

    def read_answer(self) -> dict[str, Any]:
        """One answer: only one request is ever open, so nothing past its comma is read."""
        assert self.process.stdout
        data = b""
        while not data.endswith(b","):
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                raise RenderError("Pagefind 意外退出")
            data += chunk
        return json.loads(base64.b64decode(data[:-1]))

    def add_page(self, url: str, html: str) -> None:
        self.send({"type": "AddFile", "index_id": self.index_id, "url": url, "file_contents": html, "file_path": None})

    def files(self) -> dict[str, bytes]:
        """The bundle's files by path, built in memory: we write them ourselves, so that the
        files are complete when we say so, whatever the service does after it answers."""
        answer = self.send({"type": "GetFiles", "index_id": self.index_id})
        return {f["path"]: base64.b64decode(f["content"]) for f in answer["files"]}

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "PagefindService":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
