"""``pmfit advise PLAN``: which kind of project manager a project needs, why, and what it costs."""

from __future__ import annotations

from typing import Any

import typer

from pmfit.cli.common import EXIT_USAGE, JsonOption, console, err_console, fail, guarded, print_json

ATTRIBUTION_SHORT = ("Role data: O*NET 29.3 (USDOL/ETA, CC BY 4.0, modified by pmfit); wages: BLS OEWS May 2024; "
                     "loaded cost: BLS ECEC Dec 2024. Full attribution: pmfit/data/roles/README.md")


@guarded
def advise(
    plans: list[str] = typer.Argument(None, metavar="[PLAN]...",
                                      help="Plan file(s) or a folder of plans; two or more give portfolio advice."),
    json_out: bool = JsonOption,
    salaries: str | None = typer.Option(None, "--salaries", metavar="FILE",
                                        help="Salary table (YAML or CSV) whose rows override the shipped OEWS table."),
    brief: str | None = typer.Option(None, "--brief", metavar="FILE",
                                     help="Advise from a free-text project description instead of a plan."),
    interview: bool = typer.Option(False, "--interview",
                                   help="Answer a short questionnaire in the terminal instead of giving a plan."),
    risk: bool = typer.Option(False, "--risk", help="Use a Monte Carlo finish spread (risk engine) as well."),
    consultation: str | None = typer.Option(None, "--consultation", metavar="FILE",
                                            help="Write the expert-consultation brief to FILE (when confidence is low)."),
) -> None:
    """Recommend a general, IT or technical PM: reasons, confidence, yearly and project cost, savings."""
    plans = list(plans or [])
    modes = sum([bool(plans), brief is not None, interview])
    if modes != 1:
        raise fail("give a PLAN (or several, or a folder), or --brief FILE, or --interview", EXIT_USAGE)
    from pathlib import Path

    from pmfit import api

    if brief is not None:
        text = api.read_text(brief, max_bytes=1_000_000)
        result: Any = api.advise_brief(text, salaries=salaries, name=Path(brief).stem, file=brief)
    elif interview:
        result = api.advise_answers(_ask(json_out), salaries=salaries)
    elif len(plans) == 1 and not Path(plans[0]).is_dir():
        result = api.advise(plans[0], salaries=salaries, risk=risk)
    else:
        result = api.advise_portfolio(list(plans), salaries=salaries)

    from pmfit import Portfolio

    advices = result.advices if isinstance(result, Portfolio) else [result]
    briefs = [a for a in advices if a.consultation]
    if consultation is not None:
        text = "\n\n".join("\n".join(a.consultation) for a in briefs) or \
            "Confidence is not low: no expert consultation is needed.\n"
        api.save_text(text + "\n", consultation)  # before the advice is printed: a bad path fails cleanly
        err_console().print(f"wrote the consultation brief to {consultation}", highlight=False)
    if json_out:
        print_json(result.to_dict())
    elif isinstance(result, Portfolio):
        _print_portfolio(result)
    else:
        _print_advice(result)


def _ask(json_out: bool) -> dict[str, Any]:
    """Ask the interview questions; prompts go to stderr so that --json output stays clean."""
    from pmfit.api import AnswerError, interview_questions, parse_interview_answer

    answers: dict[str, Any] = {}
    err_console().print("pmfit advise --interview: a few questions (Enter keeps the default).", highlight=False)
    for q in interview_questions():
        prompt = q.prompt
        if q.choices:
            prompt += "".join(f"\n  {i}. {c}" for i, c in enumerate(q.choices, start=1)) + "\n"
        for attempt in range(3):
            raw = _prompt(prompt, q.default)
            try:
                parse_interview_answer(q, str(raw))
            except AnswerError as exc:
                err_console().print(f"[yellow]{exc}[/]", highlight=False)
                if attempt == 2:
                    raise fail(f"no usable answer to: {q.prompt}") from None
                continue
            answers[q.key] = raw
            break
    return answers


