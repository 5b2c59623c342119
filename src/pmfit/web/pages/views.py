"""What each page shows, from the workspace and :class:`pmfit.Project` (no HTTP, no SQL here).

Page routes call these small functions; every number comes from the engines (the portfolio from
:func:`pmfit.report.facts.project_facts`, the Gantt from :func:`pmfit.report.svg.gantt_svg` over the
current schedule), and expensive results are cached in the store by version hash.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.project import Project
    from pmfit.store import VersionInfo
    from pmfit.workspace import Snapshot, Workspace

ZOOMS = ("day", "week", "month", "quarter", "year", "fit")
#: bump when the portfolio row's fields change: old cached rows are then recomputed
PORTFOLIO_KIND = "web-portfolio-row-1"
REPORT_KIND = "web-report-1"
MAX_GANTT_ROWS = 2000


@dataclass(frozen=True)
class PortfolioRow:
    """One project on the portfolio page (all text and numbers; JSON-cached by version)."""

    id: str
    name: str
    role: str
    version: str
    status: str  # green / amber / red
    status_reason: str
    finish: str  # ISO date-times
    deadline: str | None
    days_to_deadline: float | None
    p80: str | None
    spi: float | None
    cpi: float | None
    budget: float | None
    forecast_cost: float | None
    budget_use: float | None  # forecast / budget, as a fraction
    currency: str
    pm_kind: str | None
    pm_cost: float | None
    problem: str | None = None  # why the numbers are missing (a plan the engines refuse)


SORT_KEYS = ("name", "status", "finish", "deadline", "p80", "spi", "cpi", "budget_use", "pm_cost")
_RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def _row_from_facts(project_id: str, name: str, role: str, version: str, project: Project) -> dict[str, Any]:
    from pmfit.report.facts import project_facts

    facts = project_facts(project, include=frozenset({"risk", "evm", "advice"}))
    sched = facts.schedule
    use = (facts.forecast_cost / facts.budget) if facts.budget and facts.forecast_cost is not None else None
    return asdict(PortfolioRow(
        id=project_id, name=name, role=role, version=version, status=str(facts.status),
        status_reason=facts.status_reason, finish=sched.finish.isoformat(timespec="minutes"),
        deadline=sched.deadline.isoformat(timespec="minutes") if sched.deadline else None,
        days_to_deadline=sched.days_to_deadline,
        p80=facts.risk.p80.isoformat(timespec="minutes") if facts.risk else None,
        spi=facts.evm.spi if facts.evm else None, cpi=facts.evm.cpi if facts.evm else None,
        budget=facts.budget, forecast_cost=facts.forecast_cost, budget_use=use, currency=facts.currency,
        pm_kind=facts.advice.role_label if facts.advice else None,
        pm_cost=facts.advice.annual_cost if facts.advice else None))


def portfolio(workspace: Workspace, roles: dict[str, str], sort: str = "status",
              descending: bool = False) -> list[PortfolioRow]:
    """Every project in ``roles`` (id -> the caller's role) with its figures, sorted."""
    from pmfit.project import Project

    rows: list[PortfolioRow] = []
    for project_id, role in roles.items():
        try:
            snap = workspace.get(project_id)
        except PlanError:
            continue  # a membership of a project with no stored plan (yet): nothing to show

        def compute(plan: Any, snap: Snapshot = snap, role: str = role, project_id: str = project_id) -> bytes:
            data = _row_from_facts(project_id, snap.project.name, role, snap.version.label, Project(plan))
            return json.dumps(data).encode()
        try:
            payload = workspace.result(project_id, snap.version.id, PORTFOLIO_KIND, None, compute)
            data = json.loads(payload)
            data.update(role=role, name=snap.project.name, version=snap.version.label)
            rows.append(PortfolioRow(**data))
        except PlanError as exc:
            rows.append(PortfolioRow(project_id, snap.project.name, role, snap.version.label, "red",
                                     "the engines refuse this plan", "", None, None, None, None, None, None,
                                     None, None, "", None, None, problem=exc.diagnostics[0].message))
    return sort_rows(rows, sort, descending)


def sort_rows(rows: list[PortfolioRow], key: str, descending: bool = False) -> list[PortfolioRow]:
    key = key if key in SORT_KEYS else "status"

    def value(row: PortfolioRow) -> tuple[int, Any]:
        if key == "status":
            return (0, _RAG_ORDER.get(row.status, 3))
        if key == "name":
            return (0, row.name.lower())
        got = getattr(row, key)
        return (1, 0) if got is None else (0, got)  # missing values last

    ordered = sorted(rows, key=value, reverse=descending)
    if descending:  # keep missing values last either way
        ordered = [r for r in ordered if value(r)[0] == 0] + [r for r in ordered if value(r)[0] == 1]
    return ordered


# ---- the project page ----------------------------------------------------------------------
@dataclass(frozen=True)
class TaskPanel:
    """A task as the side panel shows and edits it."""

    id: str
    name: str
    start: str
    finish: str
    critical: bool
    total_float_days: float
    duration: str  # as the plan file writes it ("5d"), empty for summaries and estimates
    not_before: str  # the SNET date, ISO, or empty
    percent_complete: float | None
    summary: bool
    why: list[str]


@dataclass(frozen=True)
class ProjectPage:
    id: str
    name: str
    version: VersionInfo
    finish: str
    critical_count: int
    svg: str
    zoom: str
    folded: tuple[str, ...]
    summaries: tuple[str, ...]
    tasks: list[TaskPanel]
    history: list[VersionInfo]
    status_date: str | None
    truncated: int = 0
    finishes: list[tuple[str, str]] = field(default_factory=list)
    task_count: int = 0  # every task's; ``tasks`` holds the panels in the page (see INLINE_PANELS)


#: steps of a task's driving chain shown (the tooltip and the panel); ``pmfit why`` gives the whole chain
WHY_DEPTH = 5
#: plans up to this many tasks have every task's side panel in the page; larger ones only the selected
#: task's, the others fetched when a bar is selected (2,000 panels with their forms were 3.6 MB of HTML)
INLINE_PANELS = 200
#: drawn pages (the Gantt SVG and the panels' data) and scheduled versions kept per worker
PAGES_KEPT = 8
PROJECTS_KEPT = 4

# A version never changes (its id hashes its content), so what is drawn from it is kept by version id
# and view; a new version is a new key, so nothing kept can be stale. Per process, shared by threads.
_PAGES: OrderedDict[tuple[str, str, str, tuple[str, ...], int], ProjectPage] = OrderedDict()
_PROJECTS: OrderedDict[str, Project] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def _kept(store: OrderedDict[Any, Any], key: Any) -> Any:
    with _KEPT_LOCK:
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
        return found


def _keep(store: OrderedDict[Any, Any], key: Any, value: Any, limit: int) -> None:
    with _KEPT_LOCK:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)


