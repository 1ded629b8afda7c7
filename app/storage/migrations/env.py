"""Alembic environment: runs on the engine (or connection) the app hands over, never a URL here."""

from alembic import context
from sqlalchemy import Connection, Engine

from app.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the connection or engine put into `config.attributes` by app.storage.db."""
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine: Engine = config.attributes["engine"]
    with engine.connect() as new_connection:
        _run(new_connection)
        new_connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
