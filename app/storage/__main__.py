"""`python -m app.storage migrate`: bring the database of HUASHU_DATABASE_URL to the newest schema."""

import argparse
import sys

from app.settings import get_settings
from app.storage.db import migrate, open_database


def main(argv: list[str] | None = None) -> int:
    """Run the storage command named on the command line."""
    parser = argparse.ArgumentParser(prog="python -m app.storage", description=__doc__)
    parser.add_argument(
        "command", choices=["migrate"], help="migrate: upgrade to the newest schema"
    )
    parser.add_argument("--database-url", help="overrides HUASHU_DATABASE_URL")
    args = parser.parse_args(argv)
    url = args.database_url or get_settings().database_url
    database = open_database(url)
    try:
        migrate(database)
    finally:
        database.dispose()
    sys.stderr.write(f"database at {database.engine.url.render_as_string()} is up to date\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
