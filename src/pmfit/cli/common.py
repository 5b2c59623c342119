"""What every command shares: consoles, error handling, plan loading, output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from pmfit import Plan

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
#: From this many tasks a loaded plan is frozen out of the garbage collector's passes (see load_plan).
LARGE_PLAN_TASKS = 5_000

_consoles: dict[str, Console] = {}


def console() -> Console:
    """The one console that writes results (stdout)."""
    if "out" not in _consoles:
        from pmfit.cli.tables import results_console

        out = results_console(soft_wrap=False)
        out.on_broken_pipe = _reader_left  # type: ignore[method-assign]
        _consoles["out"] = out
    return _consoles["out"]


def _reader_left() -> None:
    """``pmfit schedule | head``: the reader left. Rich exits 1 here; that is not bad input."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(0)


def err_console() -> Console:
    """The console for diagnostics and progress (stderr)."""
    if "err" not in _consoles:
        from rich.console import Console

        _consoles["err"] = Console(stderr=True, soft_wrap=True)
    return _consoles["err"]


def reset_consoles() -> None:
    """Forget cached consoles (tests swap stdout/stderr)."""
    _consoles.clear()


def print_diagnostics(diagnostics: list[Any], as_json: bool = False) -> None:
    if as_json:
        return
    err = err_console()
    for d in diagnostics:
        colour = {"error": "red", "warning": "yellow"}.get(d.severity, "blue")
        where = f"{d.where}: " if d.where else ""
        err.print(f"{where}[{colour}]{d.severity}[/] [bold]\\[{d.code}][/] ", end="", markup=True,
                  highlight=False)
        err.print(d.message, markup=False, highlight=False)


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    from rich.markup import escape

    # escaped: a message naming pmfit[pdf] or a file called "plan [v2].yaml" must print as written
    err_console().print(f"[red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


@contextmanager
def user_errors(as_json: bool = False) -> Iterator[None]:
    """Turn pmfit's errors into messages and exit codes; never a traceback for bad input."""
    from pmfit import Diagnostic, PlanError

    try:
        try:
            yield
        except ValueError as exc:  # engines.workcal.CalendarError: dates a calendar cannot hold
            if type(exc).__name__ != "CalendarError":
                raise
            more = (": a duration, lag, estimate or date in the plan reaches more than 400 years from the start"
                    if "too little working time" in str(exc) else "")
            raise PlanError(Diagnostic("bad_calendar", f"{exc}{more}")) from None
    except PlanError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "diagnostics": [d.to_dict() for d in exc.diagnostics]},
                                        indent=2) + "\n")
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_INVALID) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:
        if _is_usage_error(exc):
            raise  # BadParameter and friends: the CLI framework prints usage and exits 2
        if isinstance(exc, FileNotFoundError):
            raise fail(f"{exc.filename or exc}: no such file") from None
        if isinstance(exc, PermissionError):
            raise fail(f"{exc.filename or exc}: permission denied") from None
        if isinstance(exc, OSError) and exc.filename:  # a folder, not a folder, disk full ...
            raise fail(f"{exc.filename}: {exc.strerror or exc}") from None
        if os.environ.get("PMFIT_DEBUG"):
            raise
        raise fail(f"internal error: {type(exc).__name__}: {exc} (set PMFIT_DEBUG=1 for details)",
                   EXIT_INTERNAL) from None


def _is_usage_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "UsageError" for cls in type(exc).__mro__)


def guarded(fn: F) -> F:
    """Decorator form of :func:`user_errors` for command functions with a ``json_out`` flag."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors(bool(kwargs.get("json_out"))):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def load_plan(path: str, show_warnings: bool = True) -> Plan:
    """Load any supported plan file; warnings go to stderr."""
    from pmfit.api import load, plan_warnings

    plan = load(path)
    if len(plan.tasks) >= LARGE_PLAN_TASKS:
        import gc

        # The plan's millions of objects live until the command ends and hold no cycles: move them
        # out of the collector's sight, or each full collection re-scans them (2 s of a 100,000-task
        # `schedule --json`). A command is one short process, so nothing here outlives it.
        gc.freeze()
    if show_warnings:
        print_diagnostics(plan_warnings(plan))
    return plan


def print_json(data: Any) -> None:
    from pmfit.cli.jsonout import dumps_indented

    sys.stdout.write(dumps_indented(data, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def days(minutes: float, minutes_per_day: int) -> str:
    value = minutes / minutes_per_day
    return f"{value:.1f}".rstrip("0").rstrip(".") + "d" if value != int(value) else f"{int(value)}d"


def parse_duration_option(text: str | None, default_seconds: float) -> float:
    """``5s``, ``2m``, ``500ms`` or a bare number of seconds."""
    if text is None:
        return default_seconds
    value = text.strip().lower()
    try:
        if value.endswith("ms"):
            return float(value[:-2]) / 1000
        if value.endswith("s"):
            return float(value[:-1])
        if value.endswith("m"):
            return float(value[:-1]) * 60
        return float(value)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time like 5s or 2m") from None


JsonOption = typer.Option(False, "--json", help="Print JSON for scripts instead of tables.")
AsPlannedOption = typer.Option(False, "--as-planned",
                               help="Show the plan as if nothing had happened (ignore its progress); "
                                    "default: the current schedule, which respects progress.")


def schedule_label(project: Any, as_planned: bool = False) -> str:
    """What a schedule is, in words: "current schedule, status date Wed 24 Feb 2027" or "as planned"."""
    if project.status is None:
        return "schedule"
    if as_planned:
        return "as planned, ignoring progress"
    return f"current schedule, status date {project.status.status_date:%a %d %b %Y}"
