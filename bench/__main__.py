"""`python -m bench`: Chorus's benchmarks, each a ratio against a baseline run alongside.

It starts (or reuses, through CHORUS_DATABASE_URL / CHORUS_REDIS_URL) PostgreSQL and Redis and
a local fake of the social networks, runs `chorus serve` with one process on a free loopback
port, seeds what the figures need through the public API, then loads each endpoint and its
baseline with `wrk` from the same machine, one after the other; the pipeline figures run a
real `chorus worker` (one process) beside it. It prints a table (also written to
bench/results/latest.json). See bench/README.md.
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


def start_api(env: dict[str, str], port: int, server: str = "uvicorn") -> subprocess.Popen[bytes]:
    subprocess.run([CHORUS, "migrate"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [CHORUS, "serve", "--port", str(port), "--workers", "1", "--server", server],
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


def seed(base: str, content_url: str) -> dict[str, str]:
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
                "contentUrl": f"{content_url}?ref=bench",
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


def rss_mb(pid: int) -> float:
    """The resident set (VmRSS) of a process and its children, in MB: uvicorn with one worker
    serves in its own process, granian in a child of its supervisor."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1]) / 1024
            break
    else:
        raise RuntimeError(f"no VmRSS for process {pid}")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        total += rss_mb(int(child))
    return total


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


GROUPS = [
    "pipeline",
    "challenges",
    "redirect",
    "leaderboards",
    "awards",  # the award figure of the leaderboards group alone
    "push",
    "analytics",
    "rank",
    "photos",
    "memory",
    "board-memory",
    "cluster",  # boards on a Redis Cluster against one Redis (bench/cluster.py)
]


