"""The authorisation matrix: every route of the app x every kind of caller x own and foreign objects.

The table below (``ROWS``) is written by hand: for each route, who may call it and how a call is made.
The test walks ``app.routes``; a route without a row fails, and so does a row without a route or a
route whose declared gate differs from its row. Each cell runs a real request against a fresh copy
of one prepared store and checks the status; every refused request must leave the data as it was.
A project the caller does not belong to answers 404 like a missing one, wherever its id is
written: in the path, in the query or in the body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import Depends
from fastapi.routing import APIRoute
from sqlalchemy import Integer, select, text, update
from starlette.routing import Route

from pmfit.store.accounts import ACCOUNT_TABLES, ApiToken, AuthEvent
from pmfit.store.base import Base
from pmfit.web import accounts
from pmfit.web.security.access import RANK, AccessGate, ProjectAccess, Rule, project_role
from pmfit.web.security.sessions import COOKIE_NAME
from pmfit.web.security.tokens import issue_token
from web.helpers import BACKENDS, PASSWORD, Server, backend_urls, file_contains, make_server
from web.plans import SMALL_PLAN, store_plan

OWN, OTHER = "p-own", "p-other"
ROLE_USERS = {"executive": "erin", "viewer": "victor", "editor": "edith", "owner": "olga"}
PRINCIPALS = ("anonymous", "executive", "viewer", "editor", "owner", "admin", "outsider")
USER_OF = {**ROLE_USERS, "admin": "root", "outsider": "otto"}
NEW_PASSWORD = "an entirely new passphrase"


@dataclass(frozen=True)
class Ctx:
    """What a request template may name: the object under test and the caller's own things."""

    project: str  # the project id put in the path, query or body
    caller: str  # the caller's principal kind
    tokens: dict[str, str]  # user name -> the id of a token of theirs
    link: str  # a one-time login link's secret
    heads: dict[str, str] = field(default_factory=dict)  # project id -> its head version (for If-Match)

    @property
    def head(self) -> str:
        """``If-Match`` naming the project's head version."""
        return f'"{self.heads.get(self.project, "0000000")}"'

    def token_of(self, whose: str) -> str:
        return self.tokens[whose]


Request = tuple[str, dict[str, Any]]  # (url, keyword arguments for client.request)


@dataclass(frozen=True)
class Row:
    rule: Rule
    request: Callable[[Ctx], Request]
    ok: int  # the success status
    objects: tuple[str, ...] = ("own", "other")
    #: a cell whose answer is not the rule's alone (say, a foreign token): principal, object -> status
    special: Callable[[str, str], int | None] | None = None


def _token_query(principal: str, obj: str) -> int | None:
    """GET /tokens?project=: a project the caller is not a member of is 404, whatever the caller."""
    return _member_only(principal, obj, 200)


def _member_only(principal: str, obj: str, ok: int) -> int | None:
    if principal == "anonymous":
        return None
    return ok if _role_in(principal, obj) is not None else 404


def _token_create(principal: str, obj: str) -> int | None:
    """POST /tokens with projects=[P], role viewer: members at least viewer get one; executives 403."""
    if principal == "anonymous":
        return None
    role = _role_in(principal, obj)
    if role is None:
        return 404
    return 201 if RANK[role] >= RANK["viewer"] else 403


def _token_revoke(principal: str, obj: str) -> int | None:
    """DELETE /tokens/{id}: one's own token 204, anyone else's 404."""
    if principal == "anonymous":
        return None
    return 204 if obj == "own" else 404


def _role_in(principal: str, obj: str) -> str | None:
    if principal in ROLE_USERS:
        return principal if obj == "own" else None
    if principal == "outsider":
        return "owner" if obj == "other" else None
    return None


def _own_token(ctx: Ctx) -> str:
    return ctx.token_of(USER_OF.get(ctx.caller, "olga"))


def _foreign_token(ctx: Ctx) -> str:
    user = USER_OF.get(ctx.caller, "olga")
    return ctx.token_of("otto" if user != "otto" else "olga")


def _view(url: str, query: dict[str, Any]) -> Callable[[Ctx], Request]:
    """GET /projects/{id}<url>?<query> on the project under test."""
    return lambda c: (f"/api/v1/projects/{c.project}{url}", {"params": query})


