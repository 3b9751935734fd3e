"""The `chorus` command as a user runs it: real processes, real servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backend.embedded import free_port
from tests.helpers import PASSWORD, bearer

CHORUS = str(Path(sys.executable).parent / "chorus")


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHORUS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ),
    )


def test_vapid_keys_prints_a_fresh_p256_key_pair():
    import base64

    first, second = run("vapid-keys"), run("vapid-keys")
    assert first.returncode == 0
    values = dict(line.split("=", 1) for line in first.stdout.split())
    private = base64.urlsafe_b64decode(values["CHORUS_VAPID_PRIVATE_KEY"] + "==")
    public = base64.urlsafe_b64decode(values["CHORUS_VAPID_PUBLIC_KEY"] + "==")
    assert len(private) == 32
    assert len(public) == 65 and public[0] == 4  # an uncompressed P-256 point
    assert first.stdout != second.stdout


def test_migrate_is_idempotent():
    result = run("migrate")
    assert result.returncode == 0, result.stderr
    assert "migrations applied" in result.stdout


async def test_create_org_makes_an_admin_who_can_sign_in(client):
    result = run(
        "create-org",
        "--name",
        "Globex",
        "--admin-email",
        "boss@globex.example",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    login = await client.post(
        "/api/v1/auth/login", json={"email": "boss@globex.example", "password": PASSWORD}
    )
    assert login.status_code == 200
    me = (await client.get("/api/v1/me", headers=bearer(login.json()["accessToken"]))).json()
    assert (me["orgName"], me["role"]) == ("Globex", "admin")


def test_create_org_refuses_a_weak_password():
    result = run(
        "create-org",
        "--name",
        "Weak",
        "--admin-email",
        "w@weak.example",
        "--password-stdin",
        stdin="short\n",
    )
    assert result.returncode == 2
    assert "password" in result.stderr.lower()


@pytest.mark.parametrize("secret", ["", "change-me"])
def test_serve_refuses_to_start_without_a_real_secret_outside_dev(secret):
    env = {**os.environ, "CHORUS_ENV": "production", "CHORUS_SECRET_KEY": secret}
    result = run("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "CHORUS_SECRET_KEY" in result.stderr


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"chorus dev exited early:\n{proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("chorus dev did not become ready")


def _start_dev(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CHORUS_") or k.startswith("CHORUS_TEST_")
    }
    env["CHORUS_LOG_LEVEL"] = "WARNING"
    return subprocess.Popen(
        [CHORUS, "dev", "--port", str(port), "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )


def _stop(proc: subprocess.Popen, signum: int = signal.SIGINT) -> str:
    """Ctrl-C (SIGINT to the foreground group), or the terminal closing (SIGHUP)."""
    os.killpg(proc.pid, signum)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    return output


@pytest.mark.slow
def test_chorus_dev_runs_everything_stops_cleanly_and_keeps_data(tmp_path):
    data_dir = tmp_path / "chorus-data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start_dev(data_dir, port, "--demo")
    try:
        _wait_ready(base, proc)
        assert httpx.get(f"{base}/health").json() == {"status": "ok"}
        assert "Chorus" in httpx.get(base).text
        signup = httpx.post(
            f"{base}/api/v1/auth/signup",
            json={
                "orgName": "Curl Co",
                "email": "me@curl.example",
                "password": PASSWORD,
                "displayName": "Me",
            },
        )
        assert signup.status_code == 201, signup.text
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": "me@curl.example", "password": PASSWORD}
        )
        assert login.status_code == 200
        me = httpx.get(f"{base}/api/v1/me", headers=bearer(login.json()["accessToken"]))
        assert me.json()["orgName"] == "Curl Co"
    finally:
        if proc.poll() is None:
            output = _stop(proc)
    assert "password:" in output  # --demo printed how to sign in
    assert "team lead: maya.fischer@northwind.example" in output
    assert "Chorus stopped." in output
    assert _processes_mentioning(str(data_dir)) == []
    assert not (data_dir / "pg" / "postmaster.pid").exists()
    assert not (data_dir / "redis" / "valkey.pid").exists()

    # Started again: the same data, and the demo organization is still one organization.
    proc = _start_dev(data_dir, port, "--demo")
    try:
        _wait_ready(base, proc)
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": "me@curl.example", "password": PASSWORD}
        )
        assert login.status_code == 200
        demo_password = (data_dir / "demo-password").read_text().strip()
        demo = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": "admin@northwind.example", "password": demo_password},
        )
        assert demo.status_code == 200
        teams = httpx.get(f"{base}/api/v1/teams", headers=bearer(demo.json()["accessToken"]))
        assert [t["members"] for t in teams.json()["items"]] == [4, 5]  # Marketing has its lead too
    finally:
        if proc.poll() is None:
            output = _stop(proc, signal.SIGHUP)
    assert "Chorus stopped." in output
    assert _processes_mentioning(str(data_dir)) == []
    assert not (data_dir / "pg" / "postmaster.pid").exists()


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_serve_answers_ready_and_stops_cleanly_on_sigterm(server):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [CHORUS, "serve", "--server", server, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
        start_new_session=True,
    )
    try:
        _wait_ready(base, proc)
        assert httpx.get(f"{base}/health").json() == {"status": "ok"}
        proc.send_signal(signal.SIGTERM)  # what a service manager sends: to the main process
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # uvicorn stops gracefully, then re-raises the signal that stopped it (its documented way)
    clean = (0,) if server == "granian" else (0, -signal.SIGTERM)
    assert proc.returncode in clean, output
    assert "Traceback" not in output
    assert _processes_mentioning(f"--port {port}") == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health", timeout=2)
