"""`ortak org|user|token ...`: organisations, users and API tokens (registered by archive.cli)."""
from __future__ import annotations

import sys

import click

from archive.accounts import services
from archive.accounts.models import COUNTRIES, ROLES
from archive.cli_errors import CommandError
from archive.cli_support import AnyCaseChoice, require_schema, table, unit_of_work, when


@click.group()
def org() -> None:
    """Organisations."""


@org.command("create")
@click.argument("name")
@click.option("--country", required=True, type=AnyCaseChoice(COUNTRIES))
def org_create(name, country):
    with unit_of_work() as s:
        o = services.create_organisation(s, name, country)
    click.echo(f"organisation {o.name} ({o.country}) id={o.id}")


@org.command("rename")
@click.argument("name")
@click.argument("new_name")
def org_rename(name, new_name):
    """Rename organisation NAME (as written) to NEW_NAME; refused when another organisation has
    NEW_NAME but for case, white space or the Turkish i's ("TRT" and "trt", "İstanbul TV" and
    "ISTANBUL TV" are one name)."""
    with unit_of_work() as s:
        o = services.rename_organisation(s, name, new_name)
    click.echo(f"organisation {name} renamed {o.name}")


@org.command("list")
def org_list():
    """Every organisation, with its country, state and number of users."""
    with unit_of_work() as s:
        counts = services.user_counts(s)
        table(("id", "name", "country", "state", "users"),
              [(o.id, o.name, o.country, "active" if o.active else "disabled", counts.get(o.id, 0))
               for o in services.list_organisations(s)])


def _set_org_active(name: str, active: bool) -> None:
    with unit_of_work() as s:
        o = services.set_organisation_active(s, name, active)
    click.echo(f"organisation {o.name} {'enabled' if active else 'disabled'}")


@org.command("disable")
@click.argument("name")
def org_disable(name):
    """Its users can no longer log in or use their API tokens; their sessions end. Assets stay."""
    _set_org_active(name, False)


@org.command("enable")
@click.argument("name")
def org_enable(name):
    """Let a disabled organisation's users log in again."""
    _set_org_active(name, True)


@org.command("watermark")
@click.argument("name")
@click.option("--text", help="The text to burn in (default: '<organisation> · PREVIEW').")
@click.option("--off", is_flag=True, help="Previews without a watermark.")
def org_watermark(name, text, off):
    """Burn a text into the previews (proxy, poster, HLS, storyboard) of the organisation's
    assets, never the originals; the ready assets' changed previews are re-made."""
    if off and text is not None:
        raise CommandError("--text and --off exclude each other")
    with unit_of_work() as s:
        o = services.get_organisation(s, name)
        wanted = None if off else (text if text is not None else services.default_watermark(o))
        o, ids = services.set_preview_watermark(s, name, wanted)
    state = f"watermark {o.preview_watermark!r}" if o.preview_watermark else "no watermark"
    click.echo(f"organisation {o.name}: {state}; {len(ids)} asset(s) to re-make")


@click.group()
def user() -> None:
    """Users."""


def _read_password(password_stdin: bool) -> str:
    if not password_stdin:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line.strip("\r\n"):
        raise CommandError("No password on standard input. (empty_password)")
    return line.rstrip("\r\n")


@user.command("create")
@click.argument("email")
@click.option("--org", "organisation", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="Display name other organisations see instead of the e-mail address.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, organisation, role, name, password_stdin):
    require_schema()  # before a password is asked for
    password = _read_password(password_stdin)
    with unit_of_work() as s:
        u = services.create_user(s, email, password, organisation, role, name=name)
    click.echo(f"user {u.email} ({u.role}) id={u.id}")


@user.command("list")
@click.option("--org", "organisation", default=None, help="Only this organisation's users.")
def user_list(organisation):
    """Users with their organisation, role and state."""
    with unit_of_work() as s:
        table(("id", "email", "name", "organisation", "role", "state", "created"),
              [(u.id, u.email, u.name or "-", u.organisation.name, u.role,
                "active" if u.active else "disabled", when(u.created_at))
               for u in services.list_users(s, organisation)])


def _set_user_active(email: str, active: bool) -> None:
    with unit_of_work() as s:
        u = services.get_user(s, email)
        ended, revoked = services.set_user_active(s, u, active)
    if active:
        click.echo(f"user {u.email} enabled")
    else:
        click.echo(f"user {u.email} disabled; ended {ended} sessions, revoked {revoked} tokens")


@user.command("disable")
@click.argument("email")
def user_disable(email):
    """The user can no longer log in; every session ends and every API token is revoked."""
    _set_user_active(email, False)


@user.command("enable")
@click.argument("email")
def user_enable(email):
    """Let a disabled user log in again (revoked tokens stay revoked)."""
    _set_user_active(email, True)


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def user_password(email, password_stdin):
    """Reset a password; every session of the user ends and every API token is revoked."""
    with unit_of_work() as s:
        u = services.get_user(s, email)  # an unknown user is said before a password is asked
        ended, revoked = services.set_password(s, u, _read_password(password_stdin))
    click.echo(f"password of {u.email} changed; ended {ended} sessions, revoked {revoked} tokens")


@user.command("name")
@click.argument("email")
@click.argument("name")
def user_name(email, name):
    """Set the display name other organisations see (an empty NAME removes it)."""
    with unit_of_work() as s:
        u = services.set_user_name(s, services.get_user(s, email), name)
    click.echo(f"user {u.email} is shown as {u.name or 'a user of ' + u.organisation.name}")


@click.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default=None)
def token_create(email, name):
    """Print a new API token for EMAIL (shown once; only its hash is kept)."""
    with unit_of_work() as s:
        tok = services.create_token(s, services.get_user(s, email), name)
    click.echo(tok)


@token.command("list")
@click.argument("email")
def token_list(email):
    """EMAIL's tokens: id, prefix, name, created, last used (to the minute), state."""
    with unit_of_work() as s:
        table(("id", "prefix", "name", "created", "last used", "state"),
              [(t.id, t.prefix, t.name or "-", when(t.created_at), when(t.last_used_at),
                "revoked" if t.revoked else "live") for t in services.list_tokens(s, services.get_user(s, email))])


@token.command("revoke")
@click.argument("ref", metavar="ID-OR-PREFIX")
def token_revoke(ref):
    """Revoke a token by its id or its prefix, as `token list` prints them."""
    with unit_of_work() as s:
        t = services.revoke_token(s, ref)
        owner = t.user.email
    click.echo(f"token {t.id} ({t.prefix}) of {owner} revoked")
