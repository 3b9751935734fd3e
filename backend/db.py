"""The one PostgreSQL engine every Piccolo table is bound to."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from backend.settings import get_settings

DB = PostgresEngine(config={"dsn": get_settings().database_url}, log_queries=False)


_pool_users = 0


async def _keep_session(connection: object) -> None:
    """What the pool does to a connection it takes back, beyond rolling back an open
    transaction (asyncpg always does that): nothing. Chorus never leaves session state behind
    (advisory locks and SET are transaction-scoped, no LISTEN, no cursors), so asyncpg's default
    RESET ALL / UNLISTEN / CLOSE ALL round trip after every statement is pure cost."""


async def open_pool() -> None:
    """Open the engine's pool for one more user (an app, a worker); the first opens it."""
    global _pool_users
    _pool_users += 1
    if _pool_users == 1:
        settings = get_settings()
        await DB.start_connection_pool(
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            command_timeout=30,
            reset=_keep_session,
        )


async def close_pool() -> None:
    """Release one user's hold on the pool; the last one closes it."""
    global _pool_users
    _pool_users = max(_pool_users - 1, 0)
    if _pool_users == 0 and DB.pool is not None:
        await DB.close_connection_pool()


def sql_migration(
    *, migration_id: str, app_name: str, description: str, statements: list[str]
) -> MigrationManager:
    """A Piccolo migration made of plain SQL statements, run in order in one transaction.

    Chorus writes its schema as SQL so that composite unique keys, partial indexes and
    CHECK constraints are stated exactly; the Table classes mirror it for queries.
    """
    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run() -> None:
        for statement in statements:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
