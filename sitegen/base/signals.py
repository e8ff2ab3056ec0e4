"""Stopping on a signal: SIGTERM (CI runners, `timeout`, systemd) is handled as Ctrl+C is.

Either signal first ends this process's children (the PDF and HTML worker
processes, Pagefind), which would otherwise go on rendering for minutes,
reparented and holding the caller's pipes; then it unwinds the build as a
KeyboardInterrupt: the staging folder is removed, the output stays as it was,
and the CLI prints one line and exits 128 + the signal's number.

Forked workers do not keep the handler: in them SIGTERM has its default
action (the worker ends at once, even inside a long C call of WeasyPrint)
and SIGINT, which Ctrl+C sends to the whole process group, is ignored and
left to the main process, which ends them itself. A worker whose main process
is killed outright (no handler runs) ends by itself within a second.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

SIGNALS = (signal.SIGTERM, signal.SIGINT)
PARENT_CHECK_SECONDS = 0.5
EXIT_ORPHANED = 128 + signal.SIGKILL  # as if the kill had reached the worker too


class Terminated(KeyboardInterrupt):
    """SIGTERM, unwound as Ctrl+C is."""


class _State:
    main_pid: int | None = None
    received: int | None = None  # the first signal; later ones are ignored while unwinding
    holding = 0  # inside held(): a signal waits
    pending: int | None = None
    fork_hook = False  # os.register_at_fork cannot be undone: registered once


state = _State()


@contextmanager
def installed() -> Iterator[None]:
    """Handle SIGTERM and SIGINT for the duration (the CLI's whole run); restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    if not state.fork_hook:
        os.register_at_fork(after_in_child=in_forked_child)
        state.fork_hook = True
    state.main_pid, state.received, state.holding, state.pending = os.getpid(), None, 0, None
    for signum in SIGNALS:
        signal.signal(signum, on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        state.main_pid = None


def in_forked_child() -> None:
    if state.main_pid is not None and os.getpid() != state.main_pid:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        end_with_parent(os.getppid())


def end_with_parent(parent: int) -> None:
    """A worker whose build was killed outright (kill -9, the OOM killer: no handler runs to end
    the children) ends within a second or so. Adopted by init instead, it stayed for ever, blocked
    writing its result to a pipe that its sibling still held open."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="sitegen-parent-watch", daemon=True).start()


def on_signal(signum: int, frame) -> None:
    if os.getpid() != state.main_pid:
        return  # a child forked before in_forked_child ran
    if state.received is not None:
        return  # already stopping: let the cleanup finish
    if state.holding:
        state.pending = signum
        return
    if in_fork_hook(frame):
        # An exception raised in a hook os.fork runs (logging's lock release after a pool forked
        # a worker) is printed as "Exception ignored …" with a traceback, and lost. So stop without
        # raising: the pool whose workers end breaks, and the error handlers unwind the build as
        # for the signal (raise_if_stopping).
        state.received = signum
        end_children()
        return
    stop(signum)


def in_fork_hook(frame) -> bool:
    return frame is not None and frame.f_code.co_name in ("_acquireLock", "_releaseLock") \
        and frame.f_code.co_filename.endswith(os.path.join("logging", "__init__.py"))


def stop(signum: int) -> None:
    state.received = signum
    end_children()
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextmanager
def held() -> Iterator[None]:
    """A signal arriving inside the block takes effect after it (the swap's two renames)."""
    state.holding += 1
    try:
        yield
    finally:
        state.holding -= 1
        if not state.holding and state.pending is not None and os.getpid() == state.main_pid:
            signum, state.pending = state.pending, None
            stop(signum)


def raise_if_stopping() -> None:
    """Inside an error handler: when a signal is what caused the error, stop as for the signal."""
    if state.received is not None:
        raise Terminated() if state.received == signal.SIGTERM else KeyboardInterrupt()


def exit_code(error: KeyboardInterrupt) -> int:
    return 128 + (signal.SIGTERM if isinstance(error, Terminated) else signal.SIGINT)


def end_children(grace: float = 3.0) -> None:
    """SIGTERM to every child process, SIGKILL to those still running after `grace` seconds.

    Not reaped here (psutil.wait_procs would): their owners (the process pools, subprocess.run)
    reap them and notice they are gone, which is what makes the build unwind promptly.
    """
    import psutil

    try:
        children = psutil.Process().children()
    except psutil.Error:
        return
    for child in children:
        send(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while children and time.monotonic() < deadline:
        children = [child for child in children if running(child)]
        time.sleep(0.02)
    for child in children:
        send(child, signal.SIGKILL)


def running(child) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    import psutil

    try:
        return child.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def send(child, signum: int) -> None:
    import psutil

    try:
        child.send_signal(signum)  # psutil checks the pid was not reused by another process
    except psutil.Error:
        pass
