"""`collis run` (what `make run` ends with) serves pages with the task worker beside the web
server, and Ctrl+C stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

COLLIS = str(Path(sys.executable).parent / "collis")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """The process ids and command lines of a process's descendants (Linux /proc)."""
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == parent:
                    frontier.append(int(entry.name))
                    found[int(entry.name)] = (
                        (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.production
@pytest.mark.skipif(not Path("/proc").exists(), reason="reads processes from /proc")
def test_collis_run_serves_with_the_worker_and_ctrl_c_stops_both(tmp_path):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    subprocess.run([COLLIS, "manage", "migrate", "--no-input", "-v", "0"], env=env,
                   check=True, timeout=300)
    port = _free_port()
    process = subprocess.Popen([COLLIS, "run", "--address", f"127.0.0.1:{port}"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        children = _children(process.pid)
        assert any("db_worker" in command for command in children.values())
        assert any("runserver" in command for command in children.values())
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C in a terminal reaches the group
        process.wait(timeout=30)
        time.sleep(1)
        alive = [pid for pid in children if _running(pid)]
        assert not alive, [children[pid] for pid in alive]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
