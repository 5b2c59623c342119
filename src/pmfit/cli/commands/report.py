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
    out: str = typer.Option(None, "--out", "-o", help="Write to this file (needed for pdf)."),
    as_of: str = typer.Option(None, "--as-of", help="Status date (YYYY-MM-DD); default: the plan's status date."),
    previous: str = typer.Option(None, "--previous", help="The plan as of the last report, for 'what changed'."),
    iterations: int = typer.Option(2000, "--iterations", min=100, max=200_000,
                                   help="Simulation runs for the risk section."),
    seed: int = typer.Option(20270104, "--seed", help="Random seed (same seed, same report)."),
    facts_json: bool = typer.Option(False, "--facts", help="Print the gathered facts as JSON instead."),
) -> None:
    """Write a status report: technical (critical path, drivers, EVM) or executive (one page, plain words)."""
    import datetime as dt
    from pathlib import Path

    from pmfit.report.build import UnknownStakeholder, build_report
    from pmfit.report.facts import gather_facts

    plan = load_plan(plan_file)
    previous_plan = load_plan(previous, show_warnings=False) if previous else None
    try:
        status = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date like 2027-03-01", param_hint="--as-of") from None
    start = plan.project.start.date() if isinstance(plan.project.start, dt.datetime) else plan.project.start
    if status is not None and status < start:  # a report "as of" a day before the project is nonsense
        from pmfit.model.diagnostics import Diagnostic, PlanError

        raise PlanError(Diagnostic("bad_status_date", f"--as-of {status} is before the project starts "
                                   f"({start}); nothing can have happened yet", file=plan_file))
    to_stdout = out == "-"
    if out and not to_stdout and Path(out).is_dir():  # before the facts, which take seconds
        from pmfit.model.diagnostics import Diagnostic, PlanError

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
        from pmfit.model.diagnostics import Diagnostic, PlanError
        from pmfit.report.build import find_stakeholder

        try:
            find_stakeholder(plan, for_)
        except UnknownStakeholder as exc:
            raise PlanError(Diagnostic("unknown_stakeholder", str(exc), file=plan_file)) from None
    with err_console().status("Gathering facts (schedule, leveling, risk, earned value, advice)…"):
        facts = gather_facts(plan, as_of=status, previous=previous_plan, iterations=iterations, seed=seed)
    if facts_json:
        from pmfit.cli.common import print_json

        print_json(facts.to_dict())
        return
    try:
        content = build_report(plan, audience.value if audience else None, chosen,  # type: ignore[arg-type]
                               for_stakeholder=for_, facts=facts)
    except UnknownStakeholder as exc:
        raise fail(f"{plan_file}: {exc}") from None
    if out:
        from pmfit.io.yamlplan import save_atomic

        save_atomic(content, out)
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

    from pmfit.cli.commands.demo import DemoLine
    from pmfit.io.yamlplan import save_atomic
    from pmfit.report.build import documents, render
    from pmfit.report.facts import gather_facts

    if os.environ.get("PMFIT_DEMO_NO_REPORTS"):
        return None
    plan = ctx.plan  # type: ignore[attr-defined]
    stem = Path(ctx.name).stem  # type: ignore[attr-defined]
    folder = Path(os.environ.get("PMFIT_DEMO_REPORTS", DEMO_REPORTS_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    facts = gather_facts(plan, iterations=1000, level_time_limit=1.0)
    docs = documents(facts)
    written = []
    for audience, doc in docs.items():
        for fmt in ("md", "html"):
            target = folder / f"{stem}-{audience}.{fmt}"
            save_atomic(str(render(doc, fmt)), target)  # type: ignore[arg-type]
            written.append(str(target))
    highlights = []
    if facts.risk is not None:
        highlights.append(f"the date to promise with 4-in-5 confidence is {facts.risk.p80:%a %d %b %Y} "
                          f"(plain schedule: {facts.risk.deterministic_finish:%d %b})")
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