def _prompt(text: str, default: str) -> str:
    """Ask on stderr and read a line from stdin. (click's prompt echoes through ``input(" ")``, which
    writes a space to stdout for every question and spoils ``--json`` output.)"""
    import sys

    shown = f"{text} [{default}]: " if default else f"{text}: "
    sys.stderr.write(shown)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:  # end of input before every question had an answer
        sys.stderr.write("\n")
        raise fail("the interview input ended before every question was answered")
    return line.rstrip("\r\n") or default


def _short_source(row: Any) -> str:
    """'OEWS May 2024, SOC 13-1082' for the shipped rows; the start of a user's own source."""
    import re

    if row.basis != "statistic":
        if row.source.startswith("estimate: general PM median"):
            return "estimate from market ratios over the general and IT PM (undated claim; see the README)"
        return row.source
    soc = re.search(r"SOC (\d{2}-\d{4})", row.source)
    if row.source.startswith("BLS OEWS") and soc:
        return f"OEWS May {row.year}, SOC {soc.group(1)}"
    return (row.source[:40] + ("…" if len(row.source) > 40 else "")) + (f" ({row.year})" if row.year else "")


def _money(cur: str, value: float) -> str:
    return f"{cur} {value:,.0f}"


def _print_advice(a: Any) -> None:
    from rich.panel import Panel
    from rich.table import Table

    out = console()
    colour = {"high": "green", "medium": "yellow", "low": "red"}[a.confidence.level]
    out.print(Panel(f"[bold]{a.label}[/] for {a.project} — confidence [{colour}]{a.confidence.level}[/] "
                    f"({a.confidence.value:.2f})", title="pmfit advise", expand=False), highlight=False)
    out.print(a.decision, highlight=False)

    j = a.judgement
    if j is not None:
        scores = Table(title="What the work reads as (calibrated probability of each kind of PM)",
                       title_justify="left")
        for col, justify in (("role", "left"), ("probability", "right")):
            scores.add_column(col, justify=justify)  # type: ignore[arg-type]
        for role in ("technical", "it", "general"):
            label = {"technical": "technical PM", "it": "IT PM", "general": "general PM"}[role]
            scores.add_row(label, pct(j.proba[role]), style="bold" if role == a.recommended else "")
    else:
        scores = Table(title="Role needs (capability thresholds first, then cost)", title_justify="left")
        for col, justify in (("role", "left"), ("need", "right"), ("threshold", "right"), ("driven by", "left")):
            scores.add_column(col, justify=justify)  # type: ignore[arg-type]
        for role in ("technical", "it", "general"):
            s = a.scores[role]
            parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(s.contributions.items(), key=lambda kv: -kv[1]))
            scores.add_row(s.to_dict()["label"], f"{s.score:.2f}", f"{s.threshold:.2f}" if s.threshold else "—",
                           parts, style="bold" if role == a.recommended else "")
    out.print(scores)
    out.print("[bold]Why[/] (NTCP: " + ", ".join(f"{k} {v}" for k, v in a.ntcp.items()) + ")", highlight=False)
    for r in a.reasons[:9]:
        out.print(f"  • {r.text}", highlight=False, markup=False)
    for q in a.onet:
        out.print(f"  • O*NET {q['soc']} task {q['id']}: \"{q['text']}\"", highlight=False, markup=False)
    for c in a.counterfactuals:
        out.print(f"  • What would change it: {c.text}", highlight=False, markup=False)
    if a.programme:
        out.print(f"  • [bold]{a.programme}[/]", highlight=False)

    cur = a.cost.currency
    if a.cost.currency_note:
        cur = f"{cur}, not converted from {a.cost.plan_currency}"
    table = Table(title=f"Cost ({cur}; loaded = salary x {a.cost.costs['general'].loaded_multiplier:.2f}; "
                        f"range = loaded p25-p75, or the estimate's range)", title_justify="left")
    for col, justify in (("role", "left"), ("salary", "right"), ("loaded / yr", "right"), ("range / yr", "right"),
                         ("FTE", "right"), ("this project", "right"), ("Δ / yr", "right")):
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    rec = a.cost.costs[a.recommended]
    for role in ("general", "it", "technical"):
        c = a.cost.costs[role]
        low, high = c.yearly_range
        diff = c.yearly - rec.yearly
        label = c.to_dict()["label"] + (" *" if c.salary.basis != "statistic" else "")
        table.add_row(label, f"{c.salary.median:,.0f}", f"{c.yearly:,.0f}", f"{low:,.0f}–{high:,.0f}",
                      f"{c.allocation:.2f}", f"{c.project:,.0f}", "—" if role == a.recommended else f"{diff:+,.0f}",
                      style="bold" if role == a.recommended else "")
    out.print(table)
    estimated = any(a.cost.costs[r].salary.basis != "statistic" for r in ("general", "it", "technical"))
    out.print(("  * an estimate, not a statistic. " if estimated else "  ") + "Salary sources: " + "; ".join(f"{a.cost.costs[r].to_dict()['label']}: {_short_source(a.cost.costs[r].salary)}"
                                               for r in ("general", "it", "technical")), highlight=False, markup=False)
    for d in a.cost_differences:
        out.print(f"  • {d}", highlight=False, markup=False)
    out.print(f"  {a.cost.allocation_rule}; {a.cost.loaded_source}.", highlight=False, markup=False)
    for n in a.notes:
        out.print(f"  [yellow]note:[/] {n}", highlight=False)
    if a.confidence.missing:
        out.print("  To raise confidence, add: " + "; ".join(a.confidence.missing), highlight=False, markup=False)
    if a.consultation:
        title = ("A close call: brief for an expert consultation (or answer `pmfit advise --interview`)"
                 if j is not None and j.close_call and a.confidence.level != "low"
                 else "Confidence is low: brief for an expert consultation")
        out.print(Panel("\n".join(a.consultation), title=title,
                        expand=False), highlight=False, markup=False)
    out.print(f"[dim]{ATTRIBUTION_SHORT}[/]", highlight=False)


