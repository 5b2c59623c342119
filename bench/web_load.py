"""Many users reading and editing plans at once over loopback HTTP against a real ``pmfit serve``
(issue 15's load benchmark), compared in the same run with a plain static-file server as the floor.

Each simulated user is a thread with its own kept-alive HTTP connection and its own login session. In a
loop it reads (the project, one task, the schedule, the history) and, one request in five, edits a task
of its own (PATCH naming the version it read in If-Match; the server merges it with the others' edits).
A 409 would be a correct answer to a conflicting edit, so it is counted apart; with each user editing its
own task there should be none. An *error* is anything else that is not 2xx: a 5xx, a refused or dropped
connection, a timeout, or an unexpected status. The run must end with 0 errors.

The floor: the same number of threads for the same time fetching a file of the size of a schedule answer
from ``python -m http.server`` on the same machine (no database, no Python work per request beyond the
file send): what the client and loopback alone cost here.

Backends: SQLite (one worker by default) and PostgreSQL with two workers (``--workers``); PostgreSQL is
skipped with the reason when no server answers at ``--pg`` (default: 127.0.0.1:5432, database test).

Run:  PYTHONPATH=src:tests python bench/web_load.py [--users 20] [--duration 60] [--tasks 200]
      [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "src"))

COOKIE = "__Host-pmfit_session"
SECRET = "bench-only-key-0f9e8d7c6b5a49382716f5e4d3c2b1a0"
PASSWORD = "correct horse battery"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: where the server's log is kept when it logged a traceback (--server-log)
SERVER_LOG: str | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(port: int, path: str, process: subprocess.Popen[bytes], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode() if process.stderr else ''}")
        if time.monotonic() > deadline:
            raise SystemExit(f"no answer on port {port} after {limit} s")
        time.sleep(0.3)


def prepare_store(url: str, tasks: int, users: int) -> list[str]:
    """The project ``load`` (a generated plan) and ``users`` editors; returns the task each user edits."""
    from project import generated  # bench/project.py
    from sqlalchemy.orm import Session

    from pmfit.io.yamlplan import write_plan_text
    from pmfit.store import Store
    from pmfit.store.connect import make_engine
    from pmfit.web import accounts
    from pmfit.web.db import prepare_database
    from pmfit.web.security.passwords import Hasher
    from pmfit.web.settings import TEST_HASHING, utc_now
    from pmfit.workspace import Workspace

    plan = generated(tasks)
    engine = make_engine(url)
    prepare_database(engine)
    Workspace(Store(engine=engine)).import_bytes(write_plan_text(plan).encode(), "load.yaml", project_id="load")
    with Session(engine) as db:
        hasher = Hasher(TEST_HASHING)  # cheap hashes: the benchmark is about plans, not logins
        for n in range(users):
            user = accounts.create_user(db, hasher, f"user{n:02d}", PASSWORD, False, utc_now())
            accounts.set_member(db, "load", user, "editor", utc_now())
        db.commit()
    engine.dispose()
    not_started = [t.id for t in plan.tasks if not t.id.endswith("_0")]  # each chain's first task is in progress
    return [not_started[(n * 7) % len(not_started)] for n in range(users)]


@contextmanager
def pmfit_server(url: str, workers: int) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "PMFIT_SECRET_KEY": SECRET, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    env.pop("PMFIT_DB", None)
    with tempfile.TemporaryDirectory() as cwd, open(Path(cwd) / "server.log", "w+b") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pmfit", "serve", "--db", url, "--workers", str(workers), "--port", str(port),
             "--no-link"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until_answering(port, "/api/v1/openapi.json", process)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            if "Traceback" in text and SERVER_LOG:
                Path(SERVER_LOG).write_text(text, encoding="utf-8")
                print(f"the server logged errors: {SERVER_LOG}", file=sys.stderr)


#: the floor: a file sent from memory by the standard library's threading HTTP server, kept-alive
#: connections like pmfit's (HTTP/1.1), in its own process
FLOOR_SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
body = open(sys.argv[2], "rb").read()
class File(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), File).serve_forever()
"""