def _write(url: str, body: dict[str, Any] | None = None) -> Callable[[Ctx], Request]:
    """A change of the project under test, based on its head version."""
    return lambda c: (f"/api/v1/projects/{c.project}{url}",
                      {"headers": {"If-Match": c.head}, **({"json": body} if body is not None else {})})


def _part_rows(part: str, new: dict[str, Any], item: str, patch: dict[str, Any]) -> dict[tuple[str, str], Row]:
    """The five routes of one kind of plan part."""
    base = f"/api/v1/projects/{{project_id}}/{part}"
    return {
        ("GET", base): Row(Rule("project", role="viewer"), _view(f"/{part}", {}), 200),
        ("POST", base): Row(Rule("project", role="editor"), _write(f"/{part}", new), 201),
        ("GET", f"{base}/{{item_id}}"): Row(Rule("project", role="viewer"), _view(f"/{part}/{item}", {}), 200),
        ("PATCH", f"{base}/{{item_id}}"): Row(Rule("project", role="editor"), _write(f"/{part}/{item}", patch), 200),
        ("DELETE", f"{base}/{{item_id}}"): Row(Rule("project", role="editor"), _write(f"/{part}/{item}"), 200),
    }


#: the plan of both test projects (the pages need a stored plan; the API rows only the project)
TINY_PLAN = """version: 1
project: {name: Matrix plan, start: 2027-01-04}
tasks:
  - {id: a, name: Design, duration: 2d}
  - {id: b, name: Build, duration: 3d, after: a}
"""

ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/openapi.json"): Row(Rule("public"), lambda c: ("/api/v1/openapi.json", {}), 200, ("none",)),
    ("POST", "/api/v1/auth/login"): Row(
        Rule("public"), lambda c: ("/api/v1/auth/login", {"json": {"name": "victor", "password": PASSWORD}}), 200,
        ("none",)),
    ("GET", "/api/v1/auth/link"): Row(
        Rule("public"), lambda c: ("/api/v1/auth/link", {"params": {"token": c.link}}), 200, ("none",)),
    ("POST", "/api/v1/auth/link"): Row(
        Rule("public"), lambda c: ("/api/v1/auth/link", {"data": {"token": c.link}, "follow_redirects": False}),
        303, ("none",)),
    ("POST", "/api/v1/auth/logout"): Row(Rule("signed_in", session_only=True),
                                         lambda c: ("/api/v1/auth/logout", {}), 204, ("none",)),
    ("GET", "/api/v1/auth/me"): Row(Rule("signed_in"), lambda c: ("/api/v1/auth/me", {}), 200, ("none",)),
    ("POST", "/api/v1/auth/password"): Row(
        Rule("signed_in", session_only=True),
        lambda c: ("/api/v1/auth/password", {"json": {"current_password": PASSWORD, "new_password": NEW_PASSWORD}}),
        200, ("none",)),
    ("GET", "/api/v1/users"): Row(Rule("admin", session_only=True), lambda c: ("/api/v1/users", {}), 200, ("none",)),
    ("POST", "/api/v1/users"): Row(
        Rule("admin", session_only=True),
        lambda c: ("/api/v1/users", {"json": {"name": "newcomer", "password": NEW_PASSWORD}}), 201, ("none",)),
    ("GET", "/api/v1/users/{user_name}"): Row(
        Rule("admin", session_only=True), lambda c: ("/api/v1/users/tess", {}), 200, ("none",)),
    ("PATCH", "/api/v1/users/{user_name}"): Row(
        Rule("admin", session_only=True), lambda c: ("/api/v1/users/tess", {"json": {"disabled": True}}), 200,
        ("none",)),
    ("GET", "/api/v1/audit"): Row(Rule("admin", session_only=True), lambda c: ("/api/v1/audit", {}), 200, ("none",)),
    ("GET", "/api/v1/tokens"): Row(
        Rule("signed_in", session_only=True), lambda c: ("/api/v1/tokens", {"params": {"project": c.project}}), 200,
        special=_token_query),
    ("POST", "/api/v1/tokens"): Row(
        Rule("signed_in", session_only=True),
        lambda c: ("/api/v1/tokens", {"json": {"name": "ci", "role": "viewer", "projects": [c.project]}}), 201,
        special=_token_create),
    ("DELETE", "/api/v1/tokens/{token_id}"): Row(
        Rule("signed_in", session_only=True),
        lambda c: (f"/api/v1/tokens/{_own_token(c) if c.project == OWN else _foreign_token(c)}", {}), 204,
        special=_token_revoke),
    ("GET", "/api/v1/projects/{project_id}/members"): Row(
        Rule("project", role="executive", admins=True), lambda c: (f"/api/v1/projects/{c.project}/members", {}), 200),
    ("PUT", "/api/v1/projects/{project_id}/members/{user_name}"): Row(
        Rule("project", role="owner", admins=True),
        lambda c: (f"/api/v1/projects/{c.project}/members/tess", {"json": {"role": "editor"}}), 200),
    ("DELETE", "/api/v1/projects/{project_id}/members/{user_name}"): Row(
        Rule("project", role="owner", admins=True), lambda c: (f"/api/v1/projects/{c.project}/members/tess", {}), 204),
    # ---- the plan routes: projects, versions, computed views (web/api/projects.py, views.py)
    ("GET", "/api/v1/projects"): Row(Rule("signed_in"), lambda c: ("/api/v1/projects", {}), 200, ("none",)),
    ("POST", "/api/v1/projects"): Row(
        Rule("signed_in"),
        lambda c: ("/api/v1/projects", {"files": {"file": ("new.yaml", SMALL_PLAN.encode())},
                                        "data": {"project_id": "p-new"}}), 201, ("none",)),
    ("GET", "/api/v1/projects/{project_id}"): Row(
        Rule("project", role="executive"), lambda c: (f"/api/v1/projects/{c.project}", {}), 200),
    ("DELETE", "/api/v1/projects/{project_id}"): Row(
        Rule("project", role="owner"), lambda c: (f"/api/v1/projects/{c.project}", {}), 200),
    ("POST", "/api/v1/projects/{project_id}/undelete"): Row(
        Rule("project", role="owner", deleted=True), lambda c: (f"/api/v1/projects/{c.project}/undelete", {}), 200),
    ("GET", "/api/v1/projects/{project_id}/versions"): Row(
        Rule("project", role="viewer"), lambda c: (f"/api/v1/projects/{c.project}/versions", {}), 200),
    ("GET", "/api/v1/projects/{project_id}/versions/{version}"): Row(
        Rule("project", role="viewer"), lambda c: (f"/api/v1/projects/{c.project}/versions/1", {}), 200),
    ("GET", "/api/v1/projects/{project_id}/diff"): Row(
        Rule("project", role="viewer"), lambda c: (f"/api/v1/projects/{c.project}/diff", {}), 200),
    **{("GET", f"/api/v1/projects/{{project_id}}{path}"): Row(
        Rule("project", role=role), _view(url, query), 200)
       for path, url, role, query in (
           ("/schedule", "/schedule", "viewer", {}),
           ("/why/{task_id}", "/why/build", "viewer", {}),
           ("/level", "/level", "viewer", {"method": "heuristic"}),
           ("/risk", "/risk", "viewer", {"iterations": 200}),
           ("/status", "/status", "viewer", {}),
           ("/advice", "/advice", "viewer", {}),
           ("/summary", "/summary", "executive", {}),
           ("/reports/{report}", "/reports/executive.md", "executive", {}),
           ("/export.{extension}", "/export.xml", "viewer", {}),
           ("/gantt.{extension}", "/gantt.svg", "viewer", {}),
       )},
    # ---- the plan's parts (web/api/parts.py): reads for viewers, changes for editors, each on If-Match
    **{key: row for part, new, item, patch in (
        ("tasks", {"id": "docs", "duration": "1d"}, "release", {"duration": "6d"}),
        ("resources", {"id": "qa"}, "spare", {"name": "Helper"}),
        ("risks", {"id": "late", "probability": 0.1, "delays": {"test": "1d"}}, "slip", {"probability": 0.5}),
        ("stakeholders", {"name": "Bo", "audience": "technical"}, "Ada", {"role": "Owner"}),
    ) for key, row in _part_rows(part, new, item, patch).items()},
    ("GET", "/api/v1/projects/{project_id}/tasks/{item_id}/links"): Row(
        Rule("project", role="viewer"), _view("/tasks/build/links", {}), 200),
    ("POST", "/api/v1/projects/{project_id}/tasks/{item_id}/links"): Row(
        Rule("project", role="editor"), _write("/tasks/release/links", {"task": "design", "type": "SS"}), 201),
    ("DELETE", "/api/v1/projects/{project_id}/tasks/{item_id}/links/{predecessor}"): Row(
        Rule("project", role="editor"), _write("/tasks/build/links/design"), 200),
    ("GET", "/api/v1/projects/{project_id}/progress"): Row(Rule("project", role="viewer"), _view("/progress", {}), 200),
    ("POST", "/api/v1/projects/{project_id}/progress"): Row(
        Rule("project", role="editor"), _write("/progress", {"status_date": "2027-03-02"}), 200),
    ("PATCH", "/api/v1/projects/{project_id}/progress"): Row(
        Rule("project", role="editor"), _write("/progress", {"status_date": "2027-03-02"}), 200),
    ("DELETE", "/api/v1/projects/{project_id}/progress"): Row(Rule("project", role="editor"), _write("/progress"), 200),
    ("GET", "/api/v1/projects/{project_id}/baselines"): Row(Rule("project", role="viewer"), _view("/baselines", {}), 200),
    ("POST", "/api/v1/projects/{project_id}/baselines"): Row(
        Rule("project", role="editor"), _write("/baselines", {"name": "second"}), 201),
    # ---- the web app's pages (pmfit.web.pages): the same gates as the API ----
    ("GET", "/static/{name}"): Row(Rule("public"), lambda c: ("/static/gantt.js", {}), 200, ("none",)),
    ("GET", "/login"): Row(Rule("public"), lambda c: ("/login", {"params": {"token": c.link}}), 200, ("none",)),
    ("POST", "/login"): Row(
        Rule("public"), lambda c: ("/login", {"data": {"name": "victor", "password": PASSWORD},
                                              "follow_redirects": False}), 303, ("none",)),
    ("POST", "/logout"): Row(Rule("signed_in", session_only=True),
                             lambda c: ("/logout", {"follow_redirects": False}), 303, ("none",)),
    ("GET", "/"): Row(Rule("signed_in"), lambda c: ("/", {}), 200, ("none",)),
    ("POST", "/import"): Row(
        Rule("signed_in", session_only=True),
        lambda c: ("/import", {"files": {"plan": ("matrix-import.yaml", TINY_PLAN.encode())}}), 200, ("none",)),
    ("GET", "/projects/{project_id}"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}", {"params": {"zoom": "fit"}}), 200),
    ("GET", "/projects/{project_id}/tasks/{task_id}/panel"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}/tasks/build/panel", {}), 200),
    ("POST", "/projects/{project_id}/tasks/{task_id}"): Row(  # the task's own duration: saves nothing new
        Rule("project", role="editor"),
        lambda c: (f"/projects/{c.project}/tasks/build", {"data": {"base": "1", "duration": "5d"},
                                                      "follow_redirects": False}), 303),
    ("POST", "/projects/{project_id}/progress"): Row(
        Rule("project", role="editor"),
        lambda c: (f"/projects/{c.project}/progress", {"data": {"base": "1", "task": "design", "percent": "50",
                                                                "status_date": "2027-03-02"},
                                                       "follow_redirects": False}), 303),
    ("GET", "/projects/{project_id}/analysis"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}/analysis", {}), 200),
    ("GET", "/projects/{project_id}/diff"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}/diff", {"params": {"old": "1"}}), 200),
    ("GET", "/projects/{project_id}/analysis/{section_name}"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}/analysis/risk", {}), 200),
    ("GET", "/projects/{project_id}/reports/executive"): Row(
        Rule("project", role="executive"), lambda c: (f"/projects/{c.project}/reports/executive",
                                                      {"params": {"format": "md"}}), 200),
    ("GET", "/projects/{project_id}/reports/technical"): Row(
        Rule("project", role="viewer"), lambda c: (f"/projects/{c.project}/reports/technical",
                                                   {"params": {"format": "md"}}), 200),
}


