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
@click.option("--no-mail", is_flag=True, help="only print the invitation link, send no e-mail")
@with_appcontext
def create(email: str, role: str, units: tuple[str, ...], display_name: str, password_stdin: bool,
           no_mail: bool) -> None:
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
        if not no_mail:
            _mail_invitations([(user, token)])


def _mail_invitations(pairs) -> None:
    """E-mail the links (one connection); say how many left, and which not (exit status 1). Without an
    SMTP server (``LMS_SMTP_HOST`` unset outside development) only say so: the links are printed."""
    if not current_app.config["LMS_SMTP_HOST"] and not current_app.config["LMS_DEV"]:
        click.echo("no e-mail sent (LMS_SMTP_HOST is not set): hand out the link(s) yourself", err=True)
        return
    result = services.send_invitations(pairs)
    click.echo(f"{len(result.sent)} invitation e-mail(s) sent", err=True)
    if not result.ok:
        for message, reason in result.failed:
            click.echo(f"  not sent to {message.to}: {reason}", err=True)
        raise click.ClickException(f"{len(result.failed)} invitation e-mail(s) could not be sent; the links above "
                                   "are valid: hand them out yourself or run `lms users invite EMAIL` later")


@users.command("invite")
@click.argument("email")
@click.option("--no-mail", is_flag=True, help="only print the link, send no e-mail")
@with_appcontext
def invite(email: str, no_mail: bool) -> None:
    """Print a new invitation link for an existing account and send it by e-mail (older links are void)."""
    config.require(current_app.config, "LMS_BASE_URL")
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    token = services.invite(user, actor_label="cli")
    db.session.commit()
    click.echo(services.invitation_url(token))
    if not no_mail:
        _mail_invitations([(user, token)])


@users.command("invite-employees")
@click.option("--unit", "unit", help="only this org unit and its sub-units (code)")
@click.option("--out", default="-",
              help="write 'email;invitation link' lines to this file, readable only by you (mode 0600); "
                   "default: standard output")
@click.option("--no-mail", is_flag=True, help="only write the links, send no e-mails")
@with_appcontext
def invite_employees(unit: str | None, out: str, no_mail: bool) -> None:
    """Create accounts with invitation links for all active employees who have none yet, and e-mail
    each their link."""
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
    if invited and not no_mail:
        ids = [employee.id for employee, _token in invited]
        accounts = {u.employee_id: u for i in range(0, len(ids), 900) for u in db.session.scalars(
            select(User).where(User.employee_id.in_(ids[i:i + 900])))}
        _mail_invitations([(accounts[employee.id], token) for employee, token in invited])


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
