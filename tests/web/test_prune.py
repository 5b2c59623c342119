"""Clean-up of the server's finished rows: which sessions, login links, throttle counts and security-log
rows go, which stay, when the server does it by itself, and ``pmfit db prune``.

Every row is written with a hand-chosen time, so the expected survivors are known without the code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from pmfit.store.accounts import AuthEvent, LoginLink, LoginThrottle, User, WebSession
from pmfit.store.prune import Retention, prune_accounts
from pmfit.web.db import prune_if_due
from web.helpers import T0, Server

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def _fill(server: Server) -> None:
    """Rows at known times relative to T0 (the test clock's start); user ``u`` owns them."""
    server.add_user("u")
    with server.db() as db:
        uid = db.execute(select(User.id)).scalar_one()
        sessions = {  # id: (created, last seen, ended)
            "live": (T0 - H, T0, None),
            "ended-recently": (T0 - 5 * H, T0 - 5 * H, T0 - 2 * H),
            "ended-long-ago": (T0 - 3 * D, T0 - 3 * D, T0 - 2 * D),
            "timed-out-recently": (T0 - 20 * H, T0 - 20 * H, None),  # dead 8 h ago: within the 1-day grace
            "timed-out-long-ago": (T0 - 40 * H, T0 - 40 * H, None),  # dead since T0-28h
        }
        for sid, (created, seen, ended) in sessions.items():
            db.add(WebSession(id=sid, user_id=uid, created_at=created, last_seen_at=seen, ended_at=ended,
                              end_reason="logout" if ended else None))
        links = {  # id: (created, expires, used)
            "fresh": (T0 - H, T0 + H, None),
            "used-recently": (T0 - 2 * H, T0 - H, T0 - 2 * H),
            "used-long-ago": (T0 - 3 * D, T0 - 3 * D + H, T0 - 3 * D),
            "expired-long-ago": (T0 - 3 * D, T0 - 2 * D, None),
        }
        for lid, (created, expires, used) in links.items():
            db.add(LoginLink(id=lid, user_id=uid, created_at=created, expires_at=expires, used_at=used))
        throttle = {  # key: (window start, blocked until)
            "counting": (T0 - 5 * dt.timedelta(minutes=1), None),
            "blocked": (T0 - H, T0 + 5 * dt.timedelta(minutes=1)),
            "spent": (T0 - H, T0 - 30 * dt.timedelta(minutes=1)),
            "stale": (T0 - D, None),
        }
        for key, (start, blocked) in throttle.items():
            db.add(LoginThrottle(key=key, failures=3, window_start=start, blocked_until=blocked))
        for days in (1, 89, 91, 400):
            db.add(AuthEvent(at=T0 - days * D, kind="login", detail=f"{days} days ago"))
        db.commit()


def _left(server: Server) -> dict[str, set[str]]:
    with server.db() as db:
        return {
            "sessions": set(db.execute(select(WebSession.id)).scalars()),
            "links": set(db.execute(select(LoginLink.id)).scalars()),
            "throttle": set(db.execute(select(LoginThrottle.key)).scalars()),
            "log": {d for d in db.execute(select(AuthEvent.detail)).scalars() if d and "days ago" in d},
        }


def test_prune_deletes_exactly_the_finished_rows(backend_server: Server) -> None:
    _fill(backend_server)
    with backend_server.app.state.engine.begin() as connection:
        pruned = prune_accounts(connection, T0, Retention())
    assert pruned.to_dict() == {"sessions": 2, "login_links": 2, "throttle": 2, "auth_events": 2}
    assert _left(backend_server) == {
        "sessions": {"live", "ended-recently", "timed-out-recently"},
        "links": {"fresh", "used-recently"},
        "throttle": {"counting", "blocked"},
        "log": {"1 days ago", "89 days ago"},
    }
    with backend_server.app.state.engine.begin() as connection:  # a shorter log retention
        assert prune_accounts(connection, T0, Retention(auth_log=30 * D)).auth_events == 1
    assert _left(backend_server)["log"] == {"1 days ago"}


def test_the_server_prunes_during_requests_at_most_once_a_minute(sqlite_server: Server) -> None:
    _fill(sqlite_server)
    app = sqlite_server.app
    assert prune_if_due(app) is not None  # the first time: due
    assert prune_if_due(app) is None  # again within the minute: not
    assert len(_left(sqlite_server)["sessions"]) == 3
    sqlite_server.clock.advance(days=2)  # now everything but the log's youngest rows is finished
    assert sqlite_server.client().get("/api/v1/auth/me").status_code == 401  # any request runs the clean-up
    left = _left(sqlite_server)
    assert left["sessions"] == set() and left["links"] == set() and left["throttle"] == set()
    assert left["log"] == {"1 days ago"}  # 3 days old now; the 89-day one is 91 days old


def test_a_pruned_server_still_logs_in_and_counts_failures(sqlite_server: Server) -> None:
    """Clean-up takes nothing a live login needs: a session made just before it keeps working."""
    sqlite_server.add_user("amy")
    client = sqlite_server.login("amy")
    sqlite_server.clock.advance(minutes=2)
    assert client.get("/api/v1/auth/me").status_code == 200  # this request prunes, then the next one
    sqlite_server.clock.advance(minutes=2)
    assert client.get("/api/v1/auth/me").json()["user"]["name"] == "amy"


def test_pmfit_db_prune(tmp_path: Path) -> None:
    from pmfit.cli.app import app
    from pmfit.workspace import Workspace

    url = f"sqlite:///{tmp_path / 'p.db'}"
    with Workspace.open(url, create=True):
        pass
    now = dt.datetime.now(dt.UTC)
    from pmfit.store.connect import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(AuthEvent.__table__.insert(), [  # type: ignore[attr-defined]
            {"at": now - dt.timedelta(days=days), "kind": "login", "detail": f"{days}"} for days in (5, 20, 100)])
    engine.dispose()
    run = CliRunner().invoke(app, ["db", "--db", url, "prune", "--log-days", "10", "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout) == {"sessions": 0, "login_links": 0, "throttle": 0, "auth_events": 2}
    again = CliRunner().invoke(app, ["db", "--db", url, "prune"])
    assert again.exit_code == 0 and "0 auth events" in again.stdout
    assert CliRunner().invoke(app, ["db", "--db", url, "prune", "--log-days", "0"]).exit_code == 2


def test_the_idle_clock_is_written_after_the_request_at_most_every_15_seconds(sqlite_server: Server) -> None:
    """A read's bookkeeping (last seen) is written after its transaction, on its own: one row per 15 s."""
    sqlite_server.add_user("amy")
    client = sqlite_server.login("amy")

    def last_seen() -> dt.datetime:
        with sqlite_server.db() as db:
            return db.execute(select(WebSession.last_seen_at)).scalar_one()

    assert last_seen() == T0
    sqlite_server.clock.advance(seconds=10)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert last_seen() == T0  # under 15 s: not written
    sqlite_server.clock.advance(seconds=10)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert last_seen() == T0 + dt.timedelta(seconds=20)
    sqlite_server.clock.advance(minutes=25)  # 25 min after the last write, 45 after login: still open
    assert client.get("/api/v1/auth/me").status_code == 200
