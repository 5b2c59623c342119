"""``pmfit status PLAN``: progress against the baseline — earned value, forecasts, tasks behind."""

from __future__ import annotations

import datetime as dt

import typer

from pmfit.cli.common import (
    EXIT_USAGE,
    JsonOption,
    console,
    err_console,
    fail,
    guarded,
    load_plan,
    print_diagnostics,
    print_json,
)


def parse_when(text: str | None) -> dt.date | dt.datetime | None:
    """``2027-02-12`` or ``2027-02-12T17:00``; a usage error otherwise."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text) if "T" in text or " " in text.strip() else dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"--as-of: {text!r} is not a date like 2027-02-12", EXIT_USAGE) from None


@guarded
def status(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file with a progress section."),
    as_of: str | None = typer.Option(None, "--as-of", help="Status date (default: the plan's, else today)."),
    baseline: str | None = typer.Option(None, "--baseline", "-b", help="Baseline name (default: the first)."),
    plot: str | None = typer.Option(None, "--plot", help="Write the S-curve (PV, EV, AC, forecast) to a "
                                    ".png, .svg or .pdf file."),
    period: str | None = typer.Option(None, "--period", help="Time-phased table periods: day, week or month."),
    tasks: bool = typer.Option(True, "--tasks/--no-tasks", help="Show the per-task table."),
    json_out: bool = JsonOption,
) -> None:
    """Earned value against a baseline: PV, EV, AC, variances, SPI/CPI, EAC, TCPI, earned schedule,
    the forecast finish and the tasks behind schedule."""
    from pmfit.api import earned_value, project

    when = parse_when(as_of)
    if period is not None and period not in ("day", "week", "month"):
        raise fail(f"--period: {period!r} is not day, week or month", EXIT_USAGE)
    plan = load_plan(plan_file, show_warnings=not json_out)  # with the sidecar's baselines
    proj = project(plan, as_of=when, source=plan_file)  # refuses a status date before the start
    result = earned_value(proj, baseline, when, period)
    written = None
    if plot:
        from pmfit.api import PlotUnavailable, save_chart

        try:
            written = save_chart(result, plot)
        except PlotUnavailable as exc:
            raise fail(str(exc)) from None
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    if json_out:
        print_json({**result.to_dict(), "plot": str(written) if written else None})
        return
    _print(result, plan, tasks)
    if written:
        err_console().print(f"S-curve written to {written}", highlight=False)
    print_diagnostics(result.diagnostics)


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _index(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print(result: object, plan: object, show_tasks: bool) -> None:
    from rich.table import Table

    from pmfit import EarnedValue

    assert isinstance(result, EarnedValue)
    out = console()
    p, es = result.project, result.schedule
    name = plan.project.name  # type: ignore[attr-defined]
    out.print(f"[bold]{name}[/]: status {result.status_date:%a %d %b %Y}, against baseline "
              f"'{result.baseline}' ({result.method} rule), {result.currency}", highlight=False)
    head = Table(show_header=True, title="Earned value", title_justify="left")
    for column in ("BAC", "PV", "EV", "AC", "SV", "CV", "SPI", "CPI"):
        head.add_column(column, justify="right")
    head.add_row(_money(p.bac), _money(p.pv), _money(p.ev), _money(p.ac), _money(p.sv), _money(p.cv),
                 _index(p.spi), _index(p.cpi))
    out.print(head)
    fc = Table(show_header=True, title="Forecast", title_justify="left")
    for column in ("EAC (BAC/CPI)", "EAC (AC+BAC−EV)", "EAC (CPI×SPI)", "ETC", "VAC", "TCPI"):
        fc.add_column(column, justify="right")
    fc.add_row(_money(p.eac_cpi), _money(p.eac_atypical), _money(p.eac_cpi_spi), _money(p.etc),
               _money(p.vac), _index(p.tcpi))
    out.print(fc)
    late = (result.forecast_finish.date() - es.planned_finish.date()).days
    out.print(f"Earned schedule {es.es:.1f} of {es.at:.1f} working days elapsed: SPI(t) {_index(es.spi_t)}, "
              f"SV(t) {es.sv_t:+.1f} days.", highlight=False)
    out.print(f"Finish: current schedule [bold]{result.forecast_finish:%a %d %b %Y}[/] ({late:+d} calendar "
              f"days against baseline '{result.baseline}', {es.planned_finish:%a %d %b %Y})"
              + (f"; earned-schedule forecast {es.forecast_finish:%a %d %b %Y}" if es.forecast_finish else "")
              + ".", highlight=False)
    if show_tasks:
        wide = out.width >= 120
        table = Table(title="Tasks", title_justify="left")
        columns = [("id", "left"), ("state", "left"), ("%", "right"), ("PV", "right"), ("EV", "right"),
                   ("AC", "right"), ("SV", "right"), ("CV", "right")]
        if wide:
            columns += [("SPI", "right"), ("CPI", "right"), ("finish", "left")]
        columns.append(("slip", "right"))
        for column, justify in columns:
            table.add_column(column, justify=justify, no_wrap=True,  # type: ignore[arg-type]
                             min_width=6 if column == "id" else None)
        depth: dict[str, int] = {}
        for row in result.tasks.values():
            depth[row.id] = depth.get(row.parent, -1) + 1 if row.parent else 0
            f = row.figures
            slip = row.finish_variance_days
            style = "bold" if row.summary else ("red" if row.id in result.behind else "")
            cells = ["  " * depth[row.id] + row.id, row.state.replace("_", " "), f"{row.percent:.0f}",
                     _money(f.pv), _money(f.ev), _money(f.ac), _money(f.sv), _money(f.cv)]
            if wide:
                cells += [_index(f.spi), _index(f.cpi), f"{row.finish:%d %b %Y}" if row.finish else ""]
            cells.append("" if slip is None or abs(slip) < 1e-9 else f"{slip:+g}d")
            table.add_row(*cells, style=style)
        out.print(table)
    if result.behind:
        shown = ", ".join(result.behind[:15])
        more = f" and {len(result.behind) - 15} more" if len(result.behind) > 15 else ""
        out.print(f"[bold red]Behind schedule:[/] {shown}{more}", highlight=False)
    else:
        out.print("No task is behind the baseline.")


def register(app: typer.Typer) -> None:
    app.command("status")(status)
