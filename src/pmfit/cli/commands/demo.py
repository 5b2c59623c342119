"""``pmfit demo``: schedule the bundled example plans and explain what happened.

The demo is a list of small *steps*. Each step takes a :class:`DemoContext`
(one example plan and its schedule) and returns a :class:`DemoLine` (a short
sentence for people, data for ``--json``, and a command to try next) or
``None`` to stay silent. Later engines add one line each, in one of two ways:

* append a function to :data:`DEMO_STEPS` here, or
* define ``demo_step(ctx) -> DemoLine | None`` in their own command module
  (``pmfit/cli/commands/<name>.py``); the demo finds it, like the app finds
  ``register``. Optional ``demo_order`` (an int, default 100) sorts it.

A step that fails (a missing optional dependency, a bug) is skipped and
reported on stderr; the demo itself never fails because of one step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pmfit.cli.common import JsonOption, console, err_console, fail, guarded, print_json

if TYPE_CHECKING:
    from pmfit import Plan, Project, Schedule


@dataclass(frozen=True)
class DemoContext:
    """One bundled example: its file name, how to name it in a command, the plan, its project
    (compiled once, results cached) and its current schedule."""

    name: str
    shown_path: str
    plan: Plan
    schedule: Schedule
    project: Project
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLine:
    """What one demo step says about one example."""

    step: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    try_next: str | None = None


DemoStep = Callable[[DemoContext], "DemoLine | None"]


# ---- built-in steps -------------------------------------------------------
def _date(value: Any) -> str:
    return f"{value:%a %d %b %Y}"


def step_schedule(ctx: DemoContext) -> DemoLine:
    """Scheduled N tasks on the plan's calendar: start, finish, working days."""
    plan, sched = ctx.plan, ctx.schedule
    cal = plan.project.calendar
    where = cal.country + (f"-{cal.subdivision}" if cal.subdivision else "") if cal.country else ""
    calendar = f"{cal.hours:g} hours a day, {len(cal.workweek)} days a week" + (
        f", {where} public holidays off" if where else "")
    status = ctx.project.status
    label = ("finish (current schedule)" if status is None else
             f"finish (current schedule, with the progress recorded up to {_date(status.status_date)})")
    text = (f"{len(plan.tasks)} tasks scheduled on working time of {calendar}: "
            f"start {_date(sched.start)}, {label} {_date(sched.finish)} "
            f"({sched.duration_days:g} working days).")
    warnings = len(sched.diagnostics)
    if warnings:
        text += f" {warnings} warning(s): see `pmfit schedule`."
    return DemoLine("schedule", text, {
        "tasks": len(plan.tasks), "start": sched.start.isoformat(timespec="minutes"),
        "finish": sched.finish.isoformat(timespec="minutes"),
        "schedule": "current" if status is not None else "planned",
        "duration_days": round(sched.duration_days, 3), "warnings": warnings,
    }, f"pmfit schedule {ctx.shown_path}")


def _main_chain(ctx: DemoContext) -> list[str]:
    if "chain" not in ctx.cache:
        paths = ctx.schedule.critical_paths(limit=50)
        ctx.cache["chain"] = max(paths, key=len) if paths else []
    chain: list[str] = ctx.cache["chain"]
    return chain


def step_critical_path(ctx: DemoContext) -> DemoLine:
    """The longest chain of zero-float tasks joined by links, shortened for one line; critical
    tasks that no link joins are listed, never drawn as a chain."""
    chain = _main_chain(ctx)
    critical = len(ctx.schedule.critical_path)
    if len(chain) > 1:
        shown = chain if len(chain) <= 6 else [*chain[:3], "…", *chain[-2:]]
        text = (f"Critical path: {' → '.join(shown)} ({len(chain)} tasks in this chain, "
                f"{critical} critical tasks in all). A day lost on any of them moves the finish.")
    else:
        text = (f"Critical tasks (no links join them into a chain): {ctx.schedule.critical_path_text()}. "
                "A day lost on any of them moves the finish.")
    return DemoLine("critical_path", text, {"chain": chain, "critical_tasks": critical},
                    f"pmfit schedule {ctx.shown_path} --critical-only")


def _explained_task(ctx: DemoContext) -> str | None:
    """A critical task worth explaining: one with a deadline, else the end of the main chain."""
    sched = ctx.schedule
    critical = set(sched.critical_path)
    for task in ctx.plan.tasks:
        if task.deadline is not None and task.id in critical:
            return task.id
    chain = _main_chain(ctx)
    return chain[-1] if chain else None


def step_why(ctx: DemoContext) -> DemoLine | None:
    """Why one critical task is where it is, in one line (from ``Schedule.why``)."""
    task_id = _explained_task(ctx)
    if task_id is None:
        return None
    steps = ctx.schedule.why(task_id)
    if not steps:
        return None
    row = ctx.schedule[task_id]
    origin = steps[-1]
    text = f"Why does {row.name} ({task_id}) fall on {_date(row.start)}? Because of {steps[0].reason}"
    if len(steps) > 1:
        text += (f"; that chain runs back {len(steps) - 1} step(s) to '{origin.task}', "
                 f"placed by {origin.reason}")
    text += "."
    return DemoLine("why", text, {"task": task_id, "chain": [s.to_dict() for s in steps]},
                    f"pmfit why {ctx.shown_path} {task_id}")


#: The demo's steps, in order. Append to this (or define ``demo_step`` in a command module).
DEMO_STEPS: list[DemoStep] = [step_schedule, step_critical_path, step_why]


