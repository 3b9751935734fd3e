"""`python -m bench`: Chorus's benchmarks, each a ratio against a baseline run alongside.

It starts (or reuses, through CHORUS_DATABASE_URL / CHORUS_REDIS_URL) PostgreSQL and Redis,
runs `chorus serve` with one process on a free loopback port, seeds what the figures need
through the public API, then loads each endpoint and its baseline with `wrk` from the same
machine, one after the other, and prints a table (also written to bench/results/latest.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHORUS = str(Path(sys.executable).parent / "chorus")


@dataclass
class Figure:
    name: str
    value: float
    baseline_name: str
    baseline: float
    unit: str
    target: str
    ratio: float
    met: bool


def wrk(
    url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> float:
    """Requests per second that wrk sustains against one URL."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors and int(errors.group(1)) > 0:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    return float(match.group(1))


class Servers:
    """PostgreSQL and Redis for the run: the ones CHORUS_* names, else embedded ones."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._stops: list[object] = []

    def start(self) -> dict[str, str]:
        from backend.embedded import EmbeddedPostgres, EmbeddedRedis

        env = {}
        db_url = os.environ.get("CHORUS_DATABASE_URL")
        if not db_url:
            postgres = EmbeddedPostgres(self.workdir / "pg")
            admin = postgres.start()
            self._stops.append(postgres.stop)
            from backend.cli import ensure_database

            asyncio.run(ensure_database(admin, "chorus_bench"))
            db_url = postgres.url("chorus_bench")
        redis_url = os.environ.get("CHORUS_REDIS_URL")
        if not redis_url:
            redis = EmbeddedRedis(self.workdir / "redis", persist=False)
            redis_url = redis.start()
            self._stops.append(redis.stop)
        env["CHORUS_DATABASE_URL"] = db_url
        env["CHORUS_REDIS_URL"] = redis_url
        return env

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()  # type: ignore[operator]


def start_api(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    subprocess.run([CHORUS, "migrate"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [CHORUS, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("chorus serve did not become ready")


def seed(base: str) -> dict[str, str]:
    """An organization, an employee, a published challenge and a tracked link."""
    password = secrets.token_urlsafe(16)
    with httpx.Client(base_url=base, timeout=30) as http:
        admin = http.post(
            "/api/v1/auth/signup",
            json={
                "orgName": "Bench Co",
                "email": f"admin-{secrets.token_hex(3)}@bench.example",
                "password": password,
                "displayName": "Bench Admin",
            },
        ).json()
        auth = {"Authorization": f"Bearer {admin['accessToken']}"}
        now = datetime.now(UTC)
        challenge = http.post(
            "/api/v1/admin/challenges",
            headers=auth,
            json={
                "title": "Share our benchmark post",
                "contentUrl": "https://example.com/blog/fast?ref=bench",
                "networks": ["linkedin"],
                "points": 50,
                "startsAt": (now - timedelta(hours=1)).isoformat(),
                "endsAt": (now + timedelta(days=7)).isoformat(),
            },
        ).json()
        http.post(f"/api/v1/admin/challenges/{challenge['id']}/publish", headers=auth)
        link = http.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            headers=auth,
            json={"network": "linkedin"},
        ).json()
    return {"code": link["code"], "token": admin["accessToken"]}


def ratio_figure(
    name: str,
    value: float,
    baseline_name: str,
    baseline: float,
    unit: str,
    target: str,
    met: bool,
) -> Figure:
    return Figure(
        name=name,
        value=value,
        baseline_name=baseline_name,
        baseline=baseline,
        unit=unit,
        target=target,
        ratio=value / baseline if baseline else 0.0,
        met=met,
    )


def run(seconds: int, connections: int, only: set[str] | None) -> list[Figure]:
    from backend.embedded import free_port
    from backend.notifications.vapid import generate as generate_vapid

    workdir = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    servers = Servers(workdir)
    env = {
        **os.environ,
        **servers.start(),
        "CHORUS_ENV": "production",
        "CHORUS_SECRET_KEY": secrets.token_urlsafe(48),
        "CHORUS_OPEN_SIGNUP": "true",
        "CHORUS_LOG_LEVEL": "WARNING",
        "CHORUS_COOKIE_SECURE": "false",
        # the local push service of the fan-out figure listens on 127.0.0.1
        "CHORUS_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "CHORUS_VAPID_PRIVATE_KEY": generate_vapid()[0],
    }
    os.environ.update(env)  # this process measures some figures itself, on the same servers
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = start_api(env, port)
    figures: list[Figure] = []

    def load(url: str, headers: dict[str, str] | None = None) -> float:
        wrk(url, seconds=2, connections=connections, headers=headers)  # warm-up
        return wrk(url, seconds=seconds, connections=connections, headers=headers)

    def wanted(group: str) -> bool:
        return only is None or group in only

    try:
        constant = load(f"{base}/health")
        ping = load(f"{base}/health/redis")
        if wanted("redirect"):
            data = seed(base)
            redirect = load(
                f"{base}/s/{data['code']}",
                headers={"User-Agent": "Mozilla/5.0 (bench) Chrome/126.0 Mobile"},
            )
            figures.append(
                ratio_figure(
                    "/s/{code} redirect with click recording",
                    redirect,
                    "constant endpoint (/health)",
                    constant,
                    "req/s",
                    ">= 0.6x",
                    redirect / constant >= 0.6,
                )
            )
        if wanted("leaderboards"):
            figures += leaderboard_figures(base, env, load, constant, ping)
        if wanted("push"):
            from bench import leaderboards as lb
            from bench import push

            ours, encrypt_only = lb.run_async(push.fan_out())
            figures.append(
                ratio_figure(
                    f"push fan-out to {push.SUBSCRIPTIONS:,} subscriptions, one worker job",
                    ours,
                    "pywebpush encrypt-only loop (no network)",
                    encrypt_only,
                    "pushes/s",
                    ">= 0.5x",
                    ours / encrypt_only >= 0.5,
                )
            )
    finally:
        api.terminate()
        api.wait(20)
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


def leaderboard_figures(
    base: str, env: dict[str, str], load: Any, constant: float, ping: float
) -> list[Figure]:
    from bench import leaderboards as lb

    small = lb.signup(base, "Ten Thousand Co")
    lb.run_async(lb.fill_board(env["CHORUS_REDIS_URL"], small["orgId"], small["userId"], lb.SMALL))
    auth = {"Authorization": f"Bearer {small['accessToken']}"}
    users = load(f"{base}/api/v1/leaderboards/users?period=week&limit=10", auth)
    teams = load(f"{base}/api/v1/leaderboards/teams?period=week", auth)
    large = lb.signup(base, "Million Co")
    lb.run_async(lb.fill_board(env["CHORUS_REDIS_URL"], large["orgId"], large["userId"], lb.LARGE))
    large_auth = {"Authorization": f"Bearer {large['accessToken']}"}
    users_large = load(f"{base}/api/v1/leaderboards/users?period=week&limit=10", large_auth)
    ours, raw = lb.run_async(lb.award_throughput(small["orgId"]))
    ledger = lb.signup(base, "Ledger Co")
    rebuild_s, read_s, rows = lb.run_async(lb.rebuild_figures(ledger["orgId"]))
    return [
        ratio_figure(
            f"leaderboard read, top 10 + me + around ({lb.SMALL:,} members, in memory)",
            users,
            "constant endpoint (/health)",
            constant,
            "req/s",
            ">= 0.5x",
            users / constant >= 0.5,
        ),
        ratio_figure(
            f"leaderboard read ({lb.LARGE:,} members, one Lua call)",
            users_large,
            "endpoint doing one Redis PING (/health/redis)",
            ping,
            "req/s",
            ">= 0.8x",
            users_large / ping >= 0.8,
        ),
        ratio_figure(
            f"leaderboard read at {lb.LARGE:,} members",
            users_large,
            f"the same at {lb.SMALL:,} members",
            users,
            "req/s",
            "within 1.5x (ratio >= 0.67)",
            users / users_large <= 1.5,
        ),
        ratio_figure(
            "team board read",
            teams,
            "individual board read",
            users,
            "req/s",
            ">= 0.9x",
            teams / users >= 0.9,
        ),
        ratio_figure(
            "awards applied to every board (worker, batches of 100)",
            ours,
            "raw pipelined ZINCRBY of the same board updates",
            raw,
            "awards/s",
            ">= 0.5x",
            ours / raw >= 0.5,
        ),
        ratio_figure(
            f"rebuild all boards from {rows:,} ledger rows",
            rebuild_s,
            "plain read of those rows",
            read_s,
            "s",
            "report",
            True,
        ),
    ]


def print_table(figures: list[Figure]) -> None:
    rows = [("figure", "value", "baseline", "ratio", "target", "met?")]
    for f in figures:
        rows.append(
            (
                f.name,
                f"{f.value:,.0f} {f.unit}",
                f"{f.baseline:,.0f} {f.unit} ({f.baseline_name})",
                f"{f.ratio:.2f}x",
                f.target,
                "yes" if f.met else "NO",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="load per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--only",
        action="append",
        choices=["redirect", "leaderboards", "push"],
        help="run only these groups (repeatable; default: all)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench needs wrk: apt-get install wrk")
    figures = run(args.seconds, args.connections, set(args.only) if args.only else None)
    print_table(figures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(
        json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "server": "chorus serve (uvicorn), 1 process",
                "load": f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1",
                "figures": [asdict(f) for f in figures],
            },
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
