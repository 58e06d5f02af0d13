"""``accounts list`` and ``accounts check``: platform accounts and their login checks."""

from __future__ import annotations

import click
from sqlalchemy import select

from app import jobs as store
from app.accounts import account_state
from app.cli.shell import Shell, fail, table
from app.engine.outside import nudge
from app.kinds.check_login import login_check_job
from app.models import Account, User
from app.timefmt import iso


def _accounts(shell: Shell, username: str | None, platform: str | None) -> list[tuple[Account, str]]:
    with shell.db.read() as s:
        q = select(Account, User.username).join(User, User.id == Account.user_id)
        if username:
            from app.auth import normal_username  # argon2 loads only when a name is given

            q = q.where(User.username == normal_username(username))
        if platform:
            q = q.where(Account.platform == platform)
        return [(a, n) for a, n in s.execute(q.order_by(User.username, Account.platform, Account.name)).all()]


@click.group("accounts")
def accounts_group() -> None:
    """Platform accounts."""


@accounts_group.command("list")
@click.option("--user", "username", help="only this user's accounts")
@click.option("--platform", help="only this platform")
@click.pass_obj
def accounts_list(shell: Shell, username: str | None, platform: str | None) -> None:
    """Every account with its last login check."""
    rows = _accounts(shell, username, platform)
    table(
        [
            (a.id, name, a.platform, a.name, account_state(a), iso(a.checked_at), iso(a.cooldown_until))
            for a, name in rows
        ],
        ["ID", "USER", "PLATFORM", "ACCOUNT", "STATE", "CHECKED", "COOLING_UNTIL"],
    )


@accounts_group.command("check")
@click.option("--user", "username", help="only this user's accounts")
@click.option("--platform", help="only this platform")
@click.option("--id", "account_id", type=int, help="only this account")
@click.pass_obj
def accounts_check(shell: Shell, username: str | None, platform: str | None, account_id: int | None) -> None:
    """Queue a login check (a quick ``check_login`` job) for each account; the server runs them."""
    rows = [(a, n) for a, n in _accounts(shell, username, platform) if account_id is None or a.id == account_id]
    if not rows:
        fail("no such account")
    with shell.db.write() as s:
        for account, name in rows:
            job = login_check_job(account)
            (created,) = store.create_jobs(s, account.user_id, [job], 0, shell.config.max_retries + 1)
            click.echo(f"{created.id}: check of {name}'s {account.platform}/{account.name} queued")
    nudge(shell.config.instance_path)


def attach(group: click.Group) -> None:
    """Add these commands to ``group``."""
    group.add_command(accounts_group)
