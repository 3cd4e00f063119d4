"""bench/demo: `make demo` from a fresh clone, as the README promises, until the home page
answers — target under 60 s.

The repository's HEAD is cloned into a temporary directory (no .venv, no var/), `make demo`
runs there on a free port (the Makefile's DEMO_BIND), and the home page is polled until it
answers 200; then the whole process group (server, projection worker, live sender,
methodology) is stopped and the clone removed. Python packages come from uv's cache, warm on
any machine that ran `make venv` before: the output says whether it was.

Uncommitted changes are not in the clone: commit before measuring them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console

from bench.harness import Result

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 60.0
GIVE_UP = 600.0  # seconds: a broken demo must not hang the bench


def run(console: Console) -> list[Result]:
    head = _git("rev-parse", "--short", "HEAD")
    port = _free_port()
    cache = _uv_cache()
    with tempfile.TemporaryDirectory(prefix="yakist-bench-demo-") as temp:
        clone = Path(temp) / "yakist"
        _git("clone", "--quiet", "--no-local", str(ROOT), str(clone), cwd=temp)
        _git("checkout", "--quiet", head, cwd=clone)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("YAKIST_", "DJANGO_", "BENCH_", "VIRTUAL_ENV"))
            and k not in ("DATABASE_URL", "REDIS_URL", "PYTHONPATH")
        }
        log = Path(temp) / "make-demo.log"
        console.print(f"git clone HEAD {head} → make demo DEMO_BIND=127.0.0.1:{port} …")
        with log.open("wb") as output:
            started = time.perf_counter()
            make = subprocess.Popen(
                ["make", "demo", f"DEMO_BIND=127.0.0.1:{port}"],
                cwd=clone,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole below
            )
            try:
                seconds = _until_home(port, make, started)
            finally:
                _stop(make)
        if seconds is None:
            console.print(log.read_text(errors="replace")[-3000:], markup=False)
            raise RuntimeError("make demo did not serve the home page")
    console.print(f"make demo: домашня сторінка за / home page after {seconds:.1f} s ({cache})")
    return [
        Result(
            name="make demo from a fresh clone until the home page answers",
            measured=seconds,
            baseline=BUDGET,
            unit="s",
            target=f"< {BUDGET:.0f} s (ratio to the budget < 1)",
            ok=lambda ratio: ratio < 1,
            note=f"git clone of HEAD {head}, fresh .venv and var/, {cache}; the Makefile's "
            "Python; the home page polled every 0.2 s",
        )
    ]


def _until_home(port: int, make: subprocess.Popen, started: float) -> float | None:
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - started < GIVE_UP:
        if make.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    return None


def _stop(make: subprocess.Popen) -> None:
    """TERM to the whole group (make's trap stops the helpers), KILL what outlives 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(make.pid, sig)
        except ProcessLookupError:
            return
        try:
            make.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # make is gone; members of its group may still be finishing.
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(make.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _git(*args: str, cwd: Path | str = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uv_cache() -> str:
    """Whether uv's package cache held anything before the run (warm) or not (cold)."""
    path = Path(os.environ.get("UV_CACHE_DIR") or Path.home() / ".cache" / "uv")
    warm = path.is_dir() and any(entry.is_dir() for entry in path.iterdir())
    return f"uv package cache {'warm' if warm else 'cold'} ({path})"
