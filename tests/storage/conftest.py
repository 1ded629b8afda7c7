"""Databases for the storage tests: a SQLite file and a throw-away PostgreSQL database."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.replies.learning import ShopLearning
from app.services import Services
from app.storage.db import Database, migrate, open_database
from app.storage.models import Base


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[Database]:
    """The session's PostgreSQL database, migrated once."""
    database = open_database(postgres_url)
    migrate(database)
    yield database
    database.dispose()


def _empty_postgres(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a new SQLite file, or the session's PostgreSQL emptied."""
    if request.param == "sqlite":
        sqlite = open_database(f"sqlite:///{tmp_path / 'huashu.db'}")
        migrate(sqlite)
        yield sqlite
        sqlite.dispose()
        return
    postgres: Database = request.getfixturevalue("postgres_database")
    _empty_postgres(postgres)
    yield postgres
    _empty_postgres(postgres)


@pytest.fixture
def stored_services(services: Services, database: Database) -> Services:
    """The session's analyzer, phrasebook and guard, with this test's database and learning."""
    learning = ShopLearning(
        base=services.base_phrasebook, rules=services.learning.rules, refresh_after_s=30.0
    )
    return dataclasses.replace(services, learning=learning, database=database)
