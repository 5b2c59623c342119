"""``pmfit report PLAN``: the status report for engineers or for business leaders."""

from __future__ import annotations

from enum import StrEnum

import typer

from pmfit.cli.common import console, err_console, fail, guarded, load_plan


class AudienceChoice(StrEnum):
    technical = "technical"
    executive = "executive"


class FormatChoice(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


@guarded
def report(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    audience: AudienceChoice = typer.Option(None, "--audience", "-a",
                                            help="technical or executive (default: executive, or from --for)."),
    for_: str = typer.Option(None, "--for", help="A stakeholder's name or role from the plan: picks the "
                             "audience and puts first what they care about."),
    fmt: FormatChoice = typer.Option(None, "--format", "-f", help="md, html or pdf (default: from --out, else md)."),
    out: str = typer.Option(None, "--out", "-o", metavar="FILE", help="Write to this file (needed for pdf)."),
    as_of: str = typer.Option(None, "--as-of", help="Status date (YYYY-MM-DD); default: the plan's status date."),
    previous: str = typer.Option(None, "--previous", help="The plan as of the last report, for 'what changed'."),
    iterations: int = typer.Option(10_000, "--iterations", "-n", min=100, max=200_000,
                                   help="Simulation runs for the risk section (the same default as `pmfit risk`)."),
    seed: int = typer.Option(20270104, "--seed", help="Random seed (same seed, same report; the same P80 as "
                             "`pmfit risk` with the same iterations and seed)."),
    facts_json: bool = typer.Option(False, "--facts", help="Print the gathered facts as JSON instead."),
) -> None:
    """Write a status report: technical (critical path, drivers, EVM) or executive (one page, plain words)."""
    import datetime as dt
    from pathlib import Path

    from pmfit.api import project, render_report, status_facts

    plan = load_plan(plan_file)
    previous_plan = load_plan(previous, show_warnings=False) if previous else None
    try:
        status = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date like 2027-03-01", param_hint="--as-of") from None
    proj = project(plan, as_of=status, source=plan_file)  # refuses a status date before the start
    to_stdout = out == "-"
    if out and not to_stdout and Path(out).is_dir():  # before the facts, which take seconds
        from pmfit import Diagnostic, PlanError

        raise PlanError(Diagnostic("bad_file", f"cannot write the report: '{out}' is a folder; name a file in "
                                   f"it, like {Path(out) / ('report.' + (fmt.value if fmt else 'md'))}", file=out))
    chosen = fmt.value if fmt else (Path(out).suffix.lstrip(".").lower() if out and not to_stdout else "md")
    if chosen == "markdown":
        chosen = "md"
    if chosen not in ("md", "html", "pdf"):
        raise fail(f"cannot write a report as '{chosen}' (use .md, .html or .pdf)", 2)
    if chosen == "pdf" and not out:
        raise fail("a PDF report needs --out FILE.pdf (or --out - for standard output)", 2)
    if for_ is not None:  # before the facts, which take seconds
        from pmfit.api import find_stakeholder

        find_stakeholder(plan, for_, source=plan_file)
    with err_console().status("Gathering facts (schedule, leveling, risk, earned value, advice)…"):
        facts = status_facts(proj, previous=previous_plan, iterations=iterations, seed=seed)
    if facts_json:
        from pmfit.cli.common import print_json

        print_json(facts.to_dict())
        return
    content = render_report(facts, audience.value if audience else None, chosen, for_stakeholder=for_, plan=plan)
    if out:
        from pmfit.api import save_text

        save_text(content, out)
        if not to_stdout:
            err_console().print(f"wrote {out}", highlight=False)
    else:
        console().file.write(content if isinstance(content, str) else content.decode())


def register(app: typer.Typer) -> None:
    app.command("report")(report)


# ---- pmfit demo: write both reports for each bundled example -------------------
demo_order = 900
DEMO_REPORTS_DIR = "pmfit-demo-reports"


def demo_step(ctx: object) -> object:
    """Write the technical and executive reports (Markdown and HTML) of one example into ./pmfit-demo-reports/."""
    import os
    from pathlib import Path

    from pmfit.api import render_report, save_text, status_facts
    from pmfit.cli.commands.demo import DemoLine

    if os.environ.get("PMFIT_DEMO_NO_REPORTS"):
        return None
    stem = Path(ctx.name).stem  # type: ignore[attr-defined]
    folder = Path(os.environ.get("PMFIT_DEMO_REPORTS", DEMO_REPORTS_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    # the demo's project: its current schedule, compiled once, is what the schedule line showed
    facts = status_facts(ctx.project, level_time_limit=1.0)  # type: ignore[attr-defined]
    written = []
    for audience in ("technical", "executive"):
        for fmt in ("md", "html"):
            target = folder / f"{stem}-{audience}.{fmt}"
            save_text(render_report(facts, audience, fmt), target)
            written.append(str(target))
    highlights = []
    mpd = ctx.schedule.minutes_per_day  # type: ignore[attr-defined]
    if facts.risk is not None:
        # One finish per plan in the demo (the schedule line's); the promise is said relative to it.
        results = facts.results
        assert results is not None and results.risk is not None
        later = (results.risk.percentile(80) - results.risk.deterministic_finish) / mpd
        highlights.append(f"to promise a date with 4-in-5 confidence (P80 of the simulation, "
                          f"{facts.risk.iterations:,} runs) allow {later:.0f} working days more than the "
                          "current schedule")
    if facts.leveling is not None and facts.leveling.delay_days > 0:
        highlights.append(f"leveling the team's workload adds {facts.leveling.delay_days:g} working days")
    if facts.evm is not None and facts.evm.cpi is not None:
        highlights.append(f"earned value: SPI {facts.evm.spi or 0:.2f}, CPI {facts.evm.cpi:.2f}")
    if facts.advice is not None:
        highlights.append(f"it needs {'an' if facts.advice.role_label.startswith('IT') else 'a'} "
                          f"{facts.advice.role_label}")
    return DemoLine(
        "report",
        f"Status {facts.status.upper()}: " + "; ".join(highlights) + ". Technical and executive reports "
        f"written to {folder}/{stem}-*.html and .md",
        {"status": facts.status, "files": written},
        f"pmfit report {ctx.shown_path} --audience executive --format html --out report.html",  # type: ignore[attr-defined]
    )
