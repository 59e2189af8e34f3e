"""`evenfloor db ...`: Alembic migrations through advanced-alchemy."""

from __future__ import annotations

from typing import Any

import click


def _commands() -> Any:
    from advanced_alchemy.alembic.commands import AlembicCommands

    import server.db.tables  # noqa: F401  (registers the tables on the metadata)
    from server.db.engine import alchemy_config, create_engine
    from server.settings import get_settings

    settings = get_settings()
    return AlembicCommands(sqlalchemy_config=alchemy_config(create_engine(settings.database_url)))


@click.group()
def db() -> None:
    """Database migrations."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    _commands().upgrade(revision=revision)
    click.echo(f"database at {revision}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    _commands().downgrade(revision=revision)


@db.command()
def check() -> None:
    """Fail if the tables and the migrations disagree."""
    _commands().check()


@db.command("make-migration")
@click.option("-m", "--message", required=True)
def make_migration(message: str) -> None:
    """Autogenerate a migration from the table definitions."""
    _commands().revision(message=message, autogenerate=True)


@db.command()
def current() -> None:
    """Show the applied revision."""
    _commands().current(verbose=True)
