"""``pmfit user``: accounts of the server's store (there is no default account)."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer

from pmfit.cli.common import err_console, fail, guarded, print_json


class Action(StrEnum):
    add = "add"
    list = "list"
    passwd = "passwd"
    disable = "disable"
    enable = "enable"


@guarded
def user(
    action: Action = typer.Argument(..., help="add, list, passwd (set a password), disable or enable."),
    name: str = typer.Argument(None, help="The user name (all actions but list)."),
    admin: bool = typer.Option(False, "--admin", help="add: make the user an administrator."),
    no_password: bool = typer.Option(False, "--no-password",
                                      help="add: a local account without a password, entered only through "
                                           "the one-time link that `pmfit serve` prints."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of standard input "
                                             "instead of asking (for scripts)."),
    db: str = typer.Option(None, "--db", help="The store: a database URL or a SQLite file "
                                              "(default: $PMFIT_DB, else sqlite:///pmfit.db)."),
) -> None:
    """Add, list, disable or enable server accounts, or set a password."""
    from sqlalchemy.orm import Session

    from pmfit.web import accounts
    from pmfit.web.db import make_engine, prepare_database
    from pmfit.web.errors import ApiError
    from pmfit.web.security.passwords import Hasher
    from pmfit.web.settings import PasswordHashing, resolve_db_url, utc_now

    if action is not Action.list and not name:
        raise fail(f"pmfit user {action.value} needs a NAME", 2)
    engine = make_engine(resolve_db_url(db))
    try:
        prepare_database(engine)
        with Session(engine) as session:
            try:
                if action is Action.list:
                    rows, _ = accounts.list_users(session, limit=1_000_000, offset=0)
                    print_json([{"name": u.name, "admin": u.is_admin, "disabled": u.disabled,
                                 "password": u.password_hash is not None} for u in rows])
                    return
                hasher = Hasher(PasswordHashing())
                if action is Action.add:
                    password = None if no_password else _read_password(password_stdin)
                    created = accounts.create_user(session, hasher, name, password, admin, utc_now())
                    message = f"added {created.name}" + (" (administrator)" if admin else "")
                else:
                    target = accounts.get_user(session, name)
                    if action is Action.passwd:
                        accounts.set_password(session, hasher, target, _read_password(password_stdin), utc_now())
                        message = f"password set for {target.name}; their sessions have ended"
                    else:
                        accounts.change_account(session, target, utc_now(), disabled=action is Action.disable,
                                                is_admin=None)
                        message = f"{action.value}d {target.name}"
                session.commit()
            except ApiError as exc:
                from rich.markup import escape

                raise fail(escape(f"[{exc.code}] {exc.message}")) from None
        err_console().print(message, highlight=False, markup=False)
    finally:
        engine.dispose()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def register(app: typer.Typer) -> None:
    app.command("user")(user)