def discovered_steps() -> list[DemoStep]:
    """``demo_step`` functions defined by other command modules, by ``demo_order`` then name."""
    import importlib
    import pkgutil

    from pmfit.cli import commands

    found: list[tuple[int, str, DemoStep]] = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name == "demo":
            continue
        module = importlib.import_module(f"pmfit.cli.commands.{info.name}")
        step = getattr(module, "demo_step", None)
        if callable(step):
            found.append((int(getattr(module, "demo_order", 100)), info.name, step))
    return [step for _, _, step in sorted(found, key=lambda item: (item[0], item[1]))]


# ---- finding the examples -------------------------------------------------
#: Examples shown first, in this order (technical, IT, general); any others follow by name.
FIRST = ("software-release.yaml", "it-infrastructure-rollout.yaml", "office-move.yaml")


def bundled_examples() -> list[tuple[str, str]]:
    """``(file name, YAML text)`` of every example shipped inside the package."""
    from importlib.resources import files

    folder = files("pmfit").joinpath("examples")
    try:
        out = [(entry.name, entry.read_text(encoding="utf-8"))
               for entry in folder.iterdir() if entry.name.endswith(".yaml")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(out, key=lambda item: (FIRST.index(item[0]) if item[0] in FIRST else len(FIRST), item[0]))


def shown_path(name: str) -> str:
    """How to name an example in a command the user can paste: ``examples/x.yaml`` when that works here."""
    from importlib.resources import files

    packaged = files("pmfit").joinpath("examples", name)
    local = Path("examples") / name
    try:
        if local.is_file() and local.resolve() == Path(str(packaged)).resolve():
            return local.as_posix()
    except OSError:  # pragma: no cover - an unreadable folder in the way
        pass
    return str(packaged)


def run_demo(steps: list[DemoStep] | None = None) -> dict[str, Any]:
    """Schedule every bundled example and collect each step's line. No printing."""
    from pmfit.api import loads, project

    steps = [*DEMO_STEPS, *discovered_steps()] if steps is None else steps
    started = time.perf_counter()
    examples: list[dict[str, Any]] = []
    skipped: list[str] = []
    for name, text in bundled_examples():
        path = shown_path(name)
        plan = loads(text, filename=path)
        proj = project(plan)
        ctx = DemoContext(name, path, plan, proj.current, proj)
        lines: list[DemoLine] = []
        for step in steps:
            try:
                line = step(ctx)
            except Exception as exc:  # one broken step must not break the demo
                skipped.append(f"{getattr(step, '__name__', step)} on {name}: {type(exc).__name__}: {exc}")
                continue
            if line is not None:
                lines.append(line)
        examples.append({
            "file": name, "path": path, "project": plan.project.name,
            "description": plan.project.description,
            "lines": lines,
        })
    return {"examples": examples, "skipped": skipped, "seconds": time.perf_counter() - started}


_WHAT_PMFIT_DID = (
    "For each plan pmfit read the YAML file, checked it (ids, links, cycles, calendars), turned "
    "working days into dates on the plan's own calendar (weekends and public holidays skipped), "
    "and ran the critical path method: the earliest and latest dates of every task, its float "
    "(how far it can slip without moving the finish), and the chain of zero-float tasks that sets "
    "the finish date. A plan that records progress is shown as its current schedule: finished work "
    "where it happened, work in progress from its actual start, the rest not before the status date."
)


@guarded
def demo(json_out: bool = JsonOption) -> None:
    """Schedule the bundled example plans and show what pmfit found: finish, critical path, why."""
    from rich.markup import escape

    if json_out:
        result = run_demo()
    else:
        with err_console().status("Scheduling the bundled examples and writing their reports…"):
            result = run_demo()
    if not result["examples"]:
        raise fail("this pmfit installation has no example plans (pmfit/examples/*.yaml); reinstall pmfit")
    for problem in result["skipped"]:
        err_console().print(f"[yellow]demo step skipped:[/] {escape(problem)}", highlight=False)
    if json_out:
        print_json({
            "what_pmfit_did": _WHAT_PMFIT_DID,
            "examples": [{**{k: v for k, v in ex.items() if k != "lines"},
                          "steps": [{"step": line.step, "text": line.text, "data": line.data,
                                     "try_next": line.try_next} for line in ex["lines"]]}
                         for ex in result["examples"]],
            "try_next": _try_next(result),
            "seconds": round(result["seconds"], 3),
        })
        return
    out = console()
    out.print(f"[bold]pmfit demo[/]: scheduling the {len(result['examples'])} example plans "
              "that ship with pmfit.", highlight=False)
    out.print(escape(_WHAT_PMFIT_DID), style="dim", highlight=False)
    for ex in result["examples"]:
        out.print()
        out.print(f"[bold cyan]{escape(ex['project'])}[/]  [dim]{escape(ex['path'])}[/]", highlight=False)
        for line in ex["lines"]:
            out.print(f"  • {escape(line.text)}", highlight=False)
    out.print()
    out.print("[bold]Try next[/]", highlight=False)
    for command in _try_next(result):
        out.print(f"  {escape(command)}", highlight=False)
    out.print(f"[dim]({len(result['examples'])} plans in {result['seconds']:.2f} s)[/]", highlight=False)


def _try_next(result: dict[str, Any]) -> list[str]:
    """One command per kind of step (from the first example that offers it), then the schema."""
    seen: dict[str, str] = {}
    for ex in result["examples"]:
        for line in ex["lines"]:
            if line.try_next and line.step not in seen:
                seen[line.step] = line.try_next
    commands = list(seen.values())
    if result["examples"]:
        commands.append(f"pmfit validate {result['examples'][-1]['path']}")
    commands.append("pmfit schema > plan.schema.json")
    return commands


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