def forget_drawn_pages() -> None:
    """Drop every kept page and schedule (tests; a worker never needs to)."""
    with _KEPT_LOCK:
        _PAGES.clear()
        _PROJECTS.clear()


def _project(snap: Snapshot) -> Project:
    """The version's :class:`Project`, scheduled once per worker (the page, then each "why" asked)."""
    from pmfit.project import Project

    found = _kept(_PROJECTS, snap.version.id)
    if found is None:
        found = Project(snap.plan)
        _keep(_PROJECTS, snap.version.id, found, PROJECTS_KEPT)
    return found  # type: ignore[no-any-return]


def _why_lines(project: Project, task_id: str) -> list[str]:
    try:
        return [step.reason for step in project.current.why(task_id, depth=WHY_DEPTH)]
    except Exception:  # a task the engine cannot explain (e.g. a summary without leaves): no "why"
        return []


def _panel(snap: Snapshot, project: Project, task_id: str, why: list[str]) -> TaskPanel:
    sched = project.current
    row = sched.tasks[task_id]
    task = next((t for t in snap.plan.tasks if t.id == task_id), None)
    percent = snap.plan.progress.tasks if snap.plan.progress else {}
    return _panel_of(task_id, row, task, percent.get(task_id), sched.calendar.minutes_per_day or 480, why)


