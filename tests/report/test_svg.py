"""The SVG charts: the Gantt's data attributes against hand-computed golden cases, escaping of
hostile text, row windows, geometry, and each chart's marks against numbers worked out here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import pytest
import yaml
from defusedxml.ElementTree import fromstring
from hypothesis import given
from hypothesis import strategies as st

from pmfit.engine.schedule import schedule
from pmfit.io.yamlplan import read_plan_text
from pmfit.model.duration import Duration
from pmfit.report.svg.axis import TimeScale, ticks
from pmfit.report.svg.canvas import escape
from pmfit.report.svg.charts import Marker, UsagePanel, distribution_svg, tornado_svg, usage_svg
from pmfit.report.svg.gantt import GanttRow, GanttView, gantt_svg
from pmfit.report.svg.gantt_rows import gantt_links, gantt_rows
from pmfit.report.svg.plots import nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
CASES = sorted((Path(__file__).parents[1] / "cases").glob("*.yaml"))


def _bars(svg: str) -> dict[str, Element]:
    root = fromstring(svg)
    return {g.get("data-task", ""): g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()}


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_gantt_attributes_equal_the_hand_computed_schedule(path: Path) -> None:
    """Every golden case: the bars carry the dates, critical flags and floats worked out by hand."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = read_plan_text(case["plan"], path.name)
    result = schedule(plan)
    bars = _bars(gantt_svg(gantt_rows(result, plan), gantt_links(plan)))
    assert set(bars) == {t.id for t in plan.tasks}
    expect = case["expect"]
    mpd, dpw = result.calendar.minutes_per_day, result.calendar.days_per_week
    for task_id, fields in (expect.get("tasks") or {}).items():
        bar = bars[task_id]
        if "start" in fields:
            assert dt.datetime.fromisoformat(bar.get("data-start", "")) == _when(fields["start"]), task_id
        if "finish" in fields:
            assert dt.datetime.fromisoformat(bar.get("data-finish", "")) == _when(fields["finish"]), task_id
        if "tf" in fields:
            assert int(bar.get("data-total-float", "")) == Duration.parse(fields["tf"]).minutes(mpd, dpw), task_id
        if "critical" in fields:
            assert bar.get("data-critical") == ("true" if fields["critical"] else "false"), task_id
    if "critical" in expect:
        marked = {k for k, b in bars.items() if b.get("data-critical") == "true" and b.get("data-summary") == "false"}
        assert marked == set(expect["critical"])


PLAN = """
project: {name: "Hostile <b>names</b>", start: 2027-01-04}
tasks:
  - {id: s, name: "Phase <script>alert(1)</script>"}
  - {id: a, parent: s, name: "\\"><img src=x onerror=alert(1)>", duration: 3d}
  - {id: b, parent: s, name: "javascript:alert(1) & <svg onload=alert(2)>", duration: 2d, after: [a]}
  - {id: c, name: "c ' quote", duration: 4d}
  - {id: m, name: Done, milestone: true, after: ["b", "c SS+1d"]}
"""


def test_hostile_names_stay_text() -> None:
    plan = read_plan_text(PLAN, "hostile.yaml")
    svg = gantt_svg(gantt_rows(schedule(plan), plan), gantt_links(plan), GanttView(title=plan.project.name))
    root = fromstring(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "img", "foreignObject", "a", "iframe"}
    for el in root.iter():
        assert not any(name.lower().startswith("on") for name in el.attrib), el.attrib
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "▾ Phase <script>alert(1)</script>" in labels  # shown as the user typed it
    assert "<script>" not in svg and "<img" not in svg


def test_row_window_draws_only_those_rows_at_full_height() -> None:
    start = dt.datetime(2027, 1, 4, 8)
    rows = [GanttRow(f"t{i}", f"Task {i}", start + dt.timedelta(days=i), start + dt.timedelta(days=i + 2))
            for i in range(100)]
    full = fromstring(gantt_svg(rows))
    window = fromstring(gantt_svg(rows, view=GanttView(first_row=40, last_row=50)))
    assert full.get("height") == window.get("height")
    assert sorted(_bars(gantt_svg(rows, view=GanttView(first_row=40, last_row=50)))) == sorted(
        f"t{i}" for i in range(40, 50))


