"""Runs the demo's web server and background worker as children, and answers for them.

- SIGTERM, SIGINT or SIGHUP to the demo stops both (SIGTERM, then SIGKILL after a grace
  period) and frees the port; the demo then exits 0.
- A worker that dies is started again (after 1, 2, 4 ... up to 30 seconds if it keeps dying).
- If the web server dies the demo stops the worker and exits with the server's status.
- On Linux each child also gets SIGTERM if the demo itself is killed outright (SIGKILL),
  through the kernel's parent-death signal.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

__all__ = ["supervise"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> Callable[[], None]:
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None

    def preexec() -> None:  # runs in the child between fork and exec
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the demo died before the signal was armed
            os._exit(1)

    return preexec


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Its own session: a terminal's Ctrl-C reaches only the demo, which stops the children
    # in order, rather than every process at once.
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        argv,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with(os.getpid()),  # noqa: PLW1509 - the demo process runs no threads
    )


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(*, server: list[str], worker: list[str], env: dict[str, str]) -> int:
    stop_signal: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop_signal.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
    web = _spawn(server, env)
    background = _spawn(worker, env)
    deaths: list[float] = []
    restart_at: float | None = None
    code = 0
    try:
        while not stop_signal:
            if web.poll() is not None:
                print(f"painpath demo: the web server stopped (exit {web.returncode}).")
                code = web.returncode or 1
                break
            now = time.monotonic()
            if restart_at is None and background.poll() is not None:
                deaths = [t for t in deaths if now - t < 300] + [now]
                delay = min(30.0, 2.0 ** (len(deaths) - 1))
                print(
                    f"painpath demo: the background worker stopped (exit "
                    f"{background.returncode}); starting it again in {delay:.0f} s.",
                    flush=True,
                )
                restart_at = now + delay
            if restart_at is not None and now >= restart_at:
                background = _spawn(worker, env)
                restart_at = None
            time.sleep(0.2)
    finally:
        _stop([web, background])
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stop_signal:
        print(f"painpath demo: stopped ({signal.Signals(stop_signal[0]).name}).", flush=True)
    return code
