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
from dataclasses import asdict, dataclass, field, replace
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
    why: list[str] | None  # the driving chain; None when not computed (the page fetches it on select)
    constraint_type: str = ""  # SNET, FNLT, ... or empty (as soon as possible)
    constraint_date: str = ""  # ISO date or empty
    resources: str = ""  # "backend, architect:0.25" (units after a colon when not 1)
    estimate: str = ""  # "3d/5d/8d" when the duration is a three-point estimate


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
    rows: int = 0  # rows of the whole Gantt (the drawing shows a window of them)
    constraint_types: tuple[str, ...] = ()
    resource_ids: tuple[str, ...] = ()
    inline_panels: bool = True  # every task's panel is in the page (else the script fetches one)


#: steps of a task's driving chain shown (the tooltip and the panel); ``pmfit why`` gives the whole chain
WHY_DEPTH = 5
#: rows drawn on the first paint; the page's script fetches the rows scrolled into view (GanttWindow)
FIRST_WINDOW = 150
#: most rows one fragment request draws
MAX_WINDOW = 600
#: up to this many tasks every side panel (without its "why") is in the page; above, the page carries
#: the selected task's only and the script fetches the panel of the bar selected (2,000 panels with
#: their forms were 3.6 MB of HTML)
INLINE_PANELS = 200
#: composed project pages kept per worker (the first window of the Gantt and the panels' data)
PAGES_KEPT = 8
#: leveling for the "leveled" toggle, within a time budget (cached by version)
LEVELED_KIND = "web-gantt-leveled-1"
LEVEL_SECONDS = 2.0
CONSTRAINT_TYPES = ("SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO", "ALAP")


def _why_lines(project: Project, task_id: str) -> list[str]:
    try:
        return [step.reason for step in project.current.why(task_id, depth=WHY_DEPTH)]
    except Exception:  # a task the engine cannot explain (e.g. a summary without leaves): no "why"
        return []


@dataclass(frozen=True)
class GanttOptions:
    """What the Gantt shows besides the current bars (the page's toggles)."""

    zoom: str = "week"
    folded: tuple[str, ...] = ()
    baselines: bool = True
    leveled: bool = False


@dataclass
class _Drawn:
    """A version's project and its Gantt rows (one per fold/toggle choice), kept between requests so
    scrolling a big plan draws a window without scheduling again."""

    snap: Snapshot
    project: Project
    rows: dict[tuple[tuple[str, ...], bool, bool], list[Any]] = field(default_factory=dict)
    links: list[Any] | None = None


_DRAWN: OrderedDict[tuple[int, str, str], _Drawn] = OrderedDict()
_DRAWN_LOCK = threading.Lock()
_DRAWN_SIZE = 6


def _drawn(workspace: Workspace, project_id: str, version: str | None) -> _Drawn:
    return _drawn_of(workspace, workspace.get(project_id, version))


def _drawn_of(workspace: Workspace, snap: Snapshot) -> _Drawn:
    """The version's project, scheduled once per worker (the page, its windows, each "why" asked)."""
    from pmfit.project import Project

    key = (id(workspace), snap.project.id, snap.version.id)
    with _DRAWN_LOCK:
        found = _DRAWN.get(key)
        if found is not None:
            _DRAWN.move_to_end(key)
            return found
    made = _Drawn(snap, Project(snap.plan))
    with _DRAWN_LOCK:
        _DRAWN[key] = made
        while len(_DRAWN) > _DRAWN_SIZE:
            _DRAWN.popitem(last=False)
    return made


