"""The `chorus` command: dev, serve, worker, migrate, create-org, vapid-keys, openapi.

Settings are read once, so each command sets what it must in the environment before the
first import of anything that reads them (backend.db, backend.app).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import click

DEV_DATABASE = "chorus"


def _fail(message: str) -> None:
    click.secho(f"chorus: {message}", fg="red", err=True)
    sys.exit(2)


@click.group(help="Chorus: gamified employee advocacy.")
def main() -> None:
    pass


async def ensure_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def run_migrations() -> None:
    """Apply every pending Piccolo migration (idempotent)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    import backend.piccolo_conf  # noqa: F401 - binds the engine before Piccolo looks for it

    with contextlib.redirect_stdout(sys.stderr):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise click.ClickException(f"migrations failed: {result.message}")


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    _check_settings()
    asyncio.run(run_migrations())
    click.echo("migrations applied")


def _check_settings() -> None:
    from backend.settings import SettingsError, get_settings

    try:
        get_settings().check()
    except SettingsError as exc:
        _fail(str(exc))


def _exit_on_signal(signum: int, _: object) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.option("--host", default=None, help="Bind address (CHORUS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (CHORUS_PORT, default 8000).")
@click.option(
    "--data-dir", default=None, help="Where dev data lives (CHORUS_DATA_DIR, default ./.chorus)."
)
@click.option("--demo", is_flag=True, help="Seed a demo organization and print how to sign in.")
def dev(host: str | None, port: int | None, data_dir: str | None, demo: bool) -> None:
    """Run everything on one machine: embedded PostgreSQL and Redis, the API, a worker, the app."""
    from backend.embedded import EmbeddedError, EmbeddedPostgres, EmbeddedRedis, data_dir_lock
    from backend.settings import dev_secret_key

    # Until the server runs, a stop signal unwinds the ExitStack below like Ctrl-C does.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    env = os.environ
    env.setdefault("CHORUS_ENV", "dev")
    env.setdefault("CHORUS_LOG_FORMAT", "text")
    if host:
        env["CHORUS_HOST"] = host
    if port:
        env["CHORUS_PORT"] = str(port)
    root = Path(data_dir or env.get("CHORUS_DATA_DIR", ".chorus")).resolve()
    env["CHORUS_DATA_DIR"] = str(root)
    env["CHORUS_INPROCESS_WORKER"] = "1"

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(data_dir_lock(root))
            if not env.get("CHORUS_DATABASE_URL"):
                click.echo("starting embedded PostgreSQL ...", err=True)
                postgres = EmbeddedPostgres(root / "pg")
                admin_url = postgres.start()
                stack.callback(postgres.stop)
                asyncio.run(ensure_database(admin_url, DEV_DATABASE))
                env["CHORUS_DATABASE_URL"] = postgres.url(DEV_DATABASE)
            if not env.get("CHORUS_REDIS_URL"):
                click.echo("starting embedded Valkey ...", err=True)
                redis = EmbeddedRedis(root / "redis", persist=True)
                env["CHORUS_REDIS_URL"] = redis.start()
                stack.callback(redis.stop)
        except EmbeddedError as exc:
            _fail(str(exc))
        env.setdefault("CHORUS_SECRET_KEY", dev_secret_key(root))
        if not env.get("CHORUS_VAPID_PRIVATE_KEY"):
            from backend.notifications.vapid import dev_key_file

            env.setdefault("CHORUS_VAPID_PRIVATE_KEY_FILE", str(dev_key_file(root)))

        from backend.settings import get_settings

        settings = get_settings()
        _check_settings()
        asyncio.run(run_migrations())
        if demo:
            from backend.demo import seed_demo

            lines = asyncio.run(seed_demo(root))
            click.echo("\n".join(lines))

        import uvicorn

        # uvicorn handles SIGINT and SIGTERM while it serves, then raises the one that stopped
        # it again: by then we are stopping anyway, so let that pass and clean up below.
        # Closing the terminal (SIGHUP) becomes a SIGTERM.
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
        click.secho(
            f"\nChorus is running on http://{settings.host}:{settings.port}  (Ctrl-C stops it)\n",
            fg="green",
            err=True,
        )
        uvicorn.run(
            "backend.app:create_default_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    click.echo("Chorus stopped.", err=True)


@main.command()
@click.option("--host", default=None, help="Bind address (CHORUS_HOST).")
@click.option("--port", type=int, default=None, help="Port (CHORUS_PORT).")
@click.option("--workers", type=int, default=1, show_default=True, help="API processes.")
@click.option(
    "--server",
    type=click.Choice(["uvicorn", "granian"]),
    default="uvicorn",
    show_default=True,
    help="The ASGI server (bench/README.md compares them).",
)
def serve(host: str | None, port: int | None, workers: int, server: str) -> None:
    """Serve the API (uvicorn or granian) against the PostgreSQL and Redis the settings name."""
    if host:
        os.environ["CHORUS_HOST"] = host
    if port:
        os.environ["CHORUS_PORT"] = str(port)
    _check_settings()
    from backend.settings import get_settings

    settings = get_settings()
    if server == "granian":
        _serve_granian(settings.host, settings.port, workers, settings.log_level)
        return
    import uvicorn

    uvicorn.run(
        "backend.app:create_default_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        # the client address comes from CHORUS_TRUSTED_PROXIES (backend/http/client.py)
        proxy_headers=False,
        timeout_keep_alive=settings.keepalive_seconds,
    )


def _serve_granian(host: str, port: int, workers: int, log_level: str) -> None:
    """The same app under granian: HTTP/1.1 and HTTP/2, SIGINT/SIGTERM stop it gracefully."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    try:
        level = LogLevels(log_level.lower())
    except ValueError:
        level = LogLevels.warning
    Granian(
        "backend.app:create_default_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        # granian's own lines (start, stop, a worker that died); the app configures its own
        log_level=level,
        log_access=False,
        # a worker that died is started again, as uvicorn's supervisor does with --workers
        respawn_failed_workers=workers > 1,
    ).serve()


@main.command()
@click.option(
    "--check",
    is_flag=True,
    help="Health check: exit 0 when a worker on this host recorded its heartbeat in Redis "
    "within the last 11 seconds, 1 otherwise (for container health checks).",
)
def worker(check: bool) -> None:
    """Run an arq worker: verification, points, push fan-out, cron jobs."""
    if check:
        _check_worker()
        return
    _check_settings()
    from backend.logs import configure_logging
    from backend.settings import get_settings
    from workers.settings import run_supervised

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_supervised(stop)

    asyncio.run(run())


def _check_worker() -> None:
    from redis.exceptions import RedisError

    from backend.jobs import worker_health_key, worker_is_healthy
    from backend.settings import get_settings

    url = get_settings().redis_url
    if not url:
        _fail("CHORUS_REDIS_URL is not set")
    try:
        healthy = asyncio.run(worker_is_healthy(url))
    except (RedisError, OSError) as exc:
        click.echo(f"worker unhealthy: Redis unreachable ({type(exc).__name__})", err=True)
        sys.exit(1)
    if not healthy:
        click.echo(f"worker unhealthy: no fresh {worker_health_key()} in Redis", err=True)
        sys.exit(1)
    click.echo("worker healthy")


@main.command("create-org")
@click.option("--name", required=True, help="The organization's name.")
@click.option("--admin-email", required=True, help="Its first admin's email.")
@click.option("--password-stdin", is_flag=True, help="Read the admin password from standard input.")
def create_org(name: str, admin_email: str, password_stdin: bool) -> None:
    """Create an organization and its first admin (prompts for the password)."""
    _check_settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)

    import msgspec

    from backend.core.errors import DomainError
    from backend.orgs import service

    try:
        org_id = asyncio.run(service.create_organization(name, admin_email, password))
    except (DomainError, msgspec.ValidationError) as exc:
        _fail(str(exc))
    click.echo(f"organization {org_id} created; sign in as {admin_email}")


@main.group()
def leaderboards() -> None:
    """Leaderboard maintenance."""


@leaderboards.command("rebuild")
@click.option("--org", "org_id", default=None, help="One organization's id (default: all).")
def rebuild_leaderboards(org_id: str | None) -> None:
    """Rebuild boards from the points ledger (the truth); safe while Chorus runs."""
    _check_settings()
    from uuid import UUID

    async def run() -> list[str]:
        from redis.asyncio import Redis

        from backend.leaderboards.boards import rebuild_locked
        from backend.orgs.tables import Organization
        from backend.settings import get_settings

        redis = Redis.from_url(get_settings().redis_url)
        try:
            ids = (
                [UUID(org_id)]
                if org_id
                else [row["id"] for row in await Organization.select(Organization.id)]
            )
            for one in ids:
                await rebuild_locked(redis, one)
            return [str(one) for one in ids]
        finally:
            await redis.aclose()

    try:
        done = asyncio.run(run())
    except ValueError:
        _fail(f"--org must be an organization id (a UUID), not {org_id!r}")
    click.echo(f"rebuilt the leaderboards of {len(done)} organization(s)")


@main.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new VAPID key pair for Web Push (keep the private key secret)."""
    from backend.notifications.vapid import generate

    private, public = generate()
    click.echo(f"CHORUS_VAPID_PRIVATE_KEY={private}")
    # the public key is derived from the private one; printed for reference only
    click.echo(f"CHORUS_VAPID_PUBLIC_KEY={public}")


@main.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON): what the PWA's typed client is generated from.

    Needs no database or Redis: the document is built from the routes alone.
    """
    import json

    os.environ.setdefault("CHORUS_ENV", "dev")
    os.environ.setdefault("CHORUS_DATABASE_URL", "postgresql://unused/unused")
    os.environ.setdefault("CHORUS_REDIS_URL", "redis://unused")
    os.environ["CHORUS_API_DOCS"] = "true"  # the document exists whatever the environment says
    from backend.app import create_app

    document = create_app().openapi_schema.to_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