def _print_portfolio(p: Any) -> None:
    from rich.table import Table

    out = console()
    table = Table(title="Portfolio: a role for each project", title_justify="left")
    for col, justify in (("project", "left"), ("role", "left"), ("confidence", "left"), ("FTE", "right"),
                         ("yearly loaded", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in p.advices:
        table.add_row(a.project, a.label, a.confidence.level, f"{a.allocation:.2f}",
                      f"{a.cost.costs[a.recommended].yearly:,.0f}")
    out.print(table)
    pms = Table(title="PMs to staff (sharing rule below)", title_justify="left")
    for col in ("PM", "projects", "load FTE"):
        pms.add_column(col)
    for i, slot in enumerate(p.pms, start=1):
        d = slot.to_dict()
        pms.add_row(f"{i}. {d['label']}", ", ".join(slot.projects), f"{d['load_fte']:.2f}")
    out.print(pms)
    cur = p.currency
    out.print(f"Recommended staffing: {len(p.pms)} PMs, {_money(cur, p.yearly)} a year (loaded).", highlight=False)
    for role, n in p.naive.items():
        diff = n["difference_vs_recommended"]
        label = n["label"][0].upper() + n["label"][1:]
        line = (f"  {label}: {n['pms']} PMs, {_money(cur, n['yearly_cost'])} a year "
                f"({'+' if diff >= 0 else '-'}{_money(cur, abs(diff))} vs recommended)")
        if role == "general" and p.uncovered_by_general:
            line += " — but lacks the capability needed by: " + ", ".join(p.uncovered_by_general)
        out.print(line, highlight=False, markup=False)
    saving = p.naive["technical"]["difference_vs_recommended"]
    out.print(f"  Saving against a technical PM everywhere: {_money(cur, saving)} a year.", highlight=False)
    out.print(f"  Sharing rule: {p.rule}.", highlight=False, markup=False)
    out.print(f"[dim]{ATTRIBUTION_SHORT}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("advise")(advise)


def pct(p: float) -> str:
    """A probability as a reader should see it: never 0% or 100% (a reading is never certain)."""
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"