def run(
    seconds: int,
    connections: int,
    only: set[str] | None,
    worker_tuning: list[str],
    server: str = "uvicorn",
) -> list[Figure]:
    from backend.embedded import free_port
    from backend.notifications.vapid import generate as generate_vapid
    from bench import pipeline

    workdir = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    servers = Servers(workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    network, network_base = pipeline.start_fake_network(base)
    content_url = f"{network_base}/blog/launch"
    api: subprocess.Popen[bytes] | None = None
    figures: list[Figure] = []

    def load(url: str, headers: dict[str, str] | None = None) -> float:
        wrk(url, seconds=2, connections=connections, headers=headers)  # warm-up
        return wrk(url, seconds=seconds, connections=connections, headers=headers)

    def wanted(group: str) -> bool:
        return only is None or group in only

    try:
        env = {
            **os.environ,
            **servers.start(),
            "CHORUS_ENV": "production",
            "CHORUS_SECRET_KEY": secrets.token_urlsafe(48),
            "CHORUS_OPEN_SIGNUP": "true",
            "CHORUS_LOG_LEVEL": "WARNING",
            "CHORUS_COOKIE_SECURE": "false",
            "CHORUS_PUBLIC_URL": base,
            # the local push service and the fake social network listen on 127.0.0.1
            "CHORUS_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "CHORUS_LINKEDIN_BASE_URL": f"{network_base}/linkedin",
            "CHORUS_FACEBOOK_BASE_URL": f"{network_base}/facebook",
            "CHORUS_X_OEMBED_URL": f"{network_base}/x/oembed",
            "CHORUS_VAPID_PRIVATE_KEY": generate_vapid()[0],
        }
        os.environ.update(env)  # this process measures some figures itself, on the same servers
        api = start_api(env, port, server)
        time.sleep(1)
        idle_rss = rss_mb(api.pid)
        # The machine is shared: each group measures its HTTP baselines right before its
        # figures rather than once for the whole run.

        # The pipeline first, while the queue holds nothing of the other groups (their
        # challenges' previews and shares, the redirect's clicks): the worker runs only here.
        if wanted("pipeline"):
            figures += pipeline_figures(base, env, content_url, worker_tuning)
        if wanted("challenges"):
            from bench import challenges

            token, statuses = challenges.seed(base, content_url)
            constant = load(f"{base}/health")
            listed = load(f"{base}/api/v1/challenges", {"Authorization": f"Bearer {token}"})
            # what any request pays for one PostgreSQL statement through the pool
            select_1 = load(f"{base}/ready")
            shown = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            name = f"challenge list for an employee ({challenges.OPEN_CHALLENGES} open: {shown})"
            figures += [
                ratio_figure(
                    name,
                    listed,
                    "constant endpoint (/health)",
                    constant,
                    "req/s",
                    ">= 0.5x",
                    listed / constant >= 0.5,
                ),
                ratio_figure(
                    "challenge list (the same)",
                    listed,
                    "endpoint doing one SELECT 1 and one PING (/ready)",
                    select_1,
                    "req/s",
                    "report",
                    True,
                ),
            ]
        if wanted("redirect"):
            data = seed(base, content_url)
            constant = load(f"{base}/health")
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
            figures += leaderboard_figures(base, env, load)
        elif wanted("awards"):
            figures.append(award_figure(base, env))
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
        if wanted("analytics"):
            from bench import analytics
            from bench import leaderboards as lb_run

            got = lb_run.run_async(analytics.measure(base))
            figures.append(
                ratio_figure(
                    f"admin analytics over {analytics.CLICKS:,} clicks and "
                    f"{analytics.LEDGER:,} ledger rows (30 days, every slice)",
                    got.analytics * 1000,
                    "one indexed COUNT over the same clicks",
                    got.count * 1000,
                    "ms",
                    "<= 20x",
                    got.analytics / got.count <= 20,
                )
            )
        if wanted("rank"):
            figures += rank_figures()
        if wanted("photos"):
            figures.append(photo_figure(base))
        if wanted("board-memory"):
            from bench import board_memory

            small, large = board_memory.measure_all(env["CHORUS_REDIS_URL"])
            figures.append(
                ratio_figure(
                    f"Redis memory per board member ({large.members:,} people, week + month + "
                    f"all-time + one challenge, teams of {board_memory.TEAM_SIZE}; "
                    f"{small.per_member:.0f} B at {small.members:,})",
                    large.per_member,
                    f"the payload alone ({board_memory.PAYLOAD} B per board entry)",
                    large.payload_per_member,
                    "B",
                    "report",
                    True,
                )
            )
        if wanted("cluster"):
            from bench import cluster

            figures += cluster.figures(base, env, load, start_api, ratio_figure)
        if wanted("memory"):
            loaded_rss = rss_mb(api.pid)
            figures.append(
                ratio_figure(
                    "API process RSS after the load runs",
                    loaded_rss,
                    "the same process idle after start",
                    idle_rss,
                    "MB",
                    "<= 2x",
                    loaded_rss / idle_rss <= 2,
                )
            )
    finally:
        if api is not None:
            pipeline.stop(api)
        pipeline.stop(network)
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


def pipeline_figures(
    base: str, env: dict[str, str], content_url: str, tuning: list[str]
) -> list[Figure]:
    from bench import pipeline

    got = pipeline.run(base, env, content_url, tuning)
    ms = 1000
    rate = f"{pipeline.RATE}/s, {pipeline.SUBMISSIONS} people"
    noop_p50, noop_p99 = pipeline.p50(got.noop) * ms, pipeline.p99(got.noop) * ms
    verified_p99 = pipeline.p99(got.verified) * ms
    figures = [
        ratio_figure(
            f"share submitted -> verified -> on the board, p50 ({rate}, SSE)",
            pipeline.p50(got.verified) * ms,
            "bare arq no-op job round trip, p50 (same pace)",
            noop_p50,
            "ms",
            "report",
            True,
        ),
        ratio_figure(
            f"share submitted -> verified -> on the board, p99 ({rate}, SSE)",
            verified_p99,
            "bare arq no-op job round trip, p99 (same pace)",
            noop_p99,
            "ms",
            "p99 <= 250 ms",
            verified_p99 <= 250,
        ),
        ratio_figure(
            "share submitted -> points shown by GET /leaderboards/users, p99",
            pipeline.p99(got.shown) * ms,
            "bare arq no-op job round trip, p99 (same pace)",
            noop_p99,
            "ms",
            "report",
            True,
        ),
        ratio_figure(
            f"verifications completed, one worker ({pipeline.BURST} jobs enqueued at once)",
            got.verifications_per_s,
            "bare arq no-op jobs, same worker settings",
            got.noops_per_s,
            "jobs/s",
            ">= 150 jobs/s (issue 22)",
            got.verifications_per_s >= 150,
        ),
    ]
    if got.verified_2:
        rate_2 = f"{pipeline.RATE_2}/s, {pipeline.SUBMISSIONS_2} people, 2 workers"
        noop_2_p99 = pipeline.p99(got.noop_2) * ms
        figures += [
            ratio_figure(
                f"share submitted -> verified -> on the board, p99 ({rate_2}, SSE)",
                pipeline.p99(got.verified_2) * ms,
                "bare arq no-op job round trip, p99 (same pace, 2 no-op workers)",
                noop_2_p99,
                "ms",
                "report",
                True,
            ),
        ]
    return figures


def photo_figure(base: str) -> Figure:
    from bench import photos
    from bench.pipeline import p99

    idle, busy = photos.run(base)
    busy_p99 = p99(busy) * 1000
    return ratio_figure(
        f"/health p99 during {photos.UPLOADS} concurrent {photos.SIDE}x{photos.SIDE} photo "
        f"uploads (PNG, {len(busy)} answers)",
        busy_p99,
        "/health p99 idle (same server, same client)",
        p99(idle) * 1000,
        "ms",
        "p99 <= 200 ms",
        busy_p99 <= 200,
    )


def rank_figures() -> list[Figure]:
    from bench import leaderboards as lb
    from bench import rank

    got: rank.RankFigures = lb.run_async(rank.compare())
    ms = 1000
    return [
        ratio_figure(
            f"my rank among {rank.MEMBERS:,}: PostgreSQL RANK() OVER (ORDER BY points DESC)",
            got.pg_my_rank * ms,
            "Redis ZREVRANK on a sorted set of the same",
            got.redis_my_rank * ms,
            "ms",
            "report",
            True,
        ),
        ratio_figure(
            f"top 10 of {rank.MEMBERS:,}: PostgreSQL RANK() OVER, index on points",
            got.pg_top10 * ms,
            "Redis ZREVRANGE 0 9 WITHSCORES",
            got.redis_top10 * ms,
            "ms",
            "report",
            True,
        ),
    ]


def leaderboard_figures(base: str, env: dict[str, str], load: Any) -> list[Figure]:
    from bench import leaderboards as lb

    small = lb.signup(base, "Ten Thousand Co")
    lb.run_async(lb.fill_board(env["CHORUS_REDIS_URL"], small["orgId"], small["userId"], lb.SMALL))
    auth = {"Authorization": f"Bearer {small['accessToken']}"}
    constant = load(f"{base}/health")
    users = load(f"{base}/api/v1/leaderboards/users?period=week&limit=10", auth)
    teams = load(f"{base}/api/v1/leaderboards/teams?period=week", auth)
    large = lb.signup(base, "Million Co")
    lb.run_async(lb.fill_board(env["CHORUS_REDIS_URL"], large["orgId"], large["userId"], lb.LARGE))
    large_auth = {"Authorization": f"Bearer {large['accessToken']}"}
    ping = load(f"{base}/health/redis")
    users_large = load(f"{base}/api/v1/leaderboards/users?period=week&limit=10", large_auth)
    awards = award_figure(base, env, small)
    ledger = lb.signup(base, "Ledger Co")
    rebuild_s, read_s, rows = lb.run_async(lb.rebuild_figures(ledger["orgId"]))
    return [
        ratio_figure(
            f"leaderboard read, top 10 + me + around ({lb.SMALL:,} members, in memory)",
            users,
            "constant endpoint (/health)",
            constant,
            "req/s",
            ">= 0.6x",
            users / constant >= 0.6,
        ),
        ratio_figure(
            f"leaderboard read ({lb.LARGE:,} members, top page and my part held; one Lua call "
            "for me + around once the board changed)",
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
            "within 1.25x (ratio >= 0.8)",
            users / users_large <= 1.25,
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
        awards,
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


def award_figure(base: str, env: dict[str, str], org: dict[str, Any] | None = None) -> Figure:
    """Awards through the board writer against raw ZINCRBY, on a board of SMALL members."""
    from bench import leaderboards as lb

    if org is None:
        org = lb.signup(base, "Awards Co")
        lb.run_async(lb.fill_board(env["CHORUS_REDIS_URL"], org["orgId"], org["userId"], lb.SMALL))
    ours, raw = lb.run_async(lb.award_throughput(org["orgId"]))
    return ratio_figure(
        f"awards applied to every board (worker, batches of {lb.AWARD_BATCH}, {lb.LANES} lanes)",
        ours,
        "raw pipelined ZINCRBY of the same board updates",
        raw,
        "awards/s",
        ">= 0.6x",
        ours / raw >= 0.6,
    )


def number(value: float) -> str:
    """Three significant digits or so: 12,345 / 123 / 12.3 / 1.23 / 0.0123."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def print_table(figures: list[Figure]) -> None:
    rows = [("figure", "value", "baseline", "ratio", "target", "met?")]
    for f in figures:
        rows.append(
            (
                f.name,
                f"{number(f.value)} {f.unit}",
                f"{number(f.baseline)} {f.unit} ({f.baseline_name})",
                f"{f.ratio:.2f}x" if f.ratio < 10 else f"{number(f.ratio)}x",
                f.target,
                "-" if f.target == "report" else "yes" if f.met else "NO",
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
        choices=GROUPS,
        help="run only these groups (repeatable; default: all)",
    )
    parser.add_argument(
        "--worker-tuning",
        default="",
        metavar="NAME=VALUE,...",
        help="experiments only: run the pipeline's worker and its no-op baseline with these arq "
        "settings (e.g. poll_delay=0.02,max_jobs=50) instead of `chorus worker`'s",
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "granian"],
        default="uvicorn",
        help="the ASGI server `chorus serve` runs the HTTP figures on (default: chorus's own)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench needs wrk: apt-get install wrk")
    tuning = [pair for pair in args.worker_tuning.split(",") if pair]
    from bench.workers import parse_tuning

    parse_tuning(tuning)  # a typo fails now, not after the first groups ran
    started = time.monotonic()
    only = set(args.only) if args.only else None
    figures = run(args.seconds, args.connections, only, tuning, args.server)
    took = time.monotonic() - started
    print_table(figures)
    print(f"\n{len(figures)} figures in {took / 60:.1f} min (server: {args.server})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(
        json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "server": f"chorus serve --server {args.server}, 1 process",
                "worker": "chorus worker (arq), 1 process, for the pipeline figures"
                + (f", arq settings changed: {args.worker_tuning}" if tuning else ""),
                "load": f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1",
                "seconds": round(took, 1),
                "figures": [asdict(f) for f in figures],
            },
            indent=2,
        )
    )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