def _leveled_dates(workspace: Workspace, drawn: _Drawn) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Each task's leveled start and finish (the engine's leveling within LEVEL_SECONDS), by version."""
    def compute(plan: Any) -> bytes:
        result = drawn.project.level(time_limit=LEVEL_SECONDS)
        return json.dumps({t.id: [t.start.isoformat(), t.finish.isoformat()] for t in result.tasks.values()
                           if t.start is not None and t.finish is not None}).encode()

    try:
        payload = workspace.result(drawn.snap.project.id, drawn.snap.version.id, LEVELED_KIND, None, compute)
    except PlanError:
        return {}  # a plan leveling refuses (no resources, ...): no leveled bars
    return {tid: (dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(f))
            for tid, (s, f) in json.loads(payload).items()}


def _rows(workspace: Workspace, drawn: _Drawn, options: GanttOptions) -> list[Any]:
    from pmfit.report.svg.gantt_rows import gantt_rows

    key = (options.folded, options.baselines, options.leveled)
    found = drawn.rows.get(key)
    if found is None:
        leveled = _leveled_dates(workspace, drawn) if options.leveled else None
        found = gantt_rows(drawn.project.current, drawn.snap.plan,
                           baselines=drawn.snap.plan.baselines if options.baselines else (),
                           leveled=leveled, folded=options.folded)
        drawn.rows[key] = found
    return found


def _status_moment(project: Project) -> dt.datetime | None:
    status = project.status_date
    if isinstance(status, dt.date) and not isinstance(status, dt.datetime):
        return dt.datetime.combine(status, dt.time(17))
    return status


def _summaries(drawn: _Drawn) -> tuple[str, ...]:
    sched = drawn.project.current
    return tuple(t.id for t in drawn.snap.plan.tasks if sched.tasks.get(t.id) is not None
                 and sched.tasks[t.id].summary)


@dataclass(frozen=True)
class GanttFragment:
    """A window of the Gantt (rows ``first`` to ``last``, the drawing at full height) and the figures
    an edit changes: what the page's script swaps in after a gesture or while scrolling."""

    project: str
    version: str
    label: str
    finish: str
    critical_count: int
    rows: int
    first: int
    last: int
    zoom: str
    svg: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gantt_fragment(workspace: Workspace, project_id: str, options: GanttOptions, first: int = 0,
                   last: int | None = None, version: str | None = None) -> GanttFragment:
    """The Gantt of ``version`` (the head by default) drawing rows ``first``..``last`` only."""
    from pmfit.report.svg.gantt import GanttView, gantt_svg
    from pmfit.report.svg.gantt_rows import gantt_links

    drawn = _drawn(workspace, project_id, version)
    sched = drawn.project.current
    summaries = set(_summaries(drawn))
    options = replace(options, zoom=options.zoom if options.zoom in ZOOMS else "week",
                      folded=tuple(f for f in options.folded if f in summaries))
    rows = _rows(workspace, drawn, options)
    first = max(0, min(first, len(rows)))
    last = min(len(rows), first + MAX_WINDOW if last is None else max(first, min(last, first + MAX_WINDOW)))
    # no "why" in the tooltips: the engine explains one task in time proportional to the plan, so a
    # task's chain is computed when its bar is selected (the side panel), never for every row drawn
    if drawn.links is None:
        drawn.links = gantt_links(drawn.snap.plan)
    view = GanttView(zoom=options.zoom,  # type: ignore[arg-type]
                     width=1200, status_date=_status_moment(drawn.project),
                     title=f"Gantt chart of {drawn.snap.project.name}",
                     minutes_per_day=sched.calendar.minutes_per_day, first_row=first, last_row=last,
                     interactive=True)
    # the SVG's own <style> (for a file opened alone) is inline style, which the page's CSP refuses;
    # static/pmfit.css carries the same rules, so it is left out here rather than blocked in the browser
    svg = re.sub(r"<style>.*?</style>", "", gantt_svg(rows, drawn.links, view), count=1,
                 flags=re.S)
    return GanttFragment(project_id, drawn.snap.version.id, drawn.snap.version.label,
                         sched.finish.isoformat(timespec="minutes"),
                         sum(1 for t in sched.tasks.values() if t.critical and not t.summary), len(rows), first,
                         last, options.zoom, svg)


def _needs_text(needs: dict[str, float]) -> str:
    return ", ".join(rid if units == 1 else f"{rid}:{units:g}" for rid, units in needs.items())


def _panel(drawn: _Drawn, task_id: str, why: bool) -> TaskPanel | None:
    sched = drawn.project.current
    row = sched.tasks.get(task_id)
    task = next((t for t in drawn.snap.plan.tasks if t.id == task_id), None)
    if row is None or task is None:
        return None
    percent = drawn.snap.plan.progress.tasks if drawn.snap.plan.progress else {}
    record = percent.get(task_id)
    mpd = sched.calendar.minutes_per_day or 480
    constraint = task.constraint
    kind = constraint.type.value if constraint is not None and constraint.type.value != "ASAP" else ""
    when = constraint.date.isoformat()[:10] if constraint is not None and constraint.date is not None else ""
    estimate = task.estimate
    return TaskPanel(
        id=task_id, name=row.name, start=row.start.isoformat(timespec="minutes"),
        finish=row.finish.isoformat(timespec="minutes"), critical=row.critical,
        total_float_days=round(row.total_float / mpd, 2),
        duration=str(task.duration) if task.duration is not None else "",
        not_before=when if kind == "SNET" else "", percent_complete=record.percent_complete if record else None,
        summary=row.summary, why=_why_lines(drawn.project, task_id) if why else None,
        constraint_type=kind, constraint_date=when, resources=_needs_text(task.needs),
        estimate=(f"{estimate.optimistic}/{estimate.likely}/{estimate.pessimistic}"
                  if estimate is not None and task.duration is None else ""))


