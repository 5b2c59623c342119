"""``pmfit risk PLAN``: Monte Carlo schedule risk — P-dates, deadline odds, drivers, risks worth mitigating."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from pmfit.cli.common import (
    EXIT_USAGE,
    AsPlannedOption,
    JsonOption,
    console,
    days,
    err_console,
    fail,
    guarded,
    load_plan,
    print_json,
)

if TYPE_CHECKING:
    from pmfit import Plan, Project, RiskResult

#: Show a progress bar when a run has at least this many task-iterations (about a second of work).
PROGRESS_WORK = 20_000_000


@guarded
def risk(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    iterations: int = typer.Option(10_000, "--iterations", "-n", min=1, max=10_000_000,
                                   help="Monte Carlo iterations (the most, with --precision); the same "
                                        "default as `pmfit report`."),
    seed: int = typer.Option(20270104, "--seed", min=0,
                             help="Random seed: the same seed gives the same numbers (and the same P80 as "
                                  "`pmfit report` with the same iterations and seed)."),
    precision: str = typer.Option(None, "--precision",
                                  help="Stop early once P80's standard error is this small, like 0.5d or 2h."),
    correlation: float = typer.Option(None, "--correlation", min=0.0, max=1.0,
                                      help="Correlation of estimates within a task group (shared factor), 0..1; "
                                           "default: the plan's project.risk_correlation, else 0.5."),
    top: int = typer.Option(8, "--top", min=1, max=200, help="How many drivers and risks to list."),
    no_risk_impact: bool = typer.Option(False, "--no-risk-impact",
                                        help="Skip measuring each risk's effect on P80."),
    plot: str = typer.Option(None, "--plot", help="Write the histogram and tornado chart (.png or .svg)."),
    from_status: bool = typer.Option(False, "--from-status", hidden=True,
                                     help="Simulate only the work left at the status date (now the default)."),
    as_planned: bool = AsPlannedOption,
    json_out: bool = JsonOption,
) -> None:
    """Simulate the schedule: P10/P50/P80/P90 dates, deadline odds, top drivers and top risks.

    A plan with progress is simulated from its status date: finished tasks are fixed, tasks in
    progress keep their actual start and only the remaining work varies (--as-planned: the whole
    plan as if nothing had happened).
    """
    from pmfit.api import project, simulate

    if plot is not None and not plot.lower().endswith((".png", ".svg", ".pdf")):
        raise fail(f"--plot: {plot!r}: the chart is written as .png, .svg or .pdf", EXIT_USAGE)
    plan = load_plan(plan_file, show_warnings=not json_out)
    proj = project(plan)
    precision_minutes = _precision(plan, precision)
    work = iterations * max(len(plan.tasks), 1) * (1 + (0 if no_risk_impact else len(plan.risks)))
    run: dict[str, Any] = {"iterations": iterations, "seed": seed, "correlation": correlation,
                           "precision": precision_minutes, "risk_impact": not no_risk_impact,
                           "as_planned": as_planned and not from_status}
    try:
        if work < PROGRESS_WORK:
            result = simulate(proj, **run)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeRemainingColumn(), console=err_console(),
                          transient=True) as bar:
                task = bar.add_task(f"simulating {len(plan.tasks)} tasks", total=iterations)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                result = simulate(proj, **run, progress=progress)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if plot is not None:
        from pmfit.api import PlotUnavailable, save_chart

        try:
            save_chart(result, plot, title=f"{plan.project.name}: schedule risk", top=top)
        except PlotUnavailable as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{plot}: cannot write the chart ({exc.strerror or exc})") from None
    if json_out:
        data = result.summary()
        data["schedule"] = "planned" if proj.status is None or run["as_planned"] else "current"
        data["drivers"] = result.drivers(top)
        print_json(data)
        return
    _print(proj, result, top, run["as_planned"])
    if plot is not None:
        console().print(f"Chart written to {plot}", highlight=False)


def _precision(plan: Plan, text: str | None) -> float | None:
    if text is None:
        return None
    from pmfit.api import working_minutes

    try:
        minutes = working_minutes(plan, text)
    except (ValueError, TypeError):
        raise fail(f"--precision: {text!r} is not a duration like 0.5d or 2h", EXIT_USAGE) from None
    if minutes <= 0:
        raise fail("--precision: the precision must be above zero", EXIT_USAGE)
    return float(minutes)


def _print(proj: Project, result: RiskResult, top: int, as_planned: bool) -> None:
    from rich.table import Table

    from pmfit.cli.common import schedule_label

    plan = proj.plan
    base = "plan (CPM)" if proj.status is None else (
        "as planned (CPM)" if as_planned else "current schedule")
    out = console()
    mpd = result.minutes_per_day

    def when(minutes: float) -> str:
        date = result.date(minutes)
        return f"{date:%a %d %b %Y}" if date is not None else days(minutes, mpd)

    table = Table()
    for column in ("", "finish", "working days", "vs plan" if base.startswith(("plan", "as")) else "vs current"):
        table.add_column(column, justify="left" if column in ("", "finish") else "right")
    table.add_row(base, when(result.deterministic_finish), f"{result.deterministic_finish / mpd:.1f}", "",
                  style="dim")
    for p, value in result.percentiles.items():
        shift = value - result.deterministic_finish
        table.add_row(f"P{p}", when(value), f"{value / mpd:.1f}", f"{'+' if shift >= 0 else ''}{shift / mpd:.1f}d",
                      style="bold" if p == 80 else "")
    # the header after the rows: a date the calendar cannot hold fails before anything is printed
    what = "" if proj.status is None else (" of the plan as planned (ignoring progress)" if as_planned else
                                           f" of the {schedule_label(proj)} (remaining work only)")
    out.print(f"[bold]{plan.project.name}[/]: finish over {result.iterations:,} iterations{what}", highlight=False)
    out.print(table)
    chance = result.probability_by(result.deterministic_finish)
    own = "The plan's own finish" if proj.status is None or as_planned else "The current schedule's finish"
    out.print(f"{own} has a [bold]{chance:.0%}[/] chance; P50 is "
              f"{result.merge_bias / mpd:+.1f} working days from it (merge bias). "
              f"P80 standard error ±{result.p80_standard_error / mpd:.2f}d"
              + (" (stopped early at the requested precision)" if result.stopped_early else "")
              + f"; seed {result.seed}.", highlight=False)

    if result.deadlines:
        odds = Table(title="Chance of meeting each date", title_justify="left")
        for column in ("date", "what", "chance"):
            odds.add_column(column, justify="right" if column == "chance" else "left")
        for d in result.deadlines:
            date = result.start_date(d.limit) if d.on_start else result.date(d.limit)
            what = d.kind if d.task is None else f"{d.task}: {d.kind}"
            colour = "green" if d.probability >= 0.8 else ("yellow" if d.probability >= 0.5 else "red")
            odds.add_row(f"{date:%a %d %b %Y}" if date else days(d.limit, mpd), what,
                         f"[{colour}]{d.probability:.0%}[/]")
        out.print(odds)

    milestones = [(tid, values) for tid, values in result.milestones().items()
                  if result.network.milestone[result.network.index(tid)]]
    if milestones:
        import numpy as np

        table_m = Table(title="Milestones", title_justify="left")
        for column in ("milestone", base, "P50", "P80"):
            table_m.add_column(column)
        planned = result.deterministic_finishes()
        milestones.sort(key=lambda item: planned[item[0]])
        for tid, values in milestones[:top]:
            p50, p80 = (int(np.quantile(values, q, method="inverted_cdf")) for q in (0.5, 0.8))
            table_m.add_row(tid, when(planned[tid]), when(p50), when(p80))
        out.print(table_m)

    drivers = result.drivers(top)
    if drivers:
        tor = Table(title="Top drivers (what moves the finish)", title_justify="left")
        for column in ("task", "name", "sensitivity", "critical in"):
            tor.add_column(column, justify="right" if column in ("sensitivity", "critical in") else "left",
                           no_wrap=column != "name")
        for row in drivers:
            tor.add_row(row["id"], row["name"], f"{row['sensitivity']:+.2f}", f"{row['criticality']:.0%}")
        out.print(tor)

    if result.risks:
        risks = Table(title="Risks by their effect on P80 (mitigate from the top)", title_justify="left")
        for column in ("risk", "probability", "P80 delay", "cost"):
            risks.add_column(column, justify="left" if column == "risk" else "right")
        for r in result.risks[:top]:
            delta = "" if r.delta is None else f"+{r.delta / mpd:.1f}d"
            risks.add_row(f"{r.id}: {r.name}" if r.name != r.id else r.id, f"{r.probability:.0%}", delta,
                          f"{r.cost:,.0f}" if r.cost else "")
        out.print(risks)

    if not len(result.uncertain) and not result.risks:
        out.print("No task has a three-point estimate and the plan has no risks, so every iteration is the "
                  "plan itself: add `estimate: [optimistic, likely, pessimistic]` to the uncertain tasks.",
                  highlight=False)

    if result.cost is not None:
        import numpy as np

        p50, p80 = (float(np.quantile(result.cost, q)) for q in (0.5, 0.8))
        out.print(f"Cost: P50 {p50:,.0f} {plan.project.currency}, P80 {p80:,.0f} {plan.project.currency} "
                  f"(work at the resources' rates, fixed task costs, risk costs when they occur).",
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.command("risk")(risk)