def _panel_of(task_id: str, row: Any, task: Any, record: Any, mpd: int, why: list[str]) -> TaskPanel:
    snet = (task.constraint.date.isoformat()[:10] if task is not None and task.constraint is not None
            and task.constraint.type.value == "SNET" and task.constraint.date is not None else "")
    return TaskPanel(
        id=task_id, name=row.name, start=row.start.isoformat(timespec="minutes"),
        finish=row.finish.isoformat(timespec="minutes"), critical=row.critical,
        total_float_days=round(row.total_float / mpd, 2),
        duration=str(task.duration) if task is not None and task.duration is not None else "",
        not_before=snet, percent_complete=record.percent_complete if record else None,
        summary=row.summary, why=why)


def project_page(workspace: Workspace, project_id: str, zoom: str = "week",
                 folded: tuple[str, ...] = (), selected: str | None = None) -> ProjectPage:
    """The project page: the Gantt of the current schedule, the side panels, the history.

    The drawing is kept per worker by (version id, zoom, folds); the history is read each time. Only
    the selected task's "why" is computed here: the page asks :func:`task_panel` for the others' when
    a bar is selected. Large plans carry the selected task's panel only (see ``INLINE_PANELS``).
    """
    from dataclasses import replace

    snap = workspace.get(project_id)
    zoom = zoom if zoom in ZOOMS else "week"
    key = (project_id, snap.version.id, zoom, folded, INLINE_PANELS)
    drawn: ProjectPage | None = _kept(_PAGES, key)
    if drawn is None:
        drawn = _draw(snap, project_id, zoom, folded)
        _keep(_PAGES, key, drawn, PAGES_KEPT)
    panels = drawn.tasks
    if drawn.task_count > INLINE_PANELS:  # the drawing keeps no panels: the selected one is made here
        project = _project(snap)
        panels = [_panel(snap, project, selected, [])] if selected in project.current.tasks else []
    if selected is not None and any(t.id == selected for t in panels):
        why = _why_lines(_project(snap), selected)
        panels = [replace(t, why=why) if t.id == selected else t for t in panels]
    return replace(drawn, name=snap.project.name, tasks=panels, history=workspace.history(project_id, limit=50))


def _draw(snap: Snapshot, project_id: str, zoom: str, folded: tuple[str, ...]) -> ProjectPage:
    from pmfit.report.svg.gantt import GanttView, gantt_svg
    from pmfit.report.svg.gantt_rows import gantt_links, gantt_rows

    project = _project(snap)
    sched = project.current
    summaries = tuple(t.id for t in snap.plan.tasks if sched.tasks.get(t.id) is not None
                      and sched.tasks[t.id].summary)
    folded = tuple(f for f in folded if f in summaries)
    rows = gantt_rows(sched, snap.plan, baselines=snap.plan.baselines, folded=folded)
    truncated = max(0, len(rows) - MAX_GANTT_ROWS)
    status = project.status_date
    status_dt = (dt.datetime.combine(status, dt.time(17)) if isinstance(status, dt.date)
                 and not isinstance(status, dt.datetime) else status)
    view = GanttView(zoom=zoom,  # type: ignore[arg-type]
                     width=1200, status_date=status_dt, title=f"Gantt chart of {snap.project.name}",
                     minutes_per_day=sched.calendar.minutes_per_day, last_row=MAX_GANTT_ROWS)
    # the SVG's own <style> (for a file opened alone) is inline style, which the page's CSP refuses;
    # static/pmfit.css carries the same rules, so it is left out here rather than blocked in the browser
    svg = re.sub(r"<style>.*?</style>", "", gantt_svg(rows, gantt_links(snap.plan), view), count=1, flags=re.S)
    by_id = {t.id: t for t in snap.plan.tasks}
    percent = snap.plan.progress.tasks if snap.plan.progress else {}
    mpd = sched.calendar.minutes_per_day or 480
    panels = [_panel_of(task_id, row, by_id.get(task_id), percent.get(task_id), mpd, [])
              for task_id, row in sched.tasks.items()] if len(sched.tasks) <= INLINE_PANELS else []
    finishes = [(f.label, f.finish.isoformat(timespec="minutes")) for f in project.finishes()]
    return ProjectPage(project_id, snap.project.name, snap.version, sched.finish.isoformat(timespec="minutes"),
                       sum(1 for t in sched.tasks.values() if t.critical and not t.summary), svg, zoom, folded,
                       summaries, panels, [], status_dt.isoformat(timespec="minutes") if status_dt else None,
                       truncated, finishes, task_count=len(sched.tasks))