def expected(row: Row, principal: str, obj: str) -> int:
    """The answer a cell must get, from the row's rule (and its special cases)."""
    rule = row.rule
    if rule.kind == "public":
        return row.ok
    if principal == "anonymous":
        return 401
    if row.special is not None:
        special = row.special(principal, obj)
        if special is not None:
            return special
    if rule.kind == "signed_in":
        return row.ok
    if rule.kind == "admin":
        return row.ok if principal == "admin" else 403
    role = _role_in(principal, obj)
    if role is None:
        return row.ok if rule.admins and principal == "admin" else 404
    assert rule.role is not None
    return row.ok if RANK[role] >= RANK[rule.role] else 403


def app_routes(server: Server) -> dict[tuple[str, str], Rule | None]:
    """(method, path) -> the rule its gate declares (``None``: no gate), for every route of the app."""
    found: dict[tuple[str, str], Rule | None] = {}
    for path, route in _flat_routes(server.app.routes):
        if isinstance(route, APIRoute):
            gates = [d.call for d in route.dependant.dependencies if isinstance(d.call, AccessGate)]
            assert len(gates) <= 1, f"{path} has {len(gates)} access gates"
            for method in route.methods - {"HEAD"}:
                found[(method, path)] = gates[0].rule if gates else None
        elif isinstance(route, Route):
            for method in (route.methods or set()) - {"HEAD"}:
                found[(method, path)] = Rule("public") if path == "/api/v1/openapi.json" else None
        else:  # a mount or anything else that answers requests: it needs a row too
            found[("*", path)] = None
    return found


