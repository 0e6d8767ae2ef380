"""`painpath demo` with real processes: SIGTERM and SIGINT stop the web server and the worker
and free the port; a worker that dies is started again; a demo killed outright (SIGKILL)
takes its children with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.processes import (
    PAINPATH,
    alive,
    answers,
    cmdline,
    descendants,
    free_port,
    port_is_free,
    start,
    wait_until,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process tree from /proc"
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A demo database with a small synthetic cohort, prepared once."""
    var = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [PAINPATH, "demo", "--no-serve", "--patients", "2"],
        env={**os.environ, "PAINPATH_ENV": "demo", "PAINPATH_VAR_DIR": str(var)},
        cwd=var,
        capture_output=True,
        check=True,
        timeout=300,
    )
    return var


@pytest.fixture
def demo(demo_dir):
    port = free_port()
    env = {"PAINPATH_ENV": "demo", "PAINPATH_VAR_DIR": str(demo_dir), "LOG_LEVEL": "WARNING"}
    process = start(["demo", "--port", str(port)], env, demo_dir, demo_dir / "demo.log")
    try:
        url = f"http://127.0.0.1:{port}/login/"
        assert wait_until(lambda: answers(url), timeout=90), (demo_dir / "demo.log").read_text()
        assert wait_until(lambda: _worker(process.pid) is not None, timeout=30)
        yield process, port
    finally:
        below = descendants(process.pid)
        if process.poll() is None:
            process.kill()
            process.wait(30)
        for pid in below:  # never leave a server behind, whatever the test did
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _worker(demo_pid: int) -> int | None:
    workers = [p for p in descendants(demo_pid) if "painpath.cli worker" in cmdline(p)]
    return workers[0] if workers else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_and_the_worker(demo, signum):
    process, port = demo
    children = descendants(process.pid)
    assert any("gunicorn" in cmdline(p) for p in children)
    assert _worker(process.pid) in children
    process.send_signal(signum)
    assert process.wait(60) == 0
    assert wait_until(lambda: not any(alive(p) for p in children), timeout=20), [
        cmdline(p) for p in children if alive(p)
    ]
    assert port_is_free(port)
    assert not answers(f"http://127.0.0.1:{port}/login/")


def test_a_dead_worker_is_started_again(demo):
    process, port = demo
    first = _worker(process.pid)
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert wait_until(
        lambda: (w := _worker(process.pid)) is not None and w != first and alive(w), timeout=30
    )
    assert process.poll() is None and answers(f"http://127.0.0.1:{port}/login/")
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    assert port_is_free(port)


def test_children_stop_when_the_demo_is_killed_outright(demo):
    process, port = demo
    children = descendants(process.pid)
    process.kill()  # SIGKILL: no handler runs; the kernel's parent-death signal does the work
    process.wait(10)
    assert wait_until(lambda: not any(alive(p) for p in children), timeout=30), [
        cmdline(p) for p in children if alive(p)
    ]
    assert wait_until(lambda: port_is_free(port), timeout=10)
