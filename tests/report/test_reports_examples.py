"""Both reports on the bundled examples: same facts, no jargon for executives, every format renders."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import pmfit
from pmfit.report.build import documents, render
from pmfit.report.facts import StatusFacts, gather_facts
from pmfit.report.glossary import unexplained_jargon

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "src" / "pmfit" / "examples").glob("*.yaml"))
SEED = 7


@pytest.fixture(scope="module", params=[p.name for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> tuple[pmfit.Plan, StatusFacts]:
    plan = pmfit.load(EXAMPLES[[p.name for p in EXAMPLES].index(request.param)])
    facts = gather_facts(plan, iterations=1000, seed=SEED, level_time_limit=1.0)
    return plan, facts


_LONG_DATE = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
                        r"November|December) (\d{4})\b")
_SHORT_DATE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
                         r"Nov|Dec) (\d{4})\b")
_MONEY = re.compile(r"\b[A-Z]{3} -?[\d,]+(?:\.\d+)?M?\b")
_DAYS = re.compile(r"(-?[\d.]+) working days?")


def _dates(text: str) -> set[dt.date]:
    out = {dt.datetime.strptime(" ".join(m), "%d %B %Y").date() for m in _LONG_DATE.findall(text)}
    out |= {dt.datetime.strptime(" ".join(m), "%d %b %Y").date() for m in _SHORT_DATE.findall(text)}
    return out


def test_executive_report_has_no_unexplained_jargon(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    _, facts = example
    text = documents(facts, with_charts=False)["executive"].text()
    assert unexplained_jargon(text) == []


def test_technical_report_does_use_the_engine_terms(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    _, facts = example
    text = documents(facts, with_charts=False)["technical"].text()
    assert unexplained_jargon(text), "the jargon check would pass anything if the technical report had no jargon"


def test_every_executive_number_is_in_the_technical_report(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    _, facts = example
    docs = documents(facts, with_charts=False)
    executive, technical = docs["executive"].text(), docs["technical"].text()
    # The as-of date is the heading of both; other dates, money and day counts must agree.
    missing_dates = _dates(executive) - _dates(technical) - {facts.as_of.date()}
    objectives_dates = set().union(*(_dates(o.objective) for o in facts.objectives)) if facts.objectives else set()
    assert missing_dates - objectives_dates == set()
    missing_money = set(_MONEY.findall(executive)) - set(_MONEY.findall(technical))
    advice_money = set()
    if facts.advice is not None:
        advice_money = {m for m in _MONEY.findall(executive) if m.startswith(facts.advice.currency)}
    # The executive's cost comparison of PM roles is the only money stated there alone: it must equal the advisor.
    assert missing_money <= advice_money
    if facts.advice is not None:
        advice = pmfit.advise(pmfit.load(_path_of(facts)))
        yearly = advice.cost.costs[advice.recommended].yearly
        assert abs(round(yearly, -2) - facts.advice.annual_cost) < 1


def _path_of(facts: StatusFacts) -> Path:
    for path in EXAMPLES:
        if pmfit.load(path).project.name == facts.project:
            return path
    raise AssertionError(facts.project)


def test_facts_equal_the_engines_own_results(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    plan, facts = example
    in_progress = plan.progress is not None and plan.progress.status_date is not None
    sched = pmfit.status_schedule(plan).schedule if in_progress else pmfit.schedule(plan)
    assert facts.schedule.finish == sched.finish
    assert [t.id for t in facts.schedule.critical_path] == sched.critical_path
    if facts.risk is not None:
        from pmfit.engine.forecast import simulate_remaining

        result = (simulate_remaining(plan, 1000, SEED) if in_progress
                  else pmfit.simulate(plan, iterations=1000, seed=SEED))
        cal = sched.calendar
        assert facts.risk.p80 == cal.finish_at(result.percentiles[80])
        assert facts.risk.p50 == cal.finish_at(result.percentiles[50])
    if facts.evm is not None:
        ev = pmfit.earned_value(plan)
        assert facts.evm.ev == round(ev.project.ev, 2)
        assert facts.evm.ac == round(ev.project.ac, 2)


def test_status_rule_is_stated_and_consistent(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    _, facts = example
    order = {"green": 0, "amber": 1, "red": 2}
    assert facts.status == max(facts.schedule_status, facts.cost_status, key=order.__getitem__)
    assert f"schedule is {facts.schedule_status}" in facts.status_rule
    assert f"cost is {facts.cost_status}" in facts.status_rule


def test_markdown_and_html_render(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    plan, facts = example
    docs = documents(facts)
    md = render(docs["executive"], "md")
    html = render(docs["technical"], "html")
    assert isinstance(md, str) and md.startswith(f"# {plan.project.name}")
    assert isinstance(html, str) and html.count("<svg") >= 1
    for external in ('src="http', "src='http", 'href="http', "url(http", "@import", "<script"):
        assert external not in html


def test_stakeholder_ordering_puts_their_topics_first(example: tuple[pmfit.Plan, StatusFacts]) -> None:
    plan, facts = example
    business = [s for s in plan.stakeholders if s.audience == "business" and s.cares_about]
    if not business:
        pytest.skip("no business stakeholder with interests")
    who = business[0]
    text = pmfit.report(plan, for_stakeholder=who.name, facts=facts)
    assert isinstance(text, str) and "executive status" in text.splitlines()[0]


@pytest.mark.browser
def test_html_report_opens_in_headless_chromium_without_console_errors(
        example: tuple[pmfit.Plan, StatusFacts], tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (make test installs it when run as root)")
    _, facts = example
    page = tmp_path / "report.html"
    page.write_text(str(render(documents(facts)["technical"], "html")), encoding="utf-8")
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,1600", f"--screenshot={shot}",
         "--enable-logging=stderr", "--v=0", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert shot.exists() and shot.stat().st_size > 20_000


def test_pdf_text_carries_the_numbers(example: tuple[pmfit.Plan, StatusFacts], tmp_path: Path) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pytest.importorskip("weasyprint")
    plan, facts = example
    pdf = render(documents(facts)["executive"], "pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    target = tmp_path / "r.pdf"
    target.write_bytes(pdf)
    text = subprocess.run([pdftotext, "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert plan.project.name.split(":")[0][:20] in flat
    assert facts.status.upper() in flat
    assert f"{facts.schedule.finish.day} {facts.schedule.finish:%B %Y}" in flat or facts.risk is not None
    if facts.risk is not None:
        assert f"{facts.risk.p80.day} {facts.risk.p80:%B %Y}" in flat
