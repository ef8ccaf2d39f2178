"""Storage: SQLAlchemy tables, the database engine, repositories and Alembic migrations."""
