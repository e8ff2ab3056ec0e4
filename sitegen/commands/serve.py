"""`sitegen serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

Changes are reported by the operating system (watchfiles: inotify on Linux) for
content/, layouts/ and static/ (the site's and sitegen's own); a change triggers
a normal build (HTML and the search index are rebuilt, PDFs come from the
content-hash cache unless their inputs changed) and the swap. Open pages poll
/__sitegen/version and reload when it moves. A build with errors keeps the last
good site online, prints the errors and shows them on every page until they are
fixed.

A preview server, not a web server: threads, a listen backlog of 128, 400 for a
path it cannot serve (a NUL, a control character, bytes that are not UTF-8), 404 for
a name too long for the file system, 400 for two Host headers and for
a Host header that names another site (DNS rebinding: a page of evil.example whose
name is made to point at 127.0.0.1 would otherwise read the preview), and a warning
when bound to an address other machines can reach.
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import socket
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from sitegen.build.cache import open_cache
from sitegen.build.site import PDF, RENDERERS, BuildFailed, build, default_cache_dir, without
from sitegen.base.errors import SitegenError
from sitegen.base.findings import shorten
from sitegen.base.resources import BUILTIN_LAYOUTS, BUILTIN_STATIC
from sitegen.commands.report import summary_line
from sitegen.base.safety import check_output_path

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
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# A browser opening many pages' files at once: with the socket module's default of 5 waiting
# connections, the others wait for the SYN to be sent again (seconds each) or time out.
BACKLOG = 128
MAX_LINE = 65536  # of a request line: the stdlib's limit (414 past it)
MAX_EMPTY_LINES = 8
WATCH_START_SECONDS = 5  # the watcher answers within its rust_timeout (1 s) once its watches are set


class PreviewServer(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler) -> None:
        if ":" in address[0]:  # ::1, :: (the stdlib's server binds IPv4 only: "address family not supported")
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:
        """One line, never a traceback; a client that went away is not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        print(f"sitegen serve: 请求出错 {type(error).__name__}: {shorten(str(error), 200)}", file=sys.stderr, flush=True)


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files from one folder; /404.html for anything missing, 400 for a bad request."""

    # The names this server answers to (Host header); empty: any (a test's server).
    hosts: frozenset[str] = frozenset()
    # Every answer has a status line, also to a line without a version: the stdlib answered those
    # as HTTP/0.9 (a bare page; to HEAD, nothing at all).
    default_request_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def parse_request(self) -> bool:
        """A few empty lines before the request line are skipped (RFC 9112, 2.2) and a line of blanks
        is 400, where the stdlib closed the connection unanswered; the client gone (end of input):
        closed, there is nobody to answer."""
        for _ in range(MAX_EMPTY_LINES):
            if self.raw_requestline not in (b"\r\n", b"\n"):
                break
            self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
        problem = (414, None) if len(self.raw_requestline) > MAX_LINE else None  # the stdlib's check, redone
        if self.raw_requestline and not self.raw_requestline.strip():  # blanks, or empty lines past the few skipped
            problem = (400, "Bad request: empty request line")  # the stdlib closed the connection unanswered
        if problem:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(*problem)
            return False
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # asked for by name: refused
            self.send_error(505, "HTTP/0.9 is not supported")
            return False
        return True

    def do_GET(self):
        if not self.refused():
            super().do_GET()

    def do_HEAD(self):
        if not self.refused():
            super().do_HEAD()

    def refused(self) -> bool:
        """Answer 400 to a path that cannot name a file of the site or a Host of another site."""
        problem = bad_path(self.path) or bad_host(self.headers.get_all("Host"), self.hosts)
        if problem:
            self.send_error(400, problem)
        return bool(problem)

    def send_error(self, code, message=None, explain=None):
        if self.request_version == "HTTP/0.9":  # named in the request line: a status line all the same
            self.request_version = "HTTP/1.0"
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def bad_path(path: str) -> str | None:
    """Why `path` (the request target) names no file: not absolute, not UTF-8, or with a NUL or
    another control character once decoded (a NUL made os.stat raise: a traceback, no answer)."""
    if not path.startswith("/"):
        return "Bad request target"
    try:
        decoded = unquote(path.split("?", 1)[0].split("#", 1)[0], errors="strict")
    except UnicodeDecodeError:
        return "Bad path: not UTF-8"
    if any(ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF for c in decoded):
        return "Bad path: control character"
    return None


def bad_host(headers: list[str] | None, hosts: frozenset[str]) -> str | None:
    """A Host naming another site, or two Host headers (RFC 9112: 400; one of them could name
    another site while the other passed). An address (127.0.0.1, [::1], 10.0.0.5) is always
    answered: DNS rebinding needs a name; a request without Host (HTTP/1.0, not a browser) too."""
    if not hosts or not headers:
        return None
    if len(headers) > 1:
        return "More than one Host"
    name = headers[0].strip().lower()
    if name.startswith("["):
        name = name[1:name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    if name in hosts or is_address(name):
        return None
    return "Unknown Host"


def is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def served_names(host: str) -> frozenset[str]:
    """What the Host header may name: localhost, the bound name and, bound beyond this machine,
    the machine's own names."""
    names = set(LOOPBACK_NAMES) | {host.lower()}
    if not is_loopback(host):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def exposure_warning(host: str) -> str | None:
    """The line `serve` prints when other machines can reach the preview."""
    if is_loopback(host):
        return None
    return (f"警告：预览服务器监听 {host}，不只本机可以访问：它不是正式的网站服务器（没有访问控制，也不为公网设计），"
            "只在可信的网络中这样用；正式发布请把 output/ 交给 nginx 等服务器")


