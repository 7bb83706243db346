"""``flask --app tracker create-user``: make an account from the command line."""

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.domain.addresses import InvalidEmail, normalise_email
from tracker.extensions import db
from tracker.models import Faculty, Programme
from tracker.models.user import MIN_PASSWORD_LENGTH
from tracker.services import accounts, login_links, organisation


def _resolve_codes(codes: tuple[str, ...]) -> tuple[list[Faculty], list[Programme]]:
    """Turn faculty or programme codes into objects; a usage error for unknown or ambiguous."""
    faculties: list[Faculty] = []
    programmes: list[Programme] = []
    for code in codes:
        faculty = organisation.get_faculty_by_code(code)
        programme = organisation.get_programme_by_code(code)
        if faculty is not None and programme is not None:
            raise click.BadParameter(
                f"{code!r} is both a faculty and a programme code.", param_hint="--coordinator-of"
            )
        if faculty is None and programme is None:
            raise click.BadParameter(
                f"no faculty or programme has the code {code!r}.", param_hint="--coordinator-of"
            )
        if faculty is not None:
            faculties.append(faculty)
        else:
            programmes.append(programme)
    return faculties, programmes


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as shown to others.")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option(
    "--coordinator-of",
    "codes",
    multiple=True,
    metavar="CODE",
    help="Faculty or programme code the user coordinates (repeatable).",
)
@with_appcontext
def create_user_command(email: str, name: str, admin: bool, codes: tuple[str, ...]) -> None:
    """Create a user, or add roles to an existing one.

    The password is asked for on a prompt; leave it empty to e-mail the person a link
    to set it (written to the log when no mail server is configured).
    """
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise click.BadParameter(error.reason, param_hint="EMAIL") from None
    faculties, programmes = _resolve_codes(codes)

    existing = accounts.get_user_by_email(address)
    if existing is not None:
        changes = accounts.grant_roles(
            None, existing, is_admin=admin, faculties=faculties, programmes=programmes
        )
        db.session.commit()
        roles = ", ".join(sorted(changes)) if changes else "nothing new"
        click.echo(f"User {existing.email} already exists; roles updated ({roles}).")
        return

    local_login = current_app.config["LOCAL_LOGIN"]
    # Without password log-in the person logs in with the institution's account.
    password = (
        click.prompt(
            "Password (leave empty to e-mail an invitation link)",
            default="",
            show_default=False,
            hide_input=True,
            confirmation_prompt=True,
        )
        if local_login
        else ""
    )
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    user = accounts.create_user(
        None,
        email=address,
        name=name,
        is_admin=admin,
        faculties=faculties,
        programmes=programmes,
        password=password or None,
    )
    if not password:
        accounts.send_password_link(user, "invite")
    db.session.commit()
    click.echo(f"Created user {user.email}.")
    if not local_login:
        click.echo("An invitation to log in with the institution's account is e-mailed.")
    elif not password:
        click.echo("An invitation link to set the password is e-mailed (or logged).")


@click.command("login-link")
@click.argument("email")
@with_appcontext
def login_link_command(email: str) -> None:
    """Print a one-time link that logs an administrator in.

    For getting in where password log-in is off (TRACKER_LOCAL_LOGIN=0) and the
    institution's log-in cannot be used. The link works once, for 15 minutes, and only
    for an active administrator; whoever holds it can use it, so open it yourself.
    """
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise click.BadParameter(error.reason, param_hint="EMAIL") from None
    user = accounts.get_user_by_email(address)
    if user is None:
        raise click.BadParameter(f"no user has the address {address}.", param_hint="EMAIL")
    try:
        link = login_links.create_login_link(user)
    except login_links.LoginLinkError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(link)
