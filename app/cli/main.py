"""The ``run.py`` command group: serving, and the admin commands."""

from __future__ import annotations

import sys

import click

from app.cli import accounts, jobs, users
from app.cli.shell import Shell, fail
from config import Config, ConfigError


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """examgen job server: with no command it serves; the commands manage it from the shell."""
    try:
        config = Config.from_env().validate()
    except ConfigError as exc:
        fail(f"configuration error: {exc}", 2)
    from app.logs import configure_logging

    # the commands print their answers; only warnings of the libraries underneath are logged
    configure_logging(config.log_level if ctx.invoked_subcommand in (None, "serve") else "WARNING")
    ctx.obj = Shell(config)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve_command)


@cli.command("serve")
@click.pass_obj
def serve_command(shell: Shell) -> None:
    """Start the server (the default)."""
    from run import serve

    try:
        code = serve(shell.config)
    except (ConfigError, ValueError, OSError) as exc:
        fail(f"cannot start: {exc}", 2)
    sys.exit(code)


for _module in (jobs, users, accounts):
    _module.attach(cli)
