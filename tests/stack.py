"""Chorus as it runs in production, for the fault and load tests: `chorus serve` (N uvicorn
processes) and `chorus worker` as real child processes on 127.0.0.1, talking to the servers the
environment names. Every child runs in its own process group and is gone when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from backend.embedded import free_port

CHORUS = str(Path(sys.executable).with_name("chorus"))


class Stack:
    def __init__(self, env: dict[str, str], *, api_processes: int, log_dir: Path) -> None:
        self.env = env
        self.api_processes = api_processes
        self.log_dir = log_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / log_name).open("ab") as log:
            return subprocess.Popen(
                [CHORUS, *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: uvicorn's children die with it
            )

    def log(self, name: str) -> str:
        path = self.log_dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def start_api(self, timeout: float = 60.0) -> None:
        self.api = self._spawn(
            ["serve", "--port", str(self.port), "--workers", str(self.api_processes)], "api.log"
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.api is not None and self.api.poll() is None, self.log("api.log")[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"the API never became ready:\n{self.log('api.log')[-3000:]}")

    def start_worker(self) -> None:
        self.worker = self._spawn(["worker"], "worker.log")

    def stop_worker(self) -> None:
        _stop(self.worker)
        self.worker = None

    def kill_api(self) -> None:
        """SIGKILL to every process of `chorus serve`: no shutdown, requests in hand cut off."""
        if self.api is not None and self.api.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.api.pid, signal.SIGKILL)
            self.api.wait()
        self.api = None

    def stop(self) -> None:
        self.stop_worker()
        _stop(self.api)
        self.api = None


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def chorus_stack(
    env: dict[str, str], *, api_processes: int = 1, log_dir: Path, worker: bool = True
) -> Iterator[Stack]:
    """`chorus serve --workers api_processes` (+ one `chorus worker`), ready to answer."""
    stack = Stack(env, api_processes=api_processes, log_dir=log_dir)
    try:
        stack.start_api()
        if worker:
            stack.start_worker()
        yield stack
    finally:
        stack.stop()
