"""Alembic's entry point: always run from `intervision.migrations.upgrade`, on the caller's connection and
inside the caller's transaction (which holds the migration lock)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
