"""``pmfit db ...``: the store of plans and their versions (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from pmfit.cli.common import EXIT_INVALID, JsonOption, console, err_console, guarded, print_json

if TYPE_CHECKING:
    from pmfit.workspace import VersionInfo, Workspace

db_app = typer.Typer(name="db", help="Keep plans and every version of them in a store (SQLite or PostgreSQL).",
                     no_args_is_help=True, rich_markup_mode="rich")

_state: dict[str, str | None] = {"url": None}


@db_app.callback()
def _db(
    db: str | None = typer.Option(None, "--db", metavar="URL", envvar="PMFIT_DB",
                                  help="The store: a SQLite file (default pmfit.db) or postgresql+psycopg://… "
                                       "(also $PMFIT_DB)."),
) -> None:
    """Plans as immutable versions: import, history, diff, export, backup, restore, check."""
    _state["url"] = db


DbOption = typer.Option(None, "--db", metavar="URL", help="The store (overrides the --db given before the "
                        "command and $PMFIT_DB).")


def _url(db: str | None) -> str | None:
    return db or _state["url"]


def _workspace(db: str | None, create: bool = False) -> Workspace:
    from pmfit.workspace import Workspace

    return Workspace.open(_url(db), create=create)


def _author(author: str | None) -> str:
    import getpass
    import os

    if author:
        return author
    try:
        return os.environ.get("PMFIT_AUTHOR") or getpass.getuser()
    except Exception:
        return "unknown"


AuthorOption = typer.Option(None, "--author", help="Who made the change (default $PMFIT_AUTHOR or your login).")


def _split_ref(text: str) -> tuple[str, str | None]:
    project, sep, ref = text.partition("@")
    return project, (ref if sep else None)


@guarded
def init(json_out: bool = JsonOption, db: str | None = DbOption) -> None:
    """Create the store, or upgrade it to this pmfit's schema (safe to run again)."""
    from pmfit.workspace import display_url

    with _workspace(db, create=True) as ws:
        revision = ws.store.revision()
        url = display_url(ws.store.url)
    if json_out:
        print_json({"ok": True, "url": url, "revision": revision})
        return
    console().print(f"Store ready: {url} (schema {revision})", highlight=False, markup=False)


