"""`sitegen serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

Changes are found by polling a fingerprint (path, size, mtime) of content/,
layouts/ and static/; a change triggers a normal build (HTML and the search
index are rebuilt, PDFs come from the content-hash cache unless their
inputs changed) and the swap. Open pages poll /__sitegen/version and reload
when it moves. A build with errors keeps the last good site online, prints
the errors and shows them on every page until they are fixed.
"""

from __future__ import annotations

import html
import json
import os
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitegen.build.site import PDF, RENDERERS, BuildFailed, build, without
from sitegen.base.findings import shorten
from sitegen.render import RenderError
from sitegen.base.resources import BUILTIN_LAYOUTS, BUILTIN_STATIC
from sitegen.commands.report import summary_line
from sitegen.base.safety import UnsafeOutput, check_output_path

VERSION_PATH = "/__sitegen/version"
# Served as files of the preview, not inline: the pages' Content-Security-Policy allows
# only the site's own scripts and styles.
RELOAD_PATH = "/__sitegen/reload.js"
RELOAD_JS = """(() => { let seen = null;
  setInterval(async () => {
    try {
      const now = (await (await fetch("%s", {cache: "no-store"})).json()).version;
      if (seen !== null && now !== seen) location.reload();
      seen = now;
    } catch (error) {}
  }, 1000);
})();
""" % VERSION_PATH
BANNER_PATH = "/__sitegen/banner.css"
BANNER_CSS = (".sitegen-errors { background: #fff1f0; color: #9a3412; border: 2px solid #9a3412; padding: 1rem;"
              " margin: 0; font-family: monospace; white-space: pre-wrap; }\n")
RELOAD_SCRIPT = f'<script src="{RELOAD_PATH}"></script>'
PREVIEW_FILES = {RELOAD_PATH: (RELOAD_JS, "text/javascript"), BANNER_PATH: (BANNER_CSS, "text/css")}


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files from one folder; /404.html for anything missing."""

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PreviewHandler(SiteHandler):
    """SiteHandler plus the reload script and the current build errors in every page."""

    preview: "Preview"

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == VERSION_PATH:
            return self.send_body(json.dumps({"version": self.preview.version}).encode(), "application/json")
        if path in PREVIEW_FILES:
            body, content_type = PREVIEW_FILES[path]
            return self.send_body(body.encode(), f"{content_type}; charset=utf-8")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            return self.send_body(self.preview.decorate(target.read_text(encoding="utf-8")).encode(), "text/html; charset=utf-8")
        if self.preview.errors and not target.exists():  # no good build yet: show why
            page = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>错误</title></head><body></body></html>'
            return self.send_body(self.preview.decorate(page).encode(), "text/html; charset=utf-8")
        return super().do_GET()

    def send_body(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Preview:
    def __init__(self, content_dir: Path, out_dir: Path, with_pdf: bool = True, force: bool = False):
        self.content_dir = content_dir
        self.out_dir = out_dir
        self.force = force
        self.renderers = RENDERERS if with_pdf else without(PDF)
        self.version = 0
        self.errors: list[str] = []
        self.watched = [content_dir, content_dir.resolve().parent / "layouts", content_dir.resolve().parent / "static",
                        BUILTIN_LAYOUTS, BUILTIN_STATIC]

    def rebuild(self) -> None:
        """Build once; any failure is shown in the terminal and the pages' banner, never raised,
        so that the watcher keeps watching."""
        started = time.perf_counter()
        try:
            loaded = build(self.content_dir, self.out_dir, renderers=self.renderers, force=self.force)
            self.errors = []
            print(f"已重新生成（{time.perf_counter() - started:.1f} 秒）：{summary_line(loaded)}", flush=True)
        except BuildFailed as failed:
            self.errors = [finding.format() for finding in failed.loaded.findings.sorted() if finding.level == "error"]
            print("\n".join(self.errors) + "\n有错误：网站保持上一次的版本", flush=True)
        except (RenderError, UnsafeOutput) as exc:
            self.failed(str(exc))
        except OSError as exc:
            self.failed(f"{exc.strerror or exc}：{exc.filename or self.out_dir}")
        except Exception as exc:  # a defect of sitegen: the preview stays up
            self.failed(f"内部错误 {type(exc).__name__}: {shorten(str(exc), 200)}")
        self.version += 1

    def failed(self, message: str) -> None:
        self.errors = [message]
        print(f"生成失败：{message}；网站保持上一次的版本", flush=True)

    def decorate(self, page: str) -> str:
        banner = ""
        if self.errors:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in self.errors)
            banner = (f'<link rel="stylesheet" href="{BANNER_PATH}"><div role="alert" class="sitegen-errors">'
                      f"<strong>内容有错误，显示的是上一次成功生成的网站：</strong><ul>{items}</ul></div>")
        page = page.replace("<body>", "<body>" + banner, 1)
        return page.replace("</body>", RELOAD_SCRIPT + "</body>", 1)

    def fingerprint(self) -> tuple:
        entries = []
        for root in self.watched:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    path = os.path.join(folder, name)
                    try:
                        stat = os.stat(path)
                    except OSError:
                        continue
                    entries.append((path, stat.st_size, stat.st_mtime_ns))
        return tuple(entries)

    def watch(self, interval: float = 0.5) -> None:
        seen = self.fingerprint()
        while True:
            time.sleep(interval)
            now = self.fingerprint()
            if now != seen:
                seen = now
                self.rebuild()


def serve(content_dir: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          with_pdf: bool = True, force: bool = False) -> ThreadingHTTPServer:
    """Build once, start watching, and return the server (call serve_forever on it).

    An output folder a build may not replace (safety.check_output_path) raises UnsafeOutput
    before anything is built or served."""
    check_output_path(out_dir, content_dir, force=force)
    preview = Preview(content_dir, out_dir, with_pdf, force)
    preview.rebuild()
    out_dir.mkdir(parents=True, exist_ok=True)
    handler = type("BoundPreviewHandler", (PreviewHandler,), {"preview": preview})
    # The folder is looked up on every request, so the swap after a rebuild is picked up.
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(out_dir.resolve())))
    threading.Thread(target=preview.watch, daemon=True).start()
    return server
