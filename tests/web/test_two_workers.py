"""``pmfit serve --workers 2``: two real uvicorn worker processes on one store behave as one server.

Each request goes over its own loopback TCP connection, and the test finds which worker process
accepted it from the kernel's own socket tables (``/proc/<pid>/fd`` and ``/proc/net/tcp``), so "made on
one worker, seen on the other" is checked, not assumed. PostgreSQL is the case the issue names; SQLite
(one file, WAL) runs too. Linux only (``/proc``)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from pmfit.store import Store
from pmfit.store.connect import make_engine
from pmfit.web import accounts
from pmfit.web.db import prepare_database
from pmfit.web.security.passwords import Hasher
from pmfit.web.settings import TEST_HASHING, utc_now
from pmfit.workspace import Workspace
from web.helpers import PASSWORD, SECRET, backend_urls
from web.plans import SMALL_PLAN

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc to tell workers apart")
COOKIE = "__Host-pmfit_session"
CROWD = 40
P = "/api/v1/projects/p1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(t) for t in text]
    return found


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def accepted_by(server_port: int, client_port: int, workers: list[int]) -> int | None:
    """The worker process holding the server end of the connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port == client_port:
            inode = fields[9]
    if inode is None:
        return None
    return next((pid for pid in workers if inode in socket_inodes(pid)), None)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class TwoWorkers:
    url: str
    port: int
    workers: list[int]
    process: subprocess.Popen[bytes]

    def connect(self, worker: int) -> http.client.HTTPConnection:
        """A kept-alive connection that the given worker (0 or 1) accepted."""
        for _ in range(200):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.connect()
            client_port = connection.sock.getsockname()[1]
            connection.request("GET", "/api/v1/openapi.json")  # accepted once a request is read
            connection.getresponse().read()
            if accepted_by(self.port, client_port, self.workers) == self.workers[worker]:
                return connection
            connection.close()
        raise AssertionError(f"no connection reached worker {worker} in 200 tries")

    def call(self, worker: int, method: str, path: str, *, json_body: Any = None, form: dict[str, str] | None = None,
             session: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:
        """One request answered by ``worker``; ``session`` is {"cookie", "csrf"} from a login."""
        sent = dict(headers or {})
        body: bytes | None = None
        if json_body is not None:
            body, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        if form is not None:
            body, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        if session:
            sent["Cookie"] = f"{COOKIE}={session['cookie']}"
            sent["X-CSRF-Token"] = session["csrf"]
        connection = self.connect(worker)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            cookies = {}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    cookies[key] = rest.split(";")[0]
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data, cookies)
        finally:
            connection.close()

    def login(self, worker: int, name: str, password: str = PASSWORD) -> dict[str, str]:
        answer = self.call(worker, "POST", "/api/v1/auth/login", json_body={"name": name, "password": password})
        assert answer.status == 200, answer.body
        return {"cookie": answer.cookies[COOKIE], "csrf": answer.json()["csrf_token"]}


