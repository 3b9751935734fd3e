"""docker-compose.yml is validated by the compose tool itself where a docker CLI exists."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


COMPOSE = _compose()
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="no docker compose / docker-compose here")


def _config(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("POSTGRES_PASSWORD", "CHORUS_SECRET_KEY")
    }
    return subprocess.run(
        [*COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
        timeout=60,
    )


def test_compose_file_is_valid_with_its_services():
    result = _config("--services", POSTGRES_PASSWORD="pw", CHORUS_SECRET_KEY="k" * 48)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "migrate", "api", "worker"}
    full = _config(POSTGRES_PASSWORD="pw", CHORUS_SECRET_KEY="k" * 48)
    assert full.returncode == 0, full.stderr
    assert "chorus" in full.stdout and "migrate" in full.stdout


def test_compose_refuses_to_run_without_the_secrets():
    result = _config("-q", POSTGRES_PASSWORD="pw")
    assert result.returncode != 0
    assert "CHORUS_SECRET_KEY" in result.stderr
