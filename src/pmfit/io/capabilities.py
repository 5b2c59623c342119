"""What each writable format keeps, approximates and drops of a pmfit plan.

One table serves two readers: every export's report (``pmfit export`` lists, for the plan being
written, each feature the target format approximates or drops, with how many tasks, links or
resources it touches) and the documentation's per-format table (generated from :data:`WRITES`
by :func:`markdown_table`), so the docs and the reports cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

Status = Literal["kept", "approximated", "dropped"]


@dataclass(frozen=True)
class Feature:
    """Something a plan can hold, and how to count it in a plan (0: the plan does not use it)."""

    key: str
    label: str
    count: Callable[[Plan], int]


def _links(plan: Plan, pick: Callable[..., bool]) -> int:
    return sum(1 for t in plan.tasks for link in t.after if pick(link))


def _progress(plan: Plan) -> int:
    return len(plan.progress.tasks) if plan.progress else 0


FEATURES: tuple[Feature, ...] = (
    Feature("tasks", "tasks", lambda p: len(p.tasks)),
    Feature("outline", "summary tasks (outline)", lambda p: len(p.summary_ids())),
    Feature("milestones", "milestones", lambda p: sum(t.milestone for t in p.tasks)),
    Feature("links", "dependencies", lambda p: _links(p, lambda x: True)),
    Feature("link_types", "SS, FF and SF dependencies", lambda p: _links(p, lambda x: x.type.value != "FS")),
    Feature("lags", "lags and leads in working time", lambda p: _links(p, lambda x: x.lag.amount != 0
                                                                          and not x.lag.elapsed)),
    Feature("elapsed_lags", "elapsed lags (calendar time: 3ed)", lambda p: _links(p, lambda x: x.lag.amount != 0
                                                                                 and x.lag.elapsed)),
    Feature("summary_links", "dependencies on summary tasks",
            lambda p: sum(1 for t in p.tasks for x in t.after
                          if t.id in p.summary_ids() or x.task in p.summary_ids())),
    Feature("constraints", "date constraints", lambda p: sum(t.constraint is not None for t in p.tasks)),
    Feature("deadlines", "deadlines", lambda p: sum(t.deadline is not None for t in p.tasks)),
    Feature("estimates", "three-point estimates", lambda p: sum(t.estimate is not None for t in p.tasks)),
    Feature("leveling_delays", "leveling delays (a kept leveling)",
            lambda p: sum(t.leveling_delay is not None for t in p.tasks)),
    Feature("work", "work (effort)", lambda p: sum(t.work is not None for t in p.tasks)),
    Feature("costs", "fixed costs", lambda p: sum(bool(t.cost) for t in p.tasks)),
    Feature("priorities", "priorities", lambda p: sum(t.priority != 500 for t in p.tasks)),
    Feature("notes", "notes", lambda p: sum(bool(t.notes) for t in p.tasks)),
    Feature("tags", "tags", lambda p: sum(bool(t.tags) for t in p.tasks)),
    Feature("resources", "resources", lambda p: len(p.resources)),
    Feature("rates", "time rates (per hour, day ...)",
            lambda p: sum(r.rate is not None and r.rate.per != "use" for r in p.resources)),
    Feature("per_use", "per-use fees of people", lambda p: sum(
        r.rate is not None and r.rate.per == "use" and r.kind == "work" for r in p.resources)),
    Feature("resource_calendars", "resource calendars", lambda p: sum(r.calendar is not None for r in p.resources)),
    Feature("assignments", "assignments", lambda p: sum(len(t.needs) for t in p.tasks)),
    Feature("calendar", "project calendar (work week, hours)", lambda p: 1),
    Feature("holidays", "holidays and calendar exceptions",
            lambda p: len(p.project.calendar.holidays) + len(p.project.calendar.exceptions)),
    Feature("progress", "progress (actual dates, % complete, remaining)", _progress),
    Feature("status_date", "status date", lambda p: int(bool(p.progress and p.progress.status_date))),
    Feature("baselines", "baselines", lambda p: len(p.baselines)),
    Feature("risks", "risks", lambda p: len(p.risks)),
    Feature("stakeholders", "stakeholders", lambda p: len(p.stakeholders)),
    Feature("goals", "objectives, budget and description",
            lambda p: len(p.project.objectives) + (p.project.budget is not None) + bool(p.project.description)),
)
FEATURE = {f.key: f for f in FEATURES}

K: Status = "kept"
A: Status = "approximated"
D: Status = "dropped"


def _table(default: Status, **entries: tuple[Status, str] | Status) -> dict[str, tuple[Status, str]]:
    out: dict[str, tuple[Status, str]] = {f.key: (default, "") for f in FEATURES}
    for key, value in entries.items():
        assert key in FEATURE, key
        out[key] = value if isinstance(value, tuple) else (value, "")
    return out


_NOT_PLANS = dict(risks=(D, "the format has no risks"), stakeholders=(D, "the format has no stakeholders"),
                  goals=(D, "the format has no place for them"))

#: format name -> feature -> (status, how). Formats not listed here write everything (YAML, JSON).
WRITES: dict[str, dict[str, tuple[Status, str]]] = {
    "mspdi": _table(
        K, estimates=(A, "the most likely duration is written"),
        tags=(D, "MS Project has no tags"),
        baselines=(A, "the first eleven are written as Baseline 0-10"), **_NOT_PLANS),
    "xer": _table(
        K, summary_links=(A, "through a start/finish milestone of each summary (P6 links activities only)"),
        leveling_delays=(D, "not written; the dates written include them"),
        estimates=(A, "the most likely duration is written"), deadlines=(D, "P6 has no deadline field"),
        costs=(D, "not written (P6 keeps costs on expenses)"), tags=(D, "activity codes are not written"),
        per_use=(D, "P6 has no per-use fee for labour"),
        elapsed_lags=(A, "as the working hours they span on average (P6 measures every lag on one calendar)"),
        baselines=(D, "P6 keeps a baseline as a separate project; not written"), **_NOT_PLANS),
    "ganttproject": _table(
        K, link_types=K, lags=(A, "in whole days"),
        leveling_delays=(D, "not written; the dates written include them"),
        elapsed_lags=(A, "as the working days they span on average, in whole days"), calendar=(A, "the work week is kept, hours per day are not "
                                                              "(GanttProject counts days)"),
        constraints=(A, "start-no-earlier-than is kept (GanttProject's earliest start); others are not"),
        deadlines=(D, "GanttProject has no deadlines"), estimates=(A, "the most likely duration, in whole days"),
        work=(D, "GanttProject derives work from durations"), tags=(D, "not written"),
        per_use=(D, "GanttProject rates are per day"), rates=(A, "as a day rate"),
        resource_calendars=(A, "their holidays become vacations; their work week is not written"),
        progress=(A, "% complete is kept; GanttProject stores no actual dates"), status_date=(D, "not written"),
        baselines=(A, "as GanttProject baselines (start and whole days)"), **_NOT_PLANS),
    "planner": _table(
        K, constraints=(A, "start-no-earlier-than and must-start-on are kept (Planner has only those)"),
        leveling_delays=(D, "not written; the dates written include them"),
        lags=(A, "as the calendar time they span on average (Planner's lags are calendar time)"),
        deadlines=(D, "Planner has no deadlines"), estimates=(A, "the most likely duration is written"),
        costs=(D, "Planner has no fixed costs"), priorities=(D, "not read back by pmfit"), tags=(D, "not written"),
        per_use=(D, "Planner rates are per hour"), resource_calendars=(D, "not written"),
        assignments=(A, "units in whole percents"),
        progress=(A, "% complete is kept; Planner stores no actual dates"), status_date=(D, "not written"),
        baselines=(D, "Planner has no baselines"), **_NOT_PLANS),
    "mpx": _table(
        K, estimates=(A, "the most likely duration is written"), deadlines=(D, "MPX has no deadline field"),
        leveling_delays=(D, "not written; the dates written include them"),
        work=(D, "not written"), tags=(D, "not written"), resource_calendars=(D, "not written"),
        holidays=(K, "as base calendar exceptions"),
        progress=(A, "% complete and actual dates are kept; remaining durations are not"),
        baselines=(A, "the first baseline is written"), **_NOT_PLANS),
    "taskjuggler": _table(
        K, link_types=(A, "finish-to-finish and start-to-finish become finish-to-start and start-to-start"),
        leveling_delays=(D, "not written; the dates written include them"),
        lags=(A, "gaps are kept (gaplength); leads (negative lags) are not"),
        elapsed_lags=(K, "as gapduration (a lead is reported with the lags)"),
        constraints=(A, "start-no-earlier-than and must-start-on become start, finish-no-later-than and "
                        "must-finish-on become end; others are not written"),
        deadlines=(D, "not written"), estimates=(A, "the most likely duration is written"),
        costs=(D, "TaskJuggler keeps costs in accounts; not written"), tags=(D, "not written"),
        per_use=(D, "TaskJuggler rates are per day"), rates=(A, "as a day rate"),
        resource_calendars=(A, "their holidays become leaves; their work week is not written"),
        progress=(A, "complete (%) is kept; TaskJuggler has no actual dates"),
        baselines=(D, "not written (TaskJuggler keeps scenarios, not baselines)"), **_NOT_PLANS),
    "icalendar": _table(
        D, tasks=K, outline=(K, "RELATED-TO parent"), milestones=K, links=(K, "RELATED-TO with the gap"),
        link_types=K, lags=K, elapsed_lags=(A, "written as GAP; pmfit reads a GAP back as working time"),
        summary_links=K, notes=(K, "DESCRIPTION"), tags=(K, "CATEGORIES"),
        estimates=(A, "the most likely duration is written"),
        calendar=(A, "events carry scheduled dates; the work week is not written")),
    "csv": _table(
        K, resources=(A, "only their ids, in the resources column (the Excel export keeps them whole)"),
        leveling_delays=(D, "not written; the dates written include them"),
        rates=(D, "the CSV holds tasks only (the Excel export keeps resources)"),
        per_use=(D, "the CSV holds tasks only"), resource_calendars=(D, "the CSV holds tasks only"),
        calendar=(A, "start and finish columns carry the dates; the work week is not written"),
        holidays=(D, "not written"), progress=(D, "not written"), status_date=(D, "not written"),
        baselines=(D, "not written"), **_NOT_PLANS),
    "xlsx": _table(
        K, resource_calendars=(D, "not written"), progress=(D, "not written"),
        leveling_delays=(D, "not written; the dates written include them"),
        status_date=(D, "not written"), baselines=(D, "not written"), risks=(D, "not written"),
        stakeholders=(D, "not written"), goals=(A, "description and budget are written, objectives are not")),
}


WRITES["p6xml"] = dict(WRITES["xer"])  # P6 XML holds what XER holds (the writer goes through the XER tables)


def status_of(format_name: str, key: str) -> tuple[Status, str]:
    table = WRITES.get(format_name)
    return (K, "") if table is None else table.get(key, (D, ""))


def export_losses(plan: Plan, format_name: str, skip: set[str] | None = None) -> tuple[list[str], list[str], list[str]]:
    """(written, approximated, dropped) lines for writing ``plan`` in ``format_name`` (features in
    ``skip`` are left to the writer's own words)."""
    written: list[str] = []
    approximated: list[str] = []
    dropped: list[str] = []
    for feature in FEATURES:
        count = feature.count(plan)
        if not count or feature.key in (skip or set()):
            continue
        status, how = status_of(format_name, feature.key)
        what = feature.label if feature.key == "calendar" else f"{count} {feature.label}"
        line = f"{what}: {how}" if how else what
        {"kept": written, "approximated": approximated, "dropped": dropped}[status].append(line)
    return written, approximated, dropped


def markdown_table(formats: list[str] | None = None) -> str:
    """The per-format table for the docs: one row per feature, one column per writable format."""
    names = formats or sorted(WRITES)
    symbol = {"kept": "kept", "approximated": "approximated", "dropped": "dropped"}
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    notes: list[str] = []
    for feature in FEATURES:
        cells = []
        for name in names:
            status, how = status_of(name, feature.key)
            cell = symbol[status]
            if how:
                notes.append(f"{name}, {feature.label}: {how}")
                cell += f" [{len(notes)}]"
            cells.append(cell)
        lines.append(f"| {feature.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines + [""] + [f"{i}. {note}" for i, note in enumerate(notes, start=1)]) + "\n"


if __name__ == "__main__":  # python -m pmfit.io.capabilities > the table in docs/reference/format-details.md
    print(markdown_table(), end="")
