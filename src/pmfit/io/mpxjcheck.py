"""Does another tool read a file the way pmfit does? A cross-check against MPXJ.

MPXJ (https://www.mpxj.org) is the reader behind ProjectLibre and many other tools. This module
reads one file with MPXJ and with pmfit and lists every disagreement on what both model: tasks
(leaf activities by id, summaries by name), links (type and lag), resources, assignments,
durations and progress. It is used by the test suite on exports of the test corpus and by
``tools/mpxj_sweep.py`` on every shared file and every format pmfit writes.

Needs the ``mpp`` extra (``mpxj`` + ``JPype1``) and Java, as :mod:`pmfit.io.mpp` does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

#: formats whose exports MPXJ reads
MPXJ_READS = ("mspdi", "xer", "p6xml", "mpx", "ganttproject", "planner")
#: what MPXJ 16 does not read in a format, so it is not compared there: in GanttProject files it
#: reads the ``<depend>`` links of top-level tasks only and no baselines; GanttProject stores no
#: actual dates (pmfit takes the planned start of a task in progress, MPXJ none) and no constraint
#: but its earliest start (pmfit keeps a hand-placed task's start as start-no-earlier-than)
MPXJ_GAPS: dict[str, frozenset[str]] = {
    "ganttproject": frozenset({"nested_links", "baseline_starts", "actual_start", "actual_finish", "constraint"}),
}


@dataclass
class View:
    """What a reader saw in a file, in terms both readers share."""

    leaves: dict[str, dict[str, Any]] = field(default_factory=dict)
    summaries: Counter[str] = field(default_factory=Counter)
    links: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)
    resources: set[str] = field(default_factory=set)
    assignments: set[tuple[str, str]] = field(default_factory=set)
    top: set[str] = field(default_factory=set)  # ids of top-level tasks


def _minute(value: Any) -> dt.date | None:
    """A date-time to the minute; a date (a day, no time of day) stays a date."""
    if value is None or not isinstance(value, dt.datetime):
        return value  # type: ignore[no-any-return]
    return value.replace(second=0, microsecond=0)


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, tuple) and isinstance(theirs, tuple):
        return len(ours) == len(theirs) and all(_same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, dt.date) and not isinstance(ours, dt.datetime) and isinstance(theirs, dt.datetime):
        return ours == theirs.date()  # pmfit knows the day only; the other tool gives it a time of day
    return bool(ours == theirs)


def _baseline_number(name: str, index: int) -> int:
    """MS Project's baseline number for a pmfit baseline name (baseline, baseline1..10; else its place)."""
    tail = name.removeprefix("baseline")
    return int(tail) if tail.isdigit() else (0 if tail == "" or name == "planned" else index)


def plan_view(plan: Plan) -> View:
    """pmfit's reading of a file, as a :class:`View`."""
    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    summaries = plan.summary_ids()
    progress = plan.progress.tasks if plan.progress else {}
    baselines = sorted((_baseline_number(b.name, i), b) for i, b in enumerate(plan.baselines))
    view = View()
    for t in plan.tasks:
        if t.id in summaries:
            view.summaries[t.name] += 1
            continue
        p = progress.get(t.id)
        view.leaves[t.id] = {
            "name": t.name,
            "duration": 0 if t.milestone else round(t.planned_duration().minutes(mpd, dpw)),
            "percent": round(p.percent_complete or 0) if p is not None else 0,
            "actual_start": _minute(p.actual_start) if p is not None else None,
            "actual_finish": _minute(p.actual_finish) if p is not None else None,
            "constraint": (t.constraint.type.value, _minute(t.constraint.date)) if t.constraint is not None
            and t.constraint.type.value != "ASAP" else None,
            "baseline_starts": tuple((n, _minute(b.tasks[t.id].start)) for n, b in baselines if t.id in b.tasks),
        }
        for link in t.after:
            view.links[(link.task, t.id, link.type.value, round(link.lag.minutes(mpd, dpw)))] += 1
        for rid in t.needs:
            view.assignments.add((t.id, plan.resource(rid).name))
    view.resources = {r.name for r in plan.resources}
    view.top = {t.id for t in plan.tasks if t.parent is None}
    return view


