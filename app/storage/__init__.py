"""Persistence: SQLAlchemy 2 models, the engine, repository queries and Alembic migrations."""