def task_panel(workspace: Workspace, project_id: str, version: str | None, task_id: str, zoom: str = "week",
               folded: tuple[str, ...] = ()) -> tuple[ProjectPage, TaskPanel] | None:
    """One task's side panel with its "why", in version ``version`` (what the page shows), for the
    page to fetch when a bar is selected; with the page it belongs to (no drawing, history or other
    panels). None when the version has no such task."""
    snap = workspace.get(project_id, version)
    project = _project(snap)
    tasks = project.current.tasks
    if task_id not in tasks:
        return None
    panel = _panel(snap, project, task_id, _why_lines(project, task_id))
    status = project.status_date
    status_dt = (dt.datetime.combine(status, dt.time(17)) if isinstance(status, dt.date)
                 and not isinstance(status, dt.datetime) else status)
    page = ProjectPage(project_id, snap.project.name, snap.version, "", 0, "", zoom if zoom in ZOOMS else "week",
                       tuple(f for f in folded if f in tasks and tasks[f].summary), (), [panel], [],
                       status_dt.isoformat(timespec="minutes") if status_dt else None, task_count=1)
    return page, panel


# ---- edits ---------------------------------------------------------------------------------
def _bad(message: str, task: str | None = None) -> PlanError:
    return PlanError([Diagnostic("bad_request", message, task=task)])


def edit_task(workspace: Workspace, project_id: str, base: str, task_id: str, *, duration: str | None,
              not_before: str | None, author: str) -> VersionInfo:
    """Change a task's duration and/or start-no-earlier-than date, made on version ``base``.

    Raises :class:`pmfit.workspace.EditConflict` when someone changed the same field since.
    """
    from pmfit.model.duration import Duration
    from pmfit.model.plan import Constraint, ConstraintType

    snap = workspace.get(project_id, base)
    task = next((t for t in snap.plan.tasks if t.id == task_id), None)
    if task is None:
        raise _bad(f"no task '{task_id}' in this version", task_id)
    update: dict[str, Any] = {}
    said = []
    if duration is not None and duration.strip() and duration.strip() != str(task.duration or ""):
        try:
            update["duration"] = Duration.parse(duration.strip())
        except ValueError as exc:
            raise _bad(f"duration '{duration[:40]}': {exc}", task_id) from None
        update["estimate"] = None
        said.append(f"duration {update['duration']}")
    if not_before is not None:
        text = not_before.strip()
        if text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise _bad(f"start no earlier than '{text[:40]}' is not a date (YYYY-MM-DD)", task_id) from None
            if task.constraint is None or task.constraint.type != ConstraintType.SNET or task.constraint.date != day:
                update["constraint"] = Constraint(type=ConstraintType.SNET, date=day)
                said.append(f"start no earlier than {day}")
        elif task.constraint is not None and task.constraint.type == ConstraintType.SNET:
            update["constraint"] = None
            said.append("no start constraint")
    if not update:
        return snap.version
    tasks = [t.model_copy(update=update) if t.id == task_id else t for t in snap.plan.tasks]
    plan = snap.plan.model_copy(update={"tasks": tasks})  # the workspace validates it again, as a file
    saved = workspace.commit(project_id, base, plan=plan, author=author,
                             message=f"{task_id}: {', '.join(said)}", kind="edit")
    return saved.version