def task_panel(workspace: Workspace, project_id: str, task_id: str,
               version: str | None = None) -> tuple[TaskPanel, VersionInfo, str | None] | None:
    """One task's side panel with its "why", in ``version`` (what the page shows: its forms name that
    version as their base), with the version and its status date; None when it has no such task. The
    page's script fetches it when a bar is selected."""
    drawn = _drawn(workspace, project_id, version)
    found = _panel(drawn, task_id, why=True)
    if found is None:
        return None
    moment = _status_moment(drawn.project)
    return found, drawn.snap.version, moment.isoformat(timespec="minutes") if moment else None


# A version never changes (its id hashes its content, parent and time), so a page composed from it is
# kept by version id and view; a new version is a new key, so nothing kept can be stale. Per process,
# shared by threads; the history, the project's name and the selected task's "why" are read each time.
_PAGES: OrderedDict[tuple[Any, ...], ProjectPage] = OrderedDict()


def forget_drawn_pages() -> None:
    """Drop every kept page and scheduled version (tests; a worker never needs to)."""
    with _DRAWN_LOCK:
        _PAGES.clear()
        _DRAWN.clear()


def project_page(workspace: Workspace, project_id: str, zoom: str = "week",
                 folded: tuple[str, ...] = (), selected: str | None = None,
                 options: GanttOptions | None = None) -> ProjectPage:
    """The project page: the first window of the Gantt, the side panels, the history.

    The composed page is kept per worker by (version id, zoom, folds, toggles); only the selected
    task's "why" is computed here (the script fetches another's with its panel when its bar is
    selected). Plans over ``INLINE_PANELS`` tasks carry the selected task's panel only.
    """
    options = replace(options or GanttOptions(), zoom=zoom if zoom in ZOOMS else "week", folded=folded)
    snap = workspace.get(project_id)
    key = (id(workspace), project_id, snap.version.id, options, FIRST_WINDOW, INLINE_PANELS)
    with _DRAWN_LOCK:
        kept = _PAGES.get(key)
        if kept is not None:
            _PAGES.move_to_end(key)
    if kept is None:
        kept = _compose(workspace, snap, options)
        with _DRAWN_LOCK:
            _PAGES[key] = kept
            while len(_PAGES) > PAGES_KEPT:
                _PAGES.popitem(last=False)
    panels = kept.tasks
    chosen = _panel(_drawn_of(workspace, snap), selected, why=True) if selected else None
    if chosen is not None:
        panels = [chosen if t.id == selected else t for t in panels] if kept.inline_panels else [chosen]
    return replace(kept, name=snap.project.name, tasks=panels, history=workspace.history(project_id, limit=50))


def _compose(workspace: Workspace, snap: Snapshot, options: GanttOptions) -> ProjectPage:
    """The page of one version and view, without its history and with no task's "why"."""
    project_id = snap.project.id
    fragment = gantt_fragment(workspace, project_id, options, 0, FIRST_WINDOW, snap.version.id)
    drawn = _drawn_of(workspace, snap)
    project = drawn.project
    sched = project.current
    summaries = _summaries(drawn)
    inline = len(sched.tasks) <= INLINE_PANELS
    panels = [p for p in (_panel(drawn, tid, why=False) for tid in sched.tasks) if p is not None] if inline else []
    finishes = [(f.label, f.finish.isoformat(timespec="minutes")) for f in project.finishes()]
    status = _status_moment(project)
    resources = tuple(r.id for r in snap.plan.resources)
    return ProjectPage(project_id, snap.project.name, snap.version, fragment.finish, fragment.critical_count,
                       fragment.svg, fragment.zoom, tuple(f for f in options.folded if f in summaries), summaries,
                       panels, [], status.isoformat(timespec="minutes") if status else None, 0, finishes,
                       fragment.rows, CONSTRAINT_TYPES, resources, inline)


# ---- edits ---------------------------------------------------------------------------------
def _bad(message: str, task: str | None = None) -> PlanError:
    return PlanError([Diagnostic("bad_request", message, task=task)])


def _parse_needs(text: str, task_id: str) -> dict[str, float]:
    needs: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, units = part.partition(":")
        try:
            needs[name.strip()] = float(units) if units.strip() else 1.0
        except ValueError:
            raise _bad(f"resources: '{part[:40]}' is not 'resource' or 'resource:units'", task_id) from None
    return needs