@guarded
def import_(
    files: list[str] = typer.Argument(..., metavar="FILE...", help="Plan files in any format pmfit reads."),
    project: str | None = typer.Option(None, "--project", "-p",
                                       help="Project id (default: from the file name); one file only."),
    message: str | None = typer.Option(None, "--message", "-m", help="What this version is."),
    author: str | None = AuthorOption,
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Import plan files: each becomes a project, or the next version of the project of that id.

    Importing a file equal to the project's latest version saves nothing (same content, same version).
    """
    from pmfit.cli.common import fail

    if project is not None and len(files) > 1:
        raise fail("--project names one project: import one file with it", 2)
    out = []
    with _workspace(db) as ws:
        for path in files:
            saved = ws.import_file(path, project_id=project, author=_author(author), message=message)
            out.append({"file": path, **saved.to_dict()})
            if not json_out:
                what = "new version" if saved.created else "unchanged: same content as the latest version"
                console().print(f"{path} → {saved.version.label} ({what}, {saved.version.content_hash[:12]})",
                                highlight=False, markup=False)
    if json_out:
        print_json(out)


@guarded
def list_(
    all_: bool = typer.Option(False, "--all", help="Also list deleted projects (undoable for 30 days)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """The projects in the store with their latest version."""
    with _workspace(db) as ws:
        projects = ws.list_projects(include_deleted=all_)
    if json_out:
        print_json([p.to_dict() for p in projects])
        return
    from rich.table import Table

    table = Table(title=f"{len(projects)} project(s)", title_justify="left")
    for column in ("project", "name", "versions", "updated (UTC)", "deleted"):
        table.add_column(column)
    for p in projects:
        table.add_row(p.id, p.name, str(p.head_number or 0), f"{p.updated_at:%Y-%m-%d %H:%M}",
                      f"{p.deleted_at:%Y-%m-%d}" if p.deleted_at else "")
    console().print(table)


def _version_rows(version: VersionInfo) -> list[tuple[str, str]]:
    rows = [("version", version.label), ("id", version.id), ("kind", version.kind), ("author", version.author),
            ("saved (UTC)", f"{version.created_at:%Y-%m-%d %H:%M:%S}"), ("message", version.message),
            ("content hash", version.content_hash), ("size", f"{version.size:,} bytes")]
    if version.parent_id:
        rows.append(("parent", version.parent_id))
    if version.base_id:
        rows.append(("merged onto", f"made on {version.base_id[:12]}, merged with what was saved since"))
    if version.source:
        rows.append(("source", version.source))
    return rows


@guarded
def show(
    ref: str = typer.Argument(..., metavar="PROJECT[@VERSION]", help="A project, optionally @number or @id."),
    document: bool = typer.Option(False, "--document", "-d", help="Print the plan document (YAML) itself."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """One version: who saved it, when, why, its hash; with --document the YAML."""
    project, version_ref = _split_ref(ref)
    with _workspace(db) as ws:
        snapshot = ws.get(project, version_ref)
    plan, version = snapshot.plan, snapshot.version
    if json_out:
        print_json({**version.to_dict(), "name": plan.project.name, "tasks": len(plan.tasks),
                    **({"document": snapshot.text} if document else {})})
        return
    if document:
        import sys

        sys.stdout.write(snapshot.text)
        return
    from rich.table import Table

    table = Table(show_header=False, title=plan.project.name, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for name, value in [*_version_rows(version), ("tasks", str(len(plan.tasks))),
                        ("baselines", ", ".join(b.name for b in plan.baselines) or "none")]:
        table.add_row(name, value)
    console().print(table)


@guarded
def history(
    project: str = typer.Argument(..., help="The project id."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="Only the latest N versions."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Every version of a project, newest first."""
    with _workspace(db) as ws:
        versions = ws.history(project, limit)
    if json_out:
        print_json([v.to_dict() for v in versions])
        return
    from rich.table import Table

    table = Table(title=f"{project}: {len(versions)} version(s)", title_justify="left")
    for column in ("#", "id", "saved (UTC)", "author", "kind", "message"):
        table.add_column(column)
    for v in versions:
        merged = f" (made on {v.base_id[:8]}, merged)" if v.base_id else ""
        table.add_row(str(v.number), v.id[:12], f"{v.created_at:%Y-%m-%d %H:%M:%S}", v.author, v.kind,
                      v.message + merged)
    console().print(table)


@guarded
def diff(
    project: str = typer.Argument(..., help="The project id."),
    old: str = typer.Argument(..., metavar="V1", help="The earlier version (number or id)."),
    new: str = typer.Argument("head", metavar="V2", help="The later version (default: the latest)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """What changed between two versions and what it did to the finish date."""
    with _workspace(db) as ws:
        result = ws.diff(project, old, new)
    if json_out:
        print_json(result.to_dict())
        return
    from pmfit.cli.commands.diff import _table

    _table(result)


@guarded
def export(
    ref: str = typer.Argument(..., metavar="PROJECT[@VERSION]", help="A project, optionally @number or @id."),
    to: str = typer.Option(..., "--to", help="The file to write (format from its extension, or --format)."),
    format: str | None = typer.Option(None, "--format", "-f", help="Output format (yaml, json, mspdi, ...)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Write a version to a file. YAML is written byte for byte as stored: importing it again is a no-op."""
    project, version_ref = _split_ref(ref)
    with _workspace(db) as ws:
        version = ws.export(project, version_ref, to, format)
    if json_out:
        print_json({"ok": True, "file": to, **version.to_dict()})
        return
    console().print(f"{version.label} → {to}", highlight=False, markup=False)


@guarded
def backup(
    file: str = typer.Argument(..., metavar="FILE", help="The backup file to create (never overwritten)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Copy the whole store to FILE (a SQLite file) while others keep working."""
    with _workspace(db) as ws:
        ws.backup(file)
    if json_out:
        print_json({"ok": True, "file": file})
        return
    console().print(f"Backed up to {file}", highlight=False, markup=False)


@guarded
def restore(
    file: str = typer.Argument(..., metavar="FILE", help="A backup made by `pmfit db backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the store's contents without asking."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Replace everything in the store with a backup (checked first; all or nothing)."""
    from pmfit.cli.common import fail

    if not yes and not typer.confirm("Replace every project in the store with the backup?", err=True):
        raise fail("restore cancelled; nothing changed")
    from pmfit.workspace import Workspace

    with Workspace.open(_url(db), create=True) as ws:
        ws.restore(file)
        projects = len(ws.list_projects(include_deleted=True))
    if json_out:
        print_json({"ok": True, "file": file, "projects": projects})
        return
    console().print(f"Restored {projects} project(s) from {file}", highlight=False, markup=False)


@guarded
def check(json_out: bool = JsonOption, db: str | None = DbOption) -> None:
    """Check the store: the database's own integrity check, then every version's hash and history."""
    from pmfit.workspace import check_store

    report = check_store(_url(db))
    if json_out:
        print_json(report.to_dict())
    else:
        out = console() if report.ok else err_console()
        verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        out.print(f"{report.url}: {verdict} — schema {report.revision}, {report.projects} project(s), "
                  f"{report.versions} version(s) rebuilt and hash-checked, {report.results} cached result(s)",
                  highlight=False, markup=False)
        for problem in report.problems:
            err_console().print(f"  [store_corrupt] {problem}", highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


@guarded
def delete(
    project: str = typer.Argument(..., help="The project id."),
    author: str | None = AuthorOption,
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Delete a project (undo with `pmfit db undelete` for 30 days)."""
    with _workspace(db) as ws:
        info = ws.delete_project(project, author=_author(author))
    _done(info.to_dict(), f"Deleted {project} (undo with: pmfit db undelete {project})", json_out)


@guarded
def undelete(project: str = typer.Argument(..., help="The project id."), json_out: bool = JsonOption,
             db: str | None = DbOption) -> None:
    """Bring back a deleted project."""
    with _workspace(db) as ws:
        info = ws.undelete_project(project)
    _done(info.to_dict(), f"Restored project {project}", json_out)


@guarded
def purge(json_out: bool = JsonOption, db: str | None = DbOption) -> None:
    """Remove for good the projects deleted more than 30 days ago."""
    with _workspace(db) as ws:
        gone = ws.purge_deleted()
    _done({"purged": gone}, f"Purged {len(gone)} project(s){': ' + ', '.join(gone) if gone else ''}", json_out)


@guarded
def revert(
    ref: str = typer.Argument(..., metavar="PROJECT@VERSION", help="The version to restore (@number or @id)."),
    base: str | None = typer.Option(None, "--base", metavar="VERSION",
                                    help="Refuse if the head is no longer this version (what you last looked at)."),
    message: str = typer.Option("", "--message", "-m", help="Why (default: 'revert to PROJECT@N')."),
    author: str | None = AuthorOption,
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Restore an earlier version as a new version (the versions in between are kept)."""
    project, version = _split_ref(ref)
    if version is None:
        raise typer.BadParameter("name the version to restore: PROJECT@NUMBER or PROJECT@ID", param_hint="REF")
    with _workspace(db) as ws:
        saved = ws.revert(project, version, base=base, author=_author(author), message=message)
    label = saved.version.label
    _done(saved.to_dict(), f"{label}: restored {project}@{version}" if saved.created
          else f"{label} already is {project}@{version}'s plan: nothing saved", json_out)


@guarded
def prune(
    log_days: int = typer.Option(90, "--log-days", min=1, max=36500,
                                 help="Keep this many days of the security log (auth_events)."),
    json_out: bool = JsonOption,
    db: str | None = DbOption,
) -> None:
    """Delete the server's finished rows: ended sessions, used or expired login links, spent login-throttle
    counts, and security-log rows older than --log-days (`pmfit serve` does this by itself every minute)."""
    import datetime as dt

    from pmfit.workspace import Retention

    with _workspace(db) as ws:
        pruned = ws.prune_accounts(Retention(auth_log=dt.timedelta(days=log_days)))
    counts = pruned.to_dict()
    _done(counts, "Deleted " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items()), json_out)


def _done(data: dict[str, Any], text: str, json_out: bool) -> None:
    if json_out:
        print_json(data)
    else:
        console().print(text, highlight=False, markup=False)


for _name, _fn in (("init", init), ("import", import_), ("list", list_), ("show", show), ("history", history),
                   ("diff", diff), ("export", export), ("backup", backup), ("restore", restore),
                   ("check", check), ("delete", delete), ("undelete", undelete), ("purge", purge),
                   ("revert", revert), ("prune", prune)):
    db_app.command(_name)(_fn)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