def record_progress(workspace: Workspace, project_id: str, base: str, task_id: str, *, percent: float | None,
                    status_date: str | None, author: str) -> VersionInfo:
    """Set one task's percent complete (and the status date), made on version ``base``."""
    from pmfit.model.plan import Progress, TaskProgress

    snap = workspace.get(project_id, base)
    if task_id not in {t.id for t in snap.plan.tasks}:
        raise _bad(f"no task '{task_id}' in this version", task_id)
    if percent is not None and not 0 <= percent <= 100:
        raise _bad("percent complete is between 0 and 100", task_id)
    old = snap.plan.progress or Progress()
    when: dt.date | dt.datetime | None = old.status_date
    if status_date:
        try:
            when = dt.date.fromisoformat(status_date.strip())
        except ValueError:
            raise _bad(f"status date '{status_date[:40]}' is not a date (YYYY-MM-DD)") from None
    if when is None:
        raise _bad("progress needs a status date")
    record = old.tasks.get(task_id) or TaskProgress()
    update: dict[str, Any] = {"percent_complete": percent}
    if percent:  # begun work has an actual start: the scheduled one (as MS Project assumes), at latest today
        from pmfit.project import Project

        row = Project(snap.plan).planned.tasks[task_id]
        day = when if isinstance(when, dt.date) and not isinstance(when, dt.datetime) else when.date()
        if record.actual_start is None:
            update["actual_start"] = min(row.start.date(), day)
        if percent >= 100 and record.actual_finish is None:
            update["actual_finish"] = min(row.finish.date(), day)
    record = record.model_copy(update=update)
    value = old.model_copy(update={"status_date": when, "tasks": {**old.tasks, task_id: record}})
    return workspace.record_progress(project_id, base, value, author=author,
                                     message=f"{task_id}: {percent:g}% as of {when}" if percent is not None
                                     else "").version


# ---- reports -------------------------------------------------------------------------------
REPORT_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def report(workspace: Workspace, project_id: str, audience: str, format: str) -> bytes:
    """The technical or executive report of the head version (cached by version)."""
    from pmfit.report.build import build_report

    def compute(plan: Any) -> bytes:
        out = build_report(plan, audience, format)  # type: ignore[arg-type]
        return out if isinstance(out, bytes) else out.encode("utf-8")

    return workspace.result(project_id, None, REPORT_KIND, {"audience": audience, "format": format}, compute)


# ---- the engines' charts, the diff of two versions -------------------------------------------
ANALYSIS_KIND = "web-analysis-1"


@dataclass(frozen=True)
class ChartView:
    title: str
    svg: str
    note: str = ""


def analysis(workspace: Workspace, project_id: str) -> list[ChartView]:
    """The risk, earned-value and resource charts of the head version (the reports' own SVG code),
    each engine in turn; an engine that cannot run on this plan says why instead of a chart."""
    from pmfit.project import Project
    from pmfit.report.svg.charts import (
        distribution_from_risk,
        s_curve_from_ev,
        tornado_from_risk,
        usage_from_level,
    )

    def compute(plan: Any) -> bytes:
        project = Project(plan)
        charts: list[dict[str, str]] = []

        def add(title: str, make: Any, note: str = "") -> None:
            try:
                charts.append({"title": title, "svg": make(), "note": note})
            except Exception as exc:  # one engine's refusal must not hide the others
                message = exc.diagnostics[0].message if isinstance(exc, PlanError) else str(exc).splitlines()[0]
                charts.append({"title": title, "svg": "", "note": f"not available: {message[:300]}"})

        add("When the project finishes (simulation)", lambda: distribution_from_risk(project.simulate()),
            "P50 and P80 are marked; the deadline too when the plan has one.")
        add("What drives the finish", lambda: tornado_from_risk(project.simulate()))
        if project.has_progress and plan.baselines:
            add("Earned value (S-curve)", lambda: s_curve_from_ev(project.earned_value()))
        else:
            charts.append({"title": "Earned value (S-curve)", "svg": "",
                           "note": "needs a baseline and recorded progress"})
        add("Resource use after leveling", lambda: usage_from_level(project.level(time_limit=2.0)),
            "Leveled within a 2-second budget.")
        return json.dumps(charts).encode()

    payload = workspace.result(project_id, None, ANALYSIS_KIND, None, compute)
    return [ChartView(**chart) for chart in json.loads(payload)]


def diff(workspace: Workspace, project_id: str, old: str, new: str | None = None) -> Any:
    """What changed between two versions and what it did to the finish (a :class:`PlanDiff`)."""
    return workspace.diff(project_id, old, new)