def test_bar_geometry_follows_the_time_scale() -> None:
    start = dt.datetime(2027, 1, 4, 8)
    rows = [GanttRow("a", "A", start, start + dt.timedelta(days=3, hours=9)),
            GanttRow("m", "M", start + dt.timedelta(days=7), start + dt.timedelta(days=7), milestone=True)]
    view = GanttView(zoom="day", label_width=100)
    bars = _bars(gantt_svg(rows, view=view))
    root = fromstring(gantt_svg(rows, view=view))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "gantt")
    scale = TimeScale(dt.datetime.fromisoformat(group.get("data-origin", "")),
                      float(group.get("data-pixels-per-day", "")), 100)
    body = bars["a"].find(f"{SVG}rect")
    assert body is not None
    assert float(body.get("x", "")) == pytest.approx(scale.x(rows[0].start), abs=0.01)
    assert float(body.get("width", "")) == pytest.approx(scale.x(rows[0].finish) - scale.x(rows[0].start), abs=0.02)
    diamond = bars["m"].find(f"{SVG}polygon")
    assert diamond is not None
    xs = [float(p.split(",")[0]) for p in diamond.get("points", "").split()]
    assert (min(xs) + max(xs)) / 2 == pytest.approx(scale.x(rows[1].start), abs=0.01)


def test_every_link_is_drawn_with_its_type_and_lag() -> None:
    plan = read_plan_text(PLAN, "links.yaml")
    root = fromstring(gantt_svg(gantt_rows(schedule(plan), plan), gantt_links(plan)))
    drawn = {(p.get("data-pred"), p.get("data-succ"), p.get("data-type"), p.get("data-lag"))
             for p in root.iter(f"{SVG}polyline") if p.get("class") == "link"}
    assert drawn == {("a", "b", "FS", ""), ("b", "m", "FS", ""), ("c", "m", "SS", "+1d")}


def test_folded_summary_hides_its_children() -> None:
    plan = read_plan_text(PLAN, "fold.yaml")
    rows = gantt_rows(schedule(plan), plan, folded={"s"})
    assert [r.id for r in rows] == ["s", "c", "m"]
    assert rows[0].folded


def test_baselines_and_percent_complete_come_from_the_plan() -> None:
    plan = read_plan_text(PLAN + """
progress:
  status_date: 2027-01-05
  tasks: {a: {actual_start: 2027-01-04, percent_complete: 40}}
""", "progress.yaml")
    rows = {r.id: r for r in gantt_rows(schedule(plan), plan)}
    assert rows["a"].percent_complete == 40
    assert rows["b"].percent_complete is None


def test_distribution_marks_sit_at_their_values() -> None:
    values = np.array([10.0] * 5 + [11.0] * 3 + [12.0] * 2)
    markers = [Marker("P50", 10.0, "#000"), Marker("P80", 11.0, "#111")]
    root = fromstring(distribution_svg(values, markers, lambda v: f"d{v:g}", "t"))
    bins = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bin"]
    heights = sorted(float(b.get("height", "")) for b in bins)
    assert len(bins) == 3
    assert heights[2] / heights[0] == pytest.approx(5 / 2, rel=0.01)  # 5 vs 2 iterations
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "marker"]
    x50, x80 = (float(ln.get("x1", "")) for ln in lines)
    assert x50 < x80


def test_tornado_bars_point_by_sign() -> None:
    root = fromstring(tornado_svg([("slow", 0.6, ""), ("fast", -0.3, "")]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "driver"]
    assert [b.get("fill") for b in bars] == ["#D55E00", "#0072B2"]
    assert float(bars[0].get("width", "")) == pytest.approx(2 * float(bars[1].get("width", "")), rel=0.01)


def test_usage_steps_match_the_segments() -> None:
    panel = UsagePanel("dev", 2.0, before=[(0.0, 1.0, 3.0)], after=[(0.0, 1.0, 2.0), (1.0, 2.0, 1.0)])
    root = fromstring(usage_svg([panel], "use", lambda v: f"{v:g}"))
    after = next(p for p in root.iter(f"{SVG}polyline") if p.get("class") == "after")
    ys = [float(p.split(",")[1]) for p in after.get("points", "").split()]
    assert len(set(ys)) == 3  # 0, 2 and 1 units


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e6))
def test_nice_ticks_span_the_range_evenly(low: float, span: float) -> None:
    """From at or below ``low`` to within one step of ``high``, evenly, at 1, 2, 2.5 or 5 x 10^k."""
    values = nice_ticks(low, low + span)
    assert len(values) >= 2
    steps = np.diff(values)
    assert values[0] <= low + 1e-9 * span and values[-1] > low + span - steps[0] * (1 + 1e-9)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    allowed = "".join(c for c in text if c in "\t\n\r" or ((ord(c) >= 32 and c not in "\ufffe\uffff")
                      and not 0xD800 <= ord(c) <= 0xDFFF))
    root = fromstring(f'<svg a="{escape(text)}">{escape(text)}</svg>')
    assert (root.text or "") == allowed
    assert root.get("a") == allowed


def test_week_ticks_start_on_monday() -> None:
    days = list(ticks(dt.date(2027, 1, 6), dt.date(2027, 1, 31), "week"))
    assert all(d.weekday() == 0 for d in days) and days[0] == dt.date(2027, 1, 4)
