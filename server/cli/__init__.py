"""The `evenfloor` command line.

Each subcommand lives in its own module and is imported only when it runs, so that
`evenfloor verify` and `evenfloor tally` work with nothing but their input file: no
server settings, no database, no network.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

# name -> "module:attribute" of a click command
SUBCOMMANDS: dict[str, str] = {
    "serve": "server.cli.serve:serve",
    "db": "server.cli.db:db",
    "seed-demo": "server.cli.serve:seed_demo",
    "tally": "server.cli.tally:tally",
    "groups": "server.cli.groups:groups",
    "export": "server.cli.publication:export",
    "verify": "server.cli.publication:verify",
    "publish": "server.cli.publication:publish",
    "simulate": "server.cli.simulate:simulate",
    "minutes": "server.cli.minutes:minutes",
    "send-notifications": "server.notifications.worker:send_notifications",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="evenfloor")
def main() -> None:
    """Evenfloor: shared decisions among organisations, without any one of them dominating."""
