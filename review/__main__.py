"""Command line: `python -m review` serves the console on port 8081; other commands manage it.

    python -m review create-user NAME --role reviewer|admin [--municipality ID ...]
                                    (password from REVIEW_PASSWORD or a prompt)
    python -m review set-municipalities NAME --municipality ID ...   (none: the user sees nothing)
    python -m review init-db        creates the console's tables
    python -m review refresh        brings the conversation summary up to date (first run: all of it)
    python -m review prune          drops console rows of conversations deleted elsewhere (retention)
    python -m review serve [--host 127.0.0.1] [--port 8081]
"""
from __future__ import annotations

import getpass
import sys

import click

import settings
from review import DEFAULT_PORT, create_app, db, summary, users


def _engine(app):
    engine = db.make_engine(db.database_url(app))
    db.init_db(engine)
    return engine


@click.group(invoke_without_command=True)
@click.pass_context
def cli(ctx):
    """Forløpsassistentens gjennomgangskonsoll."""
    from privacy import log_filter

    log_filter.install()  # errors the console logs may quote a conversation
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


MUNICIPALITY_HELP = ("a municipality whose conversations a reviewer sees (a folder name in "
                     "content/municipalities/); repeat for several. Admins see all.")


def _check_municipalities(municipalities) -> None:
    try:
        users.check_municipalities(municipalities)
    except ValueError as error:  # UserError, or a malformed municipality folder
        raise click.ClickException(str(error))


@cli.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), default="reviewer", show_default=True)
@click.option("--municipality", "municipalities", multiple=True, help=MUNICIPALITY_HELP)
def create_user(name, role, municipalities):
    """Creates a staff account; the password comes from REVIEW_PASSWORD or is asked for."""
    _check_municipalities(municipalities)  # before the password is typed
    password = settings.review_password()
    if not password:
        if not sys.stdin.isatty():
            raise click.ClickException("Sett REVIEW_PASSWORD eller kjør kommandoen i en terminal.")
        password = getpass.getpass("Passord: ")
        if getpass.getpass("Gjenta passordet: ") != password:
            raise click.ClickException("Passordene er ikke like.")
    app = create_app()
    try:
        with _engine(app).begin() as connection:
            users.create_user(connection, name, password, role, municipalities)
    except users.UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"Opprettet {name} med rollen {role}.")
    _describe_scope(role, municipalities)


def _describe_scope(role, municipalities) -> None:
    if role == "admin":
        click.echo("Administratorer ser samtalene i alle kommuner.")
    elif municipalities:
        click.echo(f"Ser samtalene i: {', '.join(municipalities)}.")
    else:
        click.echo("Merk: ingen kommune er valgt, så brukeren ser ingen samtaler. "
                   "Bruk set-municipalities eller administratorsiden.")


@cli.command("set-municipalities")
@click.argument("name")
@click.option("--municipality", "municipalities", multiple=True, help=MUNICIPALITY_HELP)
def set_municipalities(name, municipalities):
    """Sets which municipalities' conversations an existing user sees (replaces the old list)."""
    _check_municipalities(municipalities)
    app = create_app()
    with _engine(app).begin() as connection:
        user = users.find_user(connection, name)
        if user is None:
            raise click.ClickException(f"Fant ingen bruker {name}.")
        users.set_municipalities(connection, user.id, municipalities)
    click.echo(f"Oppdaterte kommunene til {name}.")
    _describe_scope(user.role, municipalities)


@cli.command("init-db")
def init_db():
    """Creates the console's tables."""
    _engine(create_app())
    click.echo("Tabellene er klare.")


@cli.command("refresh")
def refresh():
    """Brings the per-conversation summary up to date."""
    app = create_app()
    engine = _engine(app)
    count = summary.refresh(engine, app.config["TIMEZONE"], force=True,
                            progress=lambda done, total: click.echo(f"  hendelse {done} av {total}"))
    click.echo(f"Oppdaterte {count} samtaler.")


@cli.command("prune")
def prune():
    """Removes console rows (summary, tags, notes, examples) of conversations deleted elsewhere."""
    app = create_app()
    count = summary.prune(_engine(app))
    click.echo(f"Fjernet {count} samtaler som ikke finnes lenger.")


@cli.command("serve")
@click.option("--host", default=lambda: settings.review().host, show_default="REVIEW_HOST or 127.0.0.1")
@click.option("--port", type=int, default=lambda: settings.review().port, show_default=f"REVIEW_PORT or {DEFAULT_PORT}")
def serve(host, port):
    """Serves the console (waitress) after bringing the summary up to date."""
    from waitress import serve as waitress_serve

    app = create_app()
    engine = _engine(app)
    summary.refresh(engine, app.config["TIMEZONE"], force=True)
    click.echo(f"Gjennomgangskonsollen kjører på http://{host}:{port}/")
    waitress_serve(app, host=host, port=port, threads=8)


if __name__ == "__main__":
    cli()