def _flat_routes(routes: list[Any]) -> Iterator[tuple[str, Any]]:
    """(full path, route) for every route, through included routers (FastAPI >= 0.160 keeps them nested)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat already
        for route in routes:
            yield str(getattr(route, "path", route)), route
        return
    for context in iter_route_contexts(routes):
        yield str(context.path), context.original_route


# ---- the prepared store ------------------------------------------------------------------
@dataclass
class World:
    server: Server
    template: dict[str, list[dict[str, Any]]]
    cookies: dict[str, tuple[str, str]]  # principal -> (cookie, csrf token)
    tokens: dict[str, str]
    link: str
    heads: dict[str, str]


DATA_TABLES = ("users", "memberships", "api_tokens", "api_token_projects", "login_links", "projects", "versions")
VOLATILE = {"last_used_at", "last_seen_at", "used_at"}


def snapshot(server: Server) -> dict[str, list[tuple[Any, ...]]]:
    tables = Base.metadata.tables
    out = {}
    with server.db() as db:
        for name in DATA_TABLES:
            table = tables[name]
            columns = [c for c in table.columns if c.name not in VOLATILE]
            out[name] = sorted(tuple(map(str, row)) for row in db.execute(select(*columns)))
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp_path = tmp_path_factory.mktemp("matrix")
    urls = backend_urls(request.param, tmp_path)
    server = make_server(tmp_path, next(urls))
    heads = {project: store_plan(server.app, project) for project in (OWN, OTHER)}
    for role, name in ROLE_USERS.items():
        server.add_user(name)
        server.add_member(OWN, name, role)
    server.add_user("root", admin=True)
    server.add_user("otto")
    server.add_member(OTHER, "otto", "owner")
    server.add_user("tess")  # the member that member routes change
    server.add_member(OWN, "tess", "viewer")
    server.add_member(OTHER, "tess", "viewer")
    cookies = {}
    for principal, name in USER_OF.items():
        client = server.login(name)
        cookies[principal] = (client.cookies[COOKIE_NAME], client.headers["X-CSRF-Token"])
    tokens = {}
    for name in ("erin", "victor", "edith", "olga", "root", "otto"):
        with server.db() as db:
            user = accounts.get_user(db, name)
            project = OTHER if name == "otto" else OWN
            new = issue_token(db, user, "t", "executive", [project] if name != "root" else [], server.clock(),
                              server.settings.session_absolute)
            tokens[name] = new.row.id
            db.commit()
    with server.db() as db:
        link = accounts.make_login_link(db, accounts.get_user(db, "victor"), server.clock(),
                                        server.settings.login_link_lifetime)
        db.commit()
    yield World(server, _dump(server), cookies, tokens, link, heads)
    server.app.state.engine.dispose()
    for _ in urls:
        pass


RESTORED = (*ACCOUNT_TABLES, "projects", "versions")


def _dump(server: Server) -> dict[str, list[dict[str, Any]]]:
    """Every row of the accounts tables and projects, to put back before each cell."""
    with server.app.state.engine.connect() as connection:
        return {name: [dict(row._mapping) for row in connection.execute(Base.metadata.tables[name].select())]
                for name in RESTORED}


def restore(world: World) -> None:
    """Put the prepared rows back (the same on SQLite and PostgreSQL), sequences included."""
    tables = [t for t in Base.metadata.sorted_tables if t.name in RESTORED]
    engine = world.server.app.state.engine
    projects = Base.metadata.tables["projects"]
    with engine.begin() as connection:
        # projects.head and versions.project_id point at each other: heads go last
        connection.execute(update(projects).values(head=None))
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            rows = world.template[table.name]
            if table.name == "projects":
                rows = [{**row, "head": None} for row in rows]
            if rows:
                connection.execute(table.insert(), rows)
        for row in world.template["projects"]:
            connection.execute(update(projects).where(projects.c.id == row["id"]).values(head=row["head"]))
        if engine.dialect.name == "postgresql":
            for table in tables:
                serial = [c for c in table.primary_key.columns if isinstance(c.type, Integer)
                          and len(table.primary_key.columns) == 1]
                for column in serial:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"coalesce((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"))


def _refusals_logged(server: Server) -> int:
    with server.db() as db:
        kinds = db.execute(select(AuthEvent.kind).where(AuthEvent.kind.in_(
            ["access_denied", "csrf_refused", "cross_origin_refused"]))).scalars().all()
    return len(kinds)


def cells() -> Iterator[Any]:
    for (method, path), row in ROWS.items():
        for principal in PRINCIPALS:
            for obj in row.objects:
                yield pytest.param(method, path, principal, obj, id=f"{method} {path} {principal} {obj}")


# ---- the tests -----------------------------------------------------------------------------
def test_every_route_has_a_row_and_declares_its_rule(sqlite_server: Server) -> None:
    routes = app_routes(sqlite_server)
    missing = sorted(set(routes) - set(ROWS))
    assert not missing, f"routes without a row in the authorisation matrix: {missing}"
    stale = sorted(set(ROWS) - set(routes))
    assert not stale, f"rows for routes that do not exist: {stale}"
    for key, rule in routes.items():
        assert rule is not None, f"{key} has no access gate"
        assert rule == ROWS[key].rule, f"{key} declares {rule}, the matrix says {ROWS[key].rule}"


@pytest.mark.parametrize("method, path, principal, obj", list(cells()))
def test_matrix(world: World, method: str, path: str, principal: str, obj: str) -> None:
    restore(world)
    row = ROWS[(method, path)]
    ctx = Ctx(project=OWN if obj in ("own", "none") else OTHER, caller=principal, tokens=world.tokens,
              link=world.link, heads=world.heads)
    url, kwargs = row.request(ctx)
    client = world.server.client()
    if principal != "anonymous":
        cookie, csrf = world.cookies[principal]
        client.cookies.set(COOKIE_NAME, cookie, domain="testserver.local")
        client.headers["X-CSRF-Token"] = csrf
    before = snapshot(world.server)
    answer = client.request(method, url, **kwargs)
    want = expected(row, principal, obj)
    assert answer.status_code == want, f"{method} {url} as {principal}: {answer.status_code} {answer.text[:300]}"
    if want >= 400:
        assert answer.json()["ok"] is False
        assert snapshot(world.server) == before, "a refused request changed data"
        if want in (401, 403, 404) and row.rule.kind != "public":
            assert _refusals_logged(world.server) == 1, "a refused request left no trace in the security log"
    client.close()


def test_foreign_ids_in_path_query_and_body_all_answer_404(world: World) -> None:
    """The same foreign project, named three ways by a user who is not in it: three 404s, no change."""
    restore(world)
    client = world.server.client()
    cookie, csrf = world.cookies["owner"]
    client.cookies.set(COOKIE_NAME, cookie, domain="testserver.local")
    client.headers["X-CSRF-Token"] = csrf
    before = snapshot(world.server)
    in_path = client.put(f"/api/v1/projects/{OTHER}/members/tess", json={"role": "owner"})
    in_query = client.get("/api/v1/tokens", params={"project": OTHER})
    in_body = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer", "projects": [OWN, OTHER]})
    missing = client.put("/api/v1/projects/no-such-project/members/tess", json={"role": "owner"})
    assert [r.status_code for r in (in_path, in_query, in_body, missing)] == [404, 404, 404, 404]
    assert in_path.json() == missing.json()  # a foreign project and a missing one cannot be told apart
    assert snapshot(world.server) == before


def _bearer_client(world: World, user: str, role: str, projects: list[str]) -> Any:
    restore(world)
    with world.server.db() as db:
        new = issue_token(db, accounts.get_user(db, user), "matrix", role, projects, world.server.clock(),
                          world.server.settings.session_absolute)
        db.commit()
    client = world.server.client()
    client.headers["Authorization"] = f"Bearer {new.secret}"
    return client


def test_api_tokens_act_with_the_weaker_role_and_only_in_scope(world: World) -> None:
    client = _bearer_client(world, "olga", "viewer", [OWN])  # an owner's read-only token
    me = client.get("/api/v1/auth/me").json()
    assert me["projects"] == [{"project_id": OWN, "role": "viewer"}] and me["admin_rights"] is False
    assert client.get(f"/api/v1/projects/{OWN}/members").status_code == 200
    assert client.put(f"/api/v1/projects/{OWN}/members/tess", json={"role": "editor"}).status_code == 403
    assert client.get(f"/api/v1/projects/{OTHER}/members").status_code == 404
    # session-only routes refuse tokens, and tokens never carry admin rights
    assert client.post("/api/v1/tokens", json={"name": "x", "role": "viewer", "projects": [OWN]}).status_code == 403
    assert client.post("/api/v1/auth/logout").status_code == 403
    admin_token = _bearer_client(world, "root", "owner", [])
    assert admin_token.get("/api/v1/users").status_code == 403
    # a token outlives neither its owner's membership nor its owner's account
    client = _bearer_client(world, "edith", "editor", [OWN])
    with world.server.db() as db:
        accounts.set_member(db, OWN, accounts.get_user(db, "edith"), "executive", world.server.clock())
        db.commit()
    assert client.get(f"/api/v1/projects/{OWN}/members").status_code == 200
    with world.server.db() as db:
        accounts.remove_member(db, OWN, accounts.get_user(db, "edith"))
        db.commit()
    assert client.get(f"/api/v1/projects/{OWN}/members").status_code == 404


def test_tokens_are_stored_hashed_and_die_when_revoked_or_expired(world: World) -> None:
    client = _bearer_client(world, "olga", "viewer", [OWN])
    secret = client.headers["Authorization"].split()[1]
    assert not file_contains(world.server, secret)
    with world.server.db() as db:
        assert all(secret not in (t.secret_hash, t.id) for t in db.execute(select(ApiToken)).scalars())
    assert client.get("/api/v1/auth/me").status_code == 200
    world.server.clock.advance(hours=13)  # past the lifetime given by _bearer_client
    assert client.get("/api/v1/auth/me").status_code == 401
    world.server.clock.advance(hours=-13)
    owner = world.server.client()
    cookie, csrf = world.cookies["owner"]
    owner.cookies.set(COOKIE_NAME, cookie, domain="testserver.local")
    owner.headers["X-CSRF-Token"] = csrf
    token_id = secret.split("_")[1]
    assert owner.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_last_owner_and_the_last_admin_stay(world: World) -> None:
    restore(world)
    owner = world.server.client()
    cookie, csrf = world.cookies["outsider"]  # the only owner of p-other
    owner.cookies.set(COOKIE_NAME, cookie, domain="testserver.local")
    owner.headers["X-CSRF-Token"] = csrf
    assert owner.put(f"/api/v1/projects/{OTHER}/members/otto", json={"role": "viewer"}).status_code == 409
    assert owner.delete(f"/api/v1/projects/{OTHER}/members/otto").status_code == 409
    admin = world.server.client()
    cookie, csrf = world.cookies["admin"]
    admin.cookies.set(COOKIE_NAME, cookie, domain="testserver.local")
    admin.headers["X-CSRF-Token"] = csrf
    assert admin.patch("/api/v1/users/root", json={"is_admin": False}).status_code == 409
    assert admin.patch("/api/v1/users/root", json={"disabled": True}).status_code == 409


def test_a_project_in_the_bin_answers_404_except_to_routes_that_restore(sqlite_server: Server) -> None:
    server = sqlite_server
    server.add_project("gone")
    server.add_user("olga")
    server.add_member("gone", "olga", "owner")

    def restore_route(project_id: str,
                      access: Annotated[ProjectAccess, Depends(project_role("owner", deleted=True))]) -> dict[str, str]:
        return {"restored": access.project_id}

    server.app.add_api_route("/api/v1/projects/{project_id}/restore-test", restore_route, methods=["POST"])
    owner = server.login("olga")
    assert owner.get("/api/v1/projects/gone/members").status_code == 200
    projects = Base.metadata.tables["projects"]
    with server.app.state.engine.begin() as connection:
        connection.execute(update(projects).where(projects.c.id == "gone").values(deleted_at=server.clock()))
    assert owner.get("/api/v1/projects/gone/members").status_code == 404
    assert owner.post("/api/v1/projects/gone/restore-test").json() == {"restored": "gone"}