def _prepare(url: str) -> None:
    engine = make_engine(url)
    prepare_database(engine)
    space = Workspace(Store(engine=engine))
    space.import_bytes(SMALL_PLAN.encode(), "plan.yaml", project_id="p1", author="setup")
    from sqlalchemy.orm import Session

    with Session(engine) as db:
        hasher = Hasher(TEST_HASHING)
        for name in ("edith", "target"):
            user = accounts.create_user(db, hasher, name, PASSWORD, False, utc_now())
            accounts.set_member(db, "p1", user, "editor", utc_now())
        accounts.create_user(db, hasher, "root", PASSWORD, True, utc_now())
        for n in range(CROWD):
            accounts.create_user(db, hasher, f"crowd{n:02d}", PASSWORD, False, utc_now())
        db.commit()
    engine.dispose()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def two_workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkers]:
    folder = tmp_path_factory.mktemp("workers")
    urls = backend_urls(request.param, folder)
    url = next(urls)
    _prepare(url)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src"), "PMFIT_SECRET_KEY": SECRET}
    env.pop("PMFIT_DB", None)
    process = subprocess.Popen([sys.executable, "-m", "pmfit", "serve", "--db", url, "--workers", "2",
                                "--port", str(port), "--no-link"], env=env, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while len(workers) < 2 or not _answers(port):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "pmfit serve --workers 2 did not start in 90 s"
            time.sleep(0.3)
            workers = [pid for pid in children(process.pid) if _is_worker(pid)]
        yield TwoWorkers(url, port, workers, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for _ in urls:  # drops the PostgreSQL schema
            pass


def _is_worker(pid: int) -> bool:
    try:
        return "multiprocessing" in Path(f"/proc/{pid}/cmdline").read_text() and "resource_tracker" not in \
            Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/api/v1/openapi.json")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def test_both_workers_answer(two_workers: TwoWorkers) -> None:
    assert len(set(two_workers.workers)) == 2
    for worker in (0, 1):
        assert two_workers.call(worker, "GET", "/api/v1/openapi.json").status == 200


def test_a_session_made_on_one_worker_is_valid_on_the_other(two_workers: TwoWorkers) -> None:
    for made, used in ((0, 1), (1, 0)):
        session = two_workers.login(made, "edith")
        me = two_workers.call(used, "GET", "/api/v1/auth/me", session=session)
        assert me.status == 200 and me.json()["user"]["name"] == "edith"
        out = two_workers.call(used, "POST", "/api/v1/auth/logout", session=session)
        assert out.status == 204
        assert two_workers.call(made, "GET", "/api/v1/auth/me", session=session).status == 401  # ended for both


def test_an_edit_through_one_is_seen_by_the_other_and_a_stale_base_gets_409_on_both(two_workers: TwoWorkers) -> None:
    session = two_workers.login(0, "edith")
    base = two_workers.call(1, "GET", f"{P}/versions/head", session=session).headers["etag"]
    changed = two_workers.call(0, "PATCH", f"{P}/tasks/build", json_body={"duration": "9d"}, session=session,
                               headers={"If-Match": base})
    assert changed.status == 200, changed.body
    new_head = changed.headers["etag"]
    seen = two_workers.call(1, "GET", f"{P}/tasks/build", session=session)
    assert seen.json()["task"]["duration"] == "9d" and seen.headers["etag"] == new_head
    for worker in (0, 1):  # the same field changed differently on the old base: 409 from either worker
        stale = two_workers.call(worker, "PATCH", f"{P}/tasks/build", json_body={"duration": "7d"},
                                 session=session, headers={"If-Match": base})
        assert stale.status == 409, (worker, stale.body)
        assert stale.json()["conflict"]["code"] == "edit_conflict" and stale.headers["etag"] == new_head
        reverted = two_workers.call(worker, "POST", f"{P}/versions/1/revert", session=session,
                                    headers={"If-Match": base})
        assert reverted.status == 409, (worker, reverted.body)
    assert two_workers.call(1, "GET", f"{P}/tasks/build", session=session).json()["task"]["duration"] == "9d"


def test_the_login_rate_limit_counts_across_workers(two_workers: TwoWorkers) -> None:
    """Five failures for one account from one address, split over the two workers, block the sixth try."""
    for attempt in range(5):
        wrong = two_workers.call(attempt % 2, "POST", "/api/v1/auth/login",
                                 json_body={"name": "target", "password": f"wrong guess {attempt}"})
        assert wrong.status == 401, wrong.body
    for worker in (0, 1):
        blocked = two_workers.call(worker, "POST", "/api/v1/auth/login",
                                   json_body={"name": "target", "password": PASSWORD})
        assert blocked.status == 429 and int(blocked.headers["retry-after"]) > 0


def test_a_one_time_login_link_works_once_across_workers(two_workers: TwoWorkers) -> None:
    from sqlalchemy.orm import Session

    engine = make_engine(two_workers.url)
    with Session(engine) as db:
        root = accounts.get_user(db, "root")
        links = [accounts.make_login_link(db, root, utc_now(), dt.timedelta(hours=1)) for _ in range(2)]
        db.commit()
    engine.dispose()
    for link, (first, second) in zip(links, ((0, 1), (1, 0)), strict=True):
        used = two_workers.call(first, "POST", "/api/v1/auth/link", form={"token": link})
        assert used.status == 303 and COOKIE in used.cookies
        again = two_workers.call(second, "POST", "/api/v1/auth/link", form={"token": link})
        assert again.status == 401 and COOKIE not in again.cookies


def test_forty_logins_at_once_all_get_in(two_workers: TwoWorkers) -> None:
    """Each worker's one connection pool serves the requests and the store: forty logins at once (each
    holding its request while the throttler asks the pool for a connection) exhausted a 15-connection
    pool and froze the worker until the clients gave up."""
    import threading

    answers: dict[int, int | str] = {}

    def login(n: int) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", two_workers.port, timeout=60)
            connection.request("POST", "/api/v1/auth/login", body=json.dumps({"name": f"crowd{n:02d}",
                                                                             "password": PASSWORD}),
                               headers={"Content-Type": "application/json"})
            answers[n] = connection.getresponse().status
            connection.close()
        except OSError as exc:
            answers[n] = type(exc).__name__

    threads = [threading.Thread(target=login, args=(n,)) for n in range(CROWD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert answers == dict.fromkeys(range(CROWD), 200)