def task_patch(task: Any, *, name: str | None = None, duration: str | None = None,
               not_before: str | None = None, constraint_type: str | None = None,
               constraint_date: str | None = None, resources: str | None = None) -> dict[str, Any]:
    """The JSON merge patch (as ``PATCH /api/v1/projects/{id}/tasks/{task}`` takes it) of the side
    panel's form fields; fields left as they are stay out of it (so a stale form merges)."""
    patch: dict[str, Any] = {}
    if name is not None and name.strip() and name.strip() != task.name:
        patch["name"] = name.strip()
    if duration is not None and duration.strip() and duration.strip() != str(task.duration or ""):
        patch["duration"] = duration.strip()
        if task.estimate is not None:
            patch["estimate"] = None
    old_type = task.constraint.type.value if task.constraint is not None else ""
    old_date = (task.constraint.date.isoformat()[:10] if task.constraint is not None
                and task.constraint.date is not None else "")
    if constraint_type is None and not_before is not None:  # the older form: start no earlier than
        constraint_type = "SNET" if not_before.strip() else ("" if old_type == "SNET" else old_type)
        constraint_date = not_before.strip() if not_before.strip() else old_date
    if constraint_type is not None:
        kind = constraint_type.strip().upper()
        when = (constraint_date or "").strip()
        if kind and kind != "ALAP" and kind != "ASAP":
            try:
                dt.date.fromisoformat(when)
            except ValueError:
                raise _bad(f"constraint date '{when[:40]}' is not a date (YYYY-MM-DD)", task.id) from None
        if kind in ("", "ASAP"):
            if old_type not in ("", "ASAP"):
                patch["constraint"] = None
        elif (kind, when if kind != "ALAP" else "") != (old_type, old_date if kind != "ALAP" else ""):
            patch["constraint"] = {"type": kind, "date": when or None}
    if resources is not None:
        needs = _parse_needs(resources, task.id)
        if needs != dict(task.needs):
            patch["needs"] = {**{rid: None for rid in task.needs if rid not in needs}, **needs}
    return patch


def edit_task(workspace: Workspace, project_id: str, base: str, task_id: str, *, author: str,
              **fields: str | None) -> VersionInfo:
    """The side panel's form (without script): the same merge patch and the same library call as the
    JSON route ``PATCH /api/v1/projects/{id}/tasks/{task}`` (:func:`pmfit.web.api.parts.patch_item`).

    Raises :class:`pmfit.workspace.EditConflict` when someone changed the same field since.
    """
    from pmfit.web.api.parts import patch_item

    snap = workspace.get(project_id, base)
    task = next((t for t in snap.plan.tasks if t.id == task_id), None)
    if task is None:
        raise _bad(f"no task '{task_id}' in this version", task_id)
    patch = task_patch(task, **fields)
    if not patch:
        return snap.version
    return patch_item(workspace, project_id, snap.version.id, "tasks", task_id, patch, author=author).version


def progress_patch(plan: Any, task_id: str, percent: float | None, status_date: str | None) -> dict[str, Any]:
    """The JSON merge patch of ``/api/v1/projects/{id}/progress`` for one task's percent complete (and
    the status date); the actual dates a percent implies are filled in by the progress path itself
    (:func:`pmfit.web.api.parts.patch_progress`), as for the JSON route and the page's script."""
    from pmfit.model.plan import Progress

    if task_id not in {t.id for t in plan.tasks}:
        raise _bad(f"no task '{task_id}' in this version", task_id)
    if percent is not None and not 0 <= percent <= 100:
        raise _bad("percent complete is between 0 and 100", task_id)
    when: dt.date | dt.datetime | None = (plan.progress or Progress()).status_date
    patch: dict[str, Any] = {}
    if status_date:
        try:
            when = dt.date.fromisoformat(status_date.strip())
        except ValueError:
            raise _bad(f"status date '{status_date[:40]}' is not a date (YYYY-MM-DD)") from None
        patch["status_date"] = when.isoformat()
    if when is None:
        raise _bad("progress needs a status date")
    patch["tasks"] = {task_id: {"percent_complete": percent}}
    return patch


def record_progress(workspace: Workspace, project_id: str, base: str, task_id: str, *, percent: float | None,
                    status_date: str | None, author: str) -> VersionInfo:
    """Set one task's percent complete (and the status date), made on version ``base``: the same merge
    patch and library call as ``PATCH /api/v1/projects/{id}/progress``."""
    from pmfit.web.api.parts import patch_progress

    snap = workspace.get(project_id, base)
    patch = progress_patch(snap.plan, task_id, percent, status_date)
    when = patch.get("status_date") or (snap.plan.progress.status_date if snap.plan.progress else "")
    message = f"{task_id}: {percent:g}% as of {when}" if percent is not None else ""
    return patch_progress(workspace, project_id, snap.version.id, patch, author, message).version


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