@contextmanager
def static_server(body: bytes) -> Iterator[int]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.json"
        path.write_bytes(body)
        process = subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port), str(path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_answering(port, "/schedule.json", process)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times[kind].append(ms)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class Client:
    """One user's kept-alive connection (reconnects after the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: object = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        sent = {**self.headers, **(headers or {})}
        data = None
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=data, headers=sent)
                response = self.connection.getresponse()
                payload = response.read()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt or method != "GET":  # a write is never sent twice
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def user_loop(n: int, port: int, task: str, tally: Tally, stop: float, seed: int) -> None:
    rng = random.Random(seed * 1000 + n)
    client = Client(port)
    project = "/api/v1/projects/load"
    try:
        status, headers, body = client.request("POST", "/api/v1/auth/login",
                                               {"name": f"user{n:02d}", "password": PASSWORD})
        if status != 200:
            tally.error(f"login {status}")
            return
        cookie = headers["set-cookie"].split(";")[0]
        client.headers = {"Cookie": cookie, "X-CSRF-Token": json.loads(body)["csrf_token"]}
        head = client.request("GET", project)[1]["etag"]
        days = 2
        while time.monotonic() < stop:
            kind = rng.choices(["project", "task", "schedule", "history", "edit"], [2, 3, 2, 1, 2])[0]
            started = time.perf_counter()
            if kind == "edit":
                days = 2 + (days - 1) % 5
                status, headers, body = client.request("PATCH", f"{project}/tasks/{task}", {"duration": f"{days}d"},
                                                       {"If-Match": head})
            else:
                path = {"project": project, "task": f"{project}/tasks/{task}", "schedule": f"{project}/schedule",
                        "history": f"{project}/versions?limit=20"}[kind]
                status, headers, body = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            if status == 409:
                with tally.lock:
                    tally.conflicts += 1
            elif 200 <= status < 300:
                tally.add(kind, elapsed)
            else:
                tally.error(f"{kind} {status}: {body[:200]!r}")
            if "etag" in headers and kind in ("project", "edit", "task"):
                head = headers["etag"]
    except Exception as exc:  # a dropped connection, a timeout: an error of the run, not a crash of the script
        tally.error(f"user {n}: {type(exc).__name__}: {exc}")
    finally:
        client.close()


def floor_loop(port: int, tally: Tally, stop: float) -> None:
    client = Client(port)
    try:
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _, _ = client.request("GET", "/schedule.json")
            if status == 200:
                tally.add("static file", (time.perf_counter() - started) * 1000)
            else:
                tally.error(f"static {status}")
    except Exception as exc:
        tally.error(f"static: {type(exc).__name__}: {exc}")
    finally:
        client.close()


def run_users(target: object, args: list[tuple[object, ...]], duration: float) -> float:
    threads = [threading.Thread(target=target, args=a, daemon=True) for a in args]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    return time.monotonic() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Result:
    name: str
    tally: Tally
    seconds: float

    def rows(self) -> list[tuple[str, ...]]:
        out = []
        for kind, values in sorted(self.tally.times.items()):
            out.append((self.name, kind, str(len(values)), f"{statistics.median(values):.0f}",
                        f"{pct(values, 0.95):.0f}", f"{max(values):.0f}"))
        return out

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.tally.times.values()) + self.tally.conflicts + len(self.tally.errors)


def measure_pmfit(name: str, url: str, workers: int, users: int, duration: float, tasks: int, seed: int) -> Result:
    edited = prepare_store(url, tasks, users)
    tally = Tally()
    with pmfit_server(url, workers) as port:
        stop = time.monotonic() + duration
        seconds = run_users(user_loop, [(n, port, edited[n], tally, stop, seed) for n in range(users)], duration)
    return Result(name, tally, seconds)


def measure_floor(users: int, duration: float, body: bytes) -> Result:
    tally = Tally()
    with static_server(body) as port:
        stop = time.monotonic() + duration
        seconds = run_users(floor_loop, [(port, tally, stop) for _ in range(users)], duration)
    return Result("static files (floor)", tally, seconds)


def schedule_size(tasks: int) -> bytes:
    """A body the size of the schedule answer of the generated plan (for the floor's file)."""
    from project import generated

    import pmfit
    from pmfit.project import Project

    schedule = Project(generated(tasks)).schedule()
    rows = {tid: {"start": str(row.start), "finish": str(row.finish), "critical": row.critical}
            for tid, row in schedule.tasks.items()}
    _ = pmfit
    return json.dumps(rows).encode()


@contextmanager
def postgres_url(base: str) -> Iterator[str | None]:
    try:
        import psycopg

        connection = psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3,
                                     autocommit=True)
    except Exception as exc:
        print(f"PostgreSQL skipped: no server at {base} ({type(exc).__name__})", file=sys.stderr)
        yield None
        return
    schema = f"pmfit_load_{os.getpid()}"
    connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (the benchmark: 60)")
    parser.add_argument("--tasks", type=int, default=200, help="tasks in the generated plan")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sqlite-workers", type=int, default=1)
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL (a schema is made and dropped)")
    parser.add_argument("--no-floor", action="store_true", help="skip the static-file floor")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-log", default="web_load_server.log",
                        help="where to keep the server's log if it logged a traceback")
    args = parser.parse_args(argv)
    global SERVER_LOG
    SERVER_LOG = args.server_log

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        if args.backend in ("sqlite", "both"):
            results.append(measure_pmfit(f"pmfit SQLite, {args.sqlite_workers} worker(s)",
                                         f"sqlite:///{Path(folder) / 'load.db'}", args.sqlite_workers, args.users,
                                         args.duration, args.tasks, args.seed))
    if args.backend in ("postgresql", "both"):
        with postgres_url(args.pg) as url:
            if url is not None:
                results.append(measure_pmfit(f"pmfit PostgreSQL, {args.pg_workers} workers", url, args.pg_workers,
                                             args.users, args.duration, args.tasks, args.seed))
    if not args.no_floor:
        results.append(measure_floor(args.users, args.duration, schedule_size(args.tasks)))

    print(f"{args.users} users, {args.duration:g} s per run, plan of {args.tasks} tasks, "
          f"{os.cpu_count()} CPUs (clients, server and database share them)\n")
    print("| run | request | count | p50 ms | p95 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|")
    for result in results:
        for row in result.rows():
            print("| " + " | ".join(row) + " |")
    print("\n| run | requests | per second | errors | conflicts (409) |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        print(f"| {result.name} | {result.requests} | {result.requests / result.seconds:.0f} | "
              f"{len(result.tally.errors)} | {result.tally.conflicts} |")
    floor = next((r for r in results if r.name.startswith("static")), None)
    if floor is not None:
        base = statistics.median([v for values in floor.tally.times.values() for v in values])
        for result in results:
            if result is floor:
                continue
            everything = [v for values in result.tally.times.values() for v in values]
            if everything:
                print(f"\n{result.name}: median request {statistics.median(everything):.1f} ms = "
                      f"{statistics.median(everything) / base:.1f}x the static-file floor ({base:.1f} ms)", end="")
        print()
    errors = [e for r in results if not r.name.startswith("static") for e in r.tally.errors]
    for error in errors[:10]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
