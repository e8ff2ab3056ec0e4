"""A small synchronous client for Pagefind's `--service` mode.

Why not the `pagefind` CLI over the output folder: the CLI numbers pages in
the order the file system lists them, and that order is creation order on
tmpfs and a per-file-system hash order on ext4, so the same pages gave
different index files (seen at 1,000 projects, where two processes write the
pages). Here the pages are added one by one in sorted path order, each
waited for, so the index depends on the pages alone.

Why not the package's own async client (`pagefind.index.PagefindIndex`): it
polls for one answer per 0.1 s, so adding pages one at a time costs a tenth
of a second each. The protocol is small: base64-encoded JSON messages, each
followed by a comma, answered in the same form.

Pages are sent ahead of their answers (add_pages): the service handles one
message after another, in the order they arrive, so the index is the same as
when each page waits for its answer, and Pagefind indexes while Python reads
and encodes the next pages. The answers are checked
to come back in the order sent.
"""

from __future__ import annotations

import base64
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterable

from sitegen.render import RenderError

# Pages sent ahead of their answers: enough to keep Pagefind busy, few enough that the pages
# waiting in its input are a few hundred KB.
AHEAD = 32


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
        self.unread = b""
        self.index_id = self.send({"type": "NewIndex", "config": None})["index_id"]

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.message_id += 1
        self.write(self.message_id, payload)
        return self.answer(self.message_id)

    def write(self, message_id: int, payload: dict[str, Any]) -> None:
        assert self.process.stdin
        request = {"message_id": message_id, "payload": payload}
        try:
            self.process.stdin.write(base64.b64encode(json.dumps(request).encode("utf-8")) + b",")
            self.process.stdin.flush()
        except OSError as exc:  # BrokenPipeError among them
            raise RenderError(f"Pagefind 意外退出（{exc}）") from exc

    def answer(self, message_id: int, page: str = "") -> dict[str, Any]:
        """The next answer, which must be the one to `message_id`; an error names the page."""
        answer = self.read_answer()
        if answer.get("message_id") != message_id:
            raise RenderError("Pagefind 的回答与请求不对应")
        result = answer["payload"]
        if result.get("type") == "Error":
            raise RenderError(f"Pagefind 建立搜索索引失败{f'（{page}）' if page else ''}：{result.get('message', '')}")
        return result

    def read_answer(self) -> dict[str, Any]:
        """One answer; what arrived past its comma is kept for the next."""
        assert self.process.stdout
        while b"," not in self.unread:
            try:
                chunk = self.process.stdout.read1(1 << 16)
            except OSError as exc:
                raise RenderError(f"Pagefind 意外退出（{exc}）") from exc
            if not chunk:
                raise RenderError("Pagefind 意外退出")
            self.unread += chunk
        data, self.unread = self.unread.split(b",", 1)
        return json.loads(base64.b64decode(data))

    def add_file(self, url: str, html: str) -> dict[str, Any]:
        return {"type": "AddFile", "index_id": self.index_id, "url": url, "file_contents": html, "file_path": None}

    def add_pages(self, pages: Iterable[tuple[str, str]]) -> int:
        """Add (URL, HTML) pages in the order given, up to AHEAD of them sent before their
        answers (a thread sends, this one reads the answers); returns how many were added."""
        sent: queue.Queue = queue.Queue()  # (message id, URL) as sent, then None or the sender's error
        room = threading.Semaphore(AHEAD)
        stop = threading.Event()

        def sender() -> None:
            try:
                for url, html in pages:  # `pages` may read the files: that overlaps with Pagefind too
                    while not room.acquire(timeout=0.1):
                        if stop.is_set():
                            return
                    if stop.is_set():
                        return
                    message_id = self.message_id + 1  # no one else sends meanwhile
                    self.write(message_id, self.add_file(url, html))
                    self.message_id = message_id
                    sent.put((message_id, url))
                sent.put(None)
            except BaseException as exc:  # handed to the reading thread, which raises it
                sent.put(exc)

        thread = threading.Thread(target=sender, name="pagefind-sender", daemon=True)
        thread.start()
        added = 0
        try:
            while (item := sent.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                self.answer(*item)
                room.release()
                added += 1
        finally:
            stop.set()
            thread.join()
        return added

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
