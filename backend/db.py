"""The one PostgreSQL engine every Piccolo table is bound to."""

from __future__ import annotations

from typing import Any

import asyncpg
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from backend.settings import get_settings

# What a database that restarts, crashes or drops a connection raises. A connection that saw
# one may be left mid-protocol ("another operation is in progress") while looking open.
CONNECTION_LOST: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,  # refused, reset
    FileNotFoundError,  # the server's unix socket is gone while it is down
)


class Engine(PostgresEngine):
    """Piccolo's PostgreSQL engine, made to recover by itself when the database goes away.

    After a lost connection every pooled connection is renewed (closed on its next release or
    acquire, a new one opened in its place), so no broken connection is ever handed out again;
    and a transaction whose BEGIN, COMMIT or ROLLBACK failed always gives its connection back.
    """

    async def renew_connections(self) -> None:
        if self.pool is not None:
            await self.pool.expire_connections()

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        try:
            return await super().run_querystring(querystring, in_pool)
        except CONNECTION_LOST:
            await self.renew_connections()
            raise

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        try:
            return await super().run_ddl(ddl, in_pool)
        except CONNECTION_LOST:
            await self.renew_connections()
            raise

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _Transaction(engine=self, allow_nested=allow_nested)


class _Transaction(PostgresTransaction):
    engine: Engine

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
        try:
            self.transaction = self.connection.transaction()
            await self.begin()  # type: ignore[no-untyped-call]
        except BaseException:
            await self._discard()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        except BaseException:
            self.engine.current_transaction.reset(self.context)
            await self._discard()
            raise
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()
        self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _discard(self) -> None:
        """The connection failed mid-transaction: close it for good, and renew the others."""
        self.connection.terminate()
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        await self.engine.renew_connections()


DB = Engine(config={"dsn": get_settings().database_url}, log_queries=False)


async def fetch(sql: str, *args: Any) -> list[Any]:
    """One statement with asyncpg's own `$n` placeholders (a value used twice is passed once),
    on the current transaction's connection when there is one, else on a pooled connection."""
    transaction = DB.current_transaction.get()
    try:
        if transaction is not None:
            return list(await transaction.connection.fetch(sql, *args))
        if DB.pool is None:
            raise RuntimeError("The database pool is not open.")
        async with DB.pool.acquire() as connection:
            return list(await connection.fetch(sql, *args))
    except CONNECTION_LOST:
        await DB.renew_connections()
        raise


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