class PreviewHandler(SiteHandler):
    """SiteHandler plus the reload script and the current build errors in every page."""

    preview: "Preview"

    def do_GET(self):
        if self.refused():
            return
        path = self.path.split("?")[0]
        if path == VERSION_PATH:
            return self.send_body(json.dumps({"version": self.preview.version}).encode(), "application/json")
        if path in PREVIEW_FILES:
            body, content_type = PREVIEW_FILES[path]
            return self.send_body(body.encode(), f"{content_type}; charset=utf-8")
        # os.path's tests, not Path's: they answer False for a name the system refuses (longer than
        # 255 bytes: ENAMETOOLONG), where Path.is_dir raised and the request went unanswered.
        target = self.translate_path(self.path)
        if os.path.isdir(target):
            if not path.endswith("/"):  # the stdlib's redirect: the page's relative links need the slash
                return super().do_GET()
            target = os.path.join(target, "index.html")
        if target.endswith(".html") and os.path.isfile(target):
            try:
                page = Path(target).read_text(encoding="utf-8")
            except OSError:  # gone since the test (a rebuild's swap): answered, not dropped
                return self.send_error(404)
            return self.send_body(self.preview.decorate(page).encode(), "text/html; charset=utf-8")
        if self.preview.errors and not os.path.lexists(target):  # no good build yet: show why
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
        self.building = threading.Lock()  # the first build (serve's thread) and the watcher's
        self.watching = threading.Event()  # set once the watcher's watches are in place
        self.watched = [content_dir, content_dir.resolve().parent / "layouts", content_dir.resolve().parent / "static",
                        BUILTIN_LAYOUTS, BUILTIN_STATIC]

    def rebuild(self) -> None:
        """Build once; any failure is shown in the terminal and the pages' banner, never raised,
        so that the watcher keeps watching."""
        with self.building:
            self.build_once()

    def build_once(self) -> None:
        started = time.perf_counter()
        try:
            loaded = build(self.content_dir, self.out_dir, renderers=self.renderers, force=self.force)
            self.errors = []
            print(f"已重新生成（{time.perf_counter() - started:.1f} 秒）：{summary_line(loaded)}", flush=True)
        except BuildFailed as failed:
            self.errors = [finding.format() for finding in failed.loaded.findings.sorted() if finding.level == "error"]
            print("\n".join(self.errors) + "\n有错误：网站保持上一次的版本", flush=True)
        except SitegenError as exc:  # a layout, the synonyms, the output or cache folder: its one line
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

    def watch(self, stop: threading.Event | None = None) -> None:
        """Rebuild after each burst of changes, until `stop` is set. The folders that exist are
        watched; every second the watcher looks whether one appeared or went (a site's layouts/
        made while serving) and then watches again."""
        from watchfiles import DefaultFilter, watch

        editors = DefaultFilter()  # editors' swap and backup files, .git, __pycache__

        while not (stop and stop.is_set()):
            roots = self.roots()

            def relevant(change, path: str, roots: list[Path] = roots) -> bool:
                """Below a watched folder, nothing hidden (the loader skips it) and no editor's file;
                judged on the path inside the folder, which may itself lie in a hidden one."""
                inside = next((Path(path).relative_to(root) for root in roots if Path(path).is_relative_to(root)), None)
                return inside is not None and not any(part.startswith(".") for part in inside.parts) \
                    and editors(change, str(inside))

            if not roots:
                self.watching.set()
                time.sleep(1)
                continue
            try:
                for changes in watch(*roots, watch_filter=relevant, stop_event=stop, debounce=1600, step=50,
                                     rust_timeout=1000, yield_on_timeout=True, raise_interrupt=False):
                    self.watching.set()  # the first answer (a change, or none within rust_timeout)
                    if changes:
                        self.rebuild()
                    elif self.roots() != roots:
                        self.rebuild()
                        break
            except (OSError, RuntimeError) as exc:  # a watched folder removed under the watcher
                print(f"监视文件时出错：{shorten(str(exc), 200)}；重新开始监视", flush=True)
                time.sleep(1)

    def roots(self) -> list[Path]:
        return [root.resolve() for root in self.watched if root.is_dir()]


def serve(content_dir: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          with_pdf: bool = True, force: bool = False) -> PreviewServer:
    """Bind, start watching, build once, and return the server (call serve_forever on it).

    An output folder a build may not replace (safety.check_output_path) raises UnsafeOutput,
    a cache folder others can write cache.UntrustedCache, an address that cannot be bound
    OSError, before anything is built or served. Bound beyond this machine: a warning line."""
    check_output_path(out_dir, content_dir, force=force)
    open_cache(default_cache_dir(out_dir))
    preview = Preview(content_dir, out_dir, with_pdf, force)
    handler = type("BoundPreviewHandler", (PreviewHandler,), {"preview": preview, "hosts": served_names(host)})
    # The folder is looked up on every request, so the swap after a rebuild is picked up.
    server = PreviewServer((host, port), partial(handler, directory=str(out_dir.resolve())))
    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    # Watching before the first build: an edit made while it runs, or as soon as the first page
    # is served, is rebuilt (the watches took a moment to be set, and such an edit went unseen).
    threading.Thread(target=preview.watch, daemon=True).start()
    preview.watching.wait(WATCH_START_SECONDS)
    try:
        preview.rebuild()
        out_dir.mkdir(parents=True, exist_ok=True)
    except BaseException:  # Ctrl+C during the first build
        server.server_close()
        raise
    return server


def shown_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
