"""``create-user`` and ``users`` (list, disable, enable, reset-password, new-token, delete)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy import func, select

from app import jobs as store
from app.cli.shell import Shell, fail, table
from app.errors import ExamgenError, NotFound
from app.models import ACTIVE_STATUSES, ApiToken, Job, User
from app.timefmt import iso


def _read_password(from_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\n") if from_stdin else None


@click.command("create-user")
@click.argument("name")
@click.option("--admin", is_flag=True, help="the user may manage users and see all jobs")
@click.option("--password-stdin", is_flag=True, help="read a web-login password from stdin")
@click.pass_obj
def create_user_command(shell: Shell, name: str, admin: bool, password_stdin: bool) -> None:
    """Create a user and print its API token as the last line."""
    from app.auth import create_user

    try:
        created = create_user(shell.db, name, _read_password(password_stdin), admin=admin)
    except ExamgenError as exc:
        fail(exc.message)
    click.echo(f"Created {'admin ' if admin else ''}user {created.user.username}. API token (shown once):")
    click.echo(created.token)


@click.group("users")
def users_group() -> None:
    """List and manage users."""


@users_group.command("list")
@click.pass_obj
def users_list(shell: Shell) -> None:
    """Every user: admin, disabled, tokens, unfinished jobs."""
    with shell.db.read() as s:
        tokens = dict(s.execute(select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id)).all())
        active = dict(
            s.execute(
                select(Job.user_id, func.count()).where(Job.status.in_(ACTIVE_STATUSES)).group_by(Job.user_id)
            ).all()
        )
        users = list(s.scalars(select(User).order_by(User.username)))
    table(
        [
            (
                u.username,
                "yes" if u.is_admin else "no",
                "yes" if u.disabled else "no",
                tokens.get(u.id, 0),
                active.get(u.id, 0),
                iso(u.created_at),
            )
            for u in users
        ],
        ["USER", "ADMIN", "DISABLED", "TOKENS", "ACTIVE_JOBS", "CREATED"],
    )


@users_group.command("disable")
@click.argument("name")
@click.pass_obj
def users_disable(shell: Shell, name: str) -> None:
    """Disable a user: their tokens stop working and their web sessions end at once."""
    _set_disabled(shell, name, True)


@users_group.command("enable")
@click.argument("name")
@click.pass_obj
def users_enable(shell: Shell, name: str) -> None:
    """Enable a disabled user again."""
    _set_disabled(shell, name, False)


def _set_disabled(shell: Shell, name: str, disabled: bool) -> None:
    from app.auth import set_disabled

    if not set_disabled(shell.db, name, disabled):
        fail(f"no user called {name!r}")
    click.echo(f"{name}: {'disabled' if disabled else 'enabled'}")


@users_group.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the new password from stdin (else one is generated)")
@click.pass_obj
def users_reset_password(shell: Shell, name: str, password_stdin: bool) -> None:
    """Set a new web-login password (printed when generated); ends the user's web sessions."""
    from app.users import generated_password, set_password

    given = _read_password(password_stdin)
    password = given if given is not None else generated_password()
    try:
        set_password(shell.db, name, password)
    except NotFound:
        fail(f"no user called {name!r}")
    except ExamgenError as exc:
        fail(exc.message, 2)
    click.echo(f"{name}: password changed; their web sessions are ended")
    if given is None:
        click.echo(password)


@users_group.command("new-token")
@click.argument("name")
@click.option("--token-name", default="cli", show_default=True, help="how the token is listed")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), help="expires after this many days")
@click.pass_obj
def users_new_token(shell: Shell, name: str, token_name: str, days: float | None) -> None:
    """Create an API token for a user and print it (shown once) as the last line."""
    from app.auth import user_id_by_name
    from app.tokens import issue

    try:
        token, _ = issue(shell.db, user_id_by_name(shell.db, name), token_name[:64], days)
    except ExamgenError as exc:
        fail(f"{name}: {exc.message}")
    click.echo(f"New API token {token_name!r} for {name} (shown once):")
    click.echo(token)


@users_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@click.pass_obj
def users_delete(shell: Shell, name: str, yes: bool) -> None:
    """Delete a user with their jobs, files, accounts, tokens and webhooks (not the last admin)."""
    from app.users import delete_user

    if not yes:
        click.confirm(f"Delete {name} and everything they own? This cannot be undone", abort=True)

    def stop(job_ids: Sequence[str]) -> None:
        # another process: waiting jobs end here, running ones are flagged and the server stops them
        with shell.db.write() as s:
            for job_id in job_ids:
                if not store.cancel_waiting(s, job_id):
                    store.request_cancel(s, job_id)

    try:
        gone = delete_user(shell.db, Path(shell.config.instance_path), name, None, stop)
    except NotFound:
        fail(f"no user called {name!r}")
    except ExamgenError as exc:
        fail(exc.message)
    click.echo(f"{gone.username}: deleted with {gone.jobs} job{'s' if gone.jobs != 1 else ''}")


def attach(group: click.Group) -> None:
    """Add these commands to ``group``."""
    group.add_command(create_user_command)
    group.add_command(users_group)