def _task_id(task: Any, fmt: str) -> str:
    if fmt in ("xer", "p6xml") and task.getActivityID() is not None:
        return str(task.getActivityID())
    if fmt == "ganttproject":  # MPXJ numbers GanttProject's tasks from 1, GanttProject from 0
        return str(int(task.getUniqueID()) - 1)
    text = task.getText(1)
    if text and fmt == "mspdi":  # the "pmfit id" field of pmfit's MS Project XML
        return str(text)
    return str(task.getUniqueID())


def mpxj_view(project: Any, fmt: str, plan: Plan) -> View:
    """MPXJ's reading of a file (``project`` is its ProjectFile), as a :class:`View`.

    ``plan`` is pmfit's reading of the same file: it gives the calendar that converts
    MPXJ's durations to working minutes the way pmfit counts them.
    """
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    props = project.getProjectProperties()
    view = View()

    def minutes(duration: Any) -> int:
        if duration is None:
            return 0
        return round(float(duration.convertUnits(TimeUnit.MINUTES, props).getDuration()))

    def is_real(task: Any) -> bool:
        uid = task.getUniqueID()
        if uid is None or (int(uid) == 0 and fmt not in ("xer", "p6xml")):
            return False  # MS Project's task 0 (the project summary)
        # P6's project WBS node, which MPXJ lists as a summary task
        return not (fmt == "xer" and task.getParentTask() is None and task.getSummary()
                    and str(task.getName()) == plan.project.name)

    tasks = [t for t in project.getTasks() if is_real(t)]
    # MPXJ, like P6, shows a P6 project without a baseline as its own baseline (planned dates)
    p6_self_baseline = fmt in ("xer", "p6xml") and all(
        _py(t.getBaselineStart()) == _py(t.getStart()) for t in tasks if not t.getSummary())
    summary = {int(t.getUniqueID()) for t in tasks if t.getSummary() and t.hasChildTasks()}
    ids = {int(t.getUniqueID()): _task_id(t, fmt) for t in tasks}
    if fmt == "mpx":  # pmfit's MPX export keeps its ids in Text1, and pmfit reads them back from there
        texts = {int(t.getUniqueID()): str(t.getText(1) or "") for t in tasks}
        if texts and set(texts.values()) <= {task.id for task in plan.tasks}:
            ids = texts
    for t in tasks:
        if int(t.getUniqueID()) in summary:
            view.summaries[str(t.getName() or "")] += 1
            continue
        tid = ids[int(t.getUniqueID())]
        pct = t.getPercentageComplete()
        if fmt in ("xer", "p6xml") and t.getPhysicalPercentComplete() is not None \
                and str(t.getPercentCompleteType()) == "PHYSICAL":
            pct = t.getPhysicalPercentComplete()
        view.leaves[tid] = {
            "name": str(t.getName() or ""),
            # P6's original duration is MPXJ's planned duration (its duration is actual + remaining)
            "duration": 0 if t.getMilestone() else minutes(
                t.getPlannedDuration() if fmt in ("xer", "p6xml") and t.getPlannedDuration() is not None
                else t.getDuration()),
            "percent": round(float(pct)) if pct is not None else 0,
            "actual_start": _minute(_py(t.getActualStart())),
            "actual_finish": _minute(_py(t.getActualFinish())),
            "constraint": _constraint(t),
            "baseline_starts": _baseline_starts(t, fmt, p6_self_baseline),
        }
        for r in t.getPredecessors():
            pred = r.getPredecessorTask()
            if pred is None or int(pred.getUniqueID()) not in ids:
                continue
            view.links[(ids[int(pred.getUniqueID())], tid, str(r.getType()), minutes(r.getLag()))] += 1
    for r in project.getResources():
        if r.getUniqueID() is None or (int(r.getUniqueID()) == 0 and fmt not in ("xer", "p6xml")):
            continue
        if r.getName() and not r.getRole():
            view.resources.add(str(r.getName()))
    for a in project.getResourceAssignments():
        task, res = a.getTask(), a.getResource()
        if task is None or res is None or res.getRole() or int(task.getUniqueID()) not in ids:
            continue
        if int(task.getUniqueID()) in summary or (res.getUniqueID() is not None and int(res.getUniqueID()) == 0
                                                   and fmt not in ("xer", "p6xml")):
            continue
        view.assignments.add((ids[int(task.getUniqueID())], str(res.getName())))
    return view


