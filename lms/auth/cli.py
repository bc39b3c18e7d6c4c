"""``lms users …``: accounts from the command line."""

from __future__ import annotations

import sys
from contextlib import nullcontext

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms import config, db
from lms.auth import services
from lms.auth.models import ROLE_VALUES, User
from lms.spreadsheet import BOM, csv_rows, open_private


@click.group("users")
def users() -> None:
    """Accounts and roles."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLE_VALUES), required=True)
@click.option("--unit", "units", multiple=True, help="org-unit code (coordinators; repeatable)")
@click.option("--name", "display_name", default="", help="display name for accounts without employee record")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@with_appcontext
def create(email: str, role: str, units: tuple[str, ...], display_name: str, password_stdin: bool) -> None:
    """Create an account; without --password-stdin an invitation link is printed."""
    if not password_stdin:
        config.require(current_app.config, "LMS_BASE_URL")  # for the invitation link
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = services.create_user(email, role, unit_codes=list(units), password=password,
                                    display_name=display_name, actor_label="cli")
        token = None if password else services.invite(user, actor_label="cli")
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")
    if token:
        click.echo("invitation link (valid 7 days): "
                   f"{services.invitation_url(token)}")


@users.command("invite")
@click.argument("email")
@with_appcontext
def invite(email: str) -> None:
    """Print a new invitation link for an existing account."""
    config.require(current_app.config, "LMS_BASE_URL")
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    token = services.invite(user, actor_label="cli")
    db.session.commit()
    click.echo(services.invitation_url(token))


@users.command("invite-employees")
@click.option("--unit", "unit", help="only this org unit and its sub-units (code)")
@click.option("--out", default="-",
              help="write 'email;invitation link' lines to this file, readable only by you (mode 0600); "
                   "default: standard output")
@with_appcontext
def invite_employees(unit: str | None, out: str) -> None:
    """Create accounts with invitation links for all active employees who have none yet."""
    config.require(current_app.config, "LMS_BASE_URL")
    try:
        invited = services.invite_employees(unit, actor_label="cli")
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    # the links are passwords for a week: the file is the owner's only, its cells cannot run formulas
    lines = csv_rows(["email", "invitation_link"],
                     ([employee.email, services.invitation_url(token)] for employee, token in invited))
    with (nullcontext(sys.stdout) if out == "-" else open_private(out)) as stream:
        for n, line in enumerate(lines):
            stream.write(line.removeprefix(BOM) if n == 0 else line)
    click.echo(f"{len(invited)} employee account(s) created with invitations (valid 7 days)", err=True)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_VALUES))
@click.option("--unit", "units", multiple=True, help="org-unit code (coordinators; repeatable)")
@with_appcontext
def set_role(email: str, role: str, units: tuple[str, ...]) -> None:
    """Change an account's role; ends all its sessions."""
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    try:
        services.set_role(user, role, unit_codes=list(units) if units else None, actor_label="cli")
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email}: {role}")


@users.command("list")
@click.option("--role", type=click.Choice(ROLE_VALUES))
@with_appcontext
def list_users(role: str | None) -> None:
    """List accounts (e-mail, role, scopes, active)."""
    query = select(User).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    for user in db.session.scalars(query):
        scopes = ",".join(s.org_unit.code for s in user.scopes)
        state = "active" if user.is_active else "inactive"
        click.echo(f"{user.email}\t{user.role}\t{scopes}\t{state}")


COMMANDS = (users,)