def _baseline_starts(task: Any, fmt: str, self_baseline: bool) -> tuple[tuple[int, dt.date | None], ...]:
    if self_baseline:
        return ()
    starts = [(n, task.getBaselineStart() if n == 0 else task.getBaselineStart(n)) for n in range(11)]
    return tuple((n, _minute(_py(value))) for n, value in starts if value is not None)


CONSTRAINTS = {"START_NO_EARLIER_THAN": "SNET", "START_NO_LATER_THAN": "SNLT", "FINISH_NO_EARLIER_THAN": "FNET",
               "FINISH_NO_LATER_THAN": "FNLT", "MUST_START_ON": "MSO", "MUST_FINISH_ON": "MFO",
               "AS_LATE_AS_POSSIBLE": "ALAP", "START_ON": "MSO", "FINISH_ON": "MFO"}


def _constraint(task: Any) -> tuple[str, dt.date | None] | None:
    kind = CONSTRAINTS.get(str(task.getConstraintType()))
    if kind is None:
        return None
    return kind, _minute(_py(task.getConstraintDate()))


def _py(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value))


def compare(ours: View, theirs: View, limit: int = 8, gaps: frozenset[str] = frozenset()) -> list[str]:
    """Every disagreement between two views, in words (at most ``limit`` examples per kind);
    ``gaps`` names what the other reader does not read (:data:`MPXJ_GAPS`)."""
    out: list[str] = []
    if "nested_links" in gaps:
        ours.links = Counter({k: v for k, v in ours.links.items() if k[0] in ours.top})
        theirs.links = Counter({k: v for k, v in theirs.links.items() if k[0] in ours.top})

    def differ(kind: str, a: Any, b: Any) -> None:
        only_ours = sorted(map(str, a - b))[:limit]
        only_theirs = sorted(map(str, b - a))[:limit]
        if only_ours or only_theirs:
            out.append(f"{kind}: pmfit only {only_ours}, MPXJ only {only_theirs}")

    differ("tasks", set(ours.leaves), set(theirs.leaves))
    differ("summary tasks", set((+ours.summaries).items()), set((+theirs.summaries).items()))
    differ("links", set(ours.links.items()), set(theirs.links.items()))
    differ("resources", ours.resources, theirs.resources)
    differ("assignments", ours.assignments, theirs.assignments)
    for key in ("name", "duration", "percent", "actual_start", "actual_finish", "constraint", "baseline_starts"):
        if key in gaps:
            continue
        bad = [(tid, ours.leaves[tid][key], theirs.leaves[tid][key]) for tid in sorted(ours.leaves)
               if tid in theirs.leaves and not _same(ours.leaves[tid][key], theirs.leaves[tid][key])]
        if bad:
            out.append(f"{key}: {len(bad)} tasks differ, e.g. " + "; ".join(
                f"{tid}: pmfit {a} vs MPXJ {b}" for tid, a, b in bad[:limit]))
    return out


def crosscheck(path: str, fmt: str) -> list[str]:
    """Read ``path`` with MPXJ and with pmfit; the disagreements (empty: they agree)."""
    from pmfit.io.formats import import_file
    from pmfit.io.mpp import mpxj_read

    project = mpxj_read(path)
    plan, _ = import_file(path, check=False)
    return compare(plan_view(plan), mpxj_view(project, fmt, plan), gaps=MPXJ_GAPS.get(fmt, frozenset()))
