"""The engines on the page, one section each: leveling (resource use before and after, and why each
task moved), risk (finish distribution, drivers, deadline odds, top risks), earned value (S-curve, SPI,
CPI, earned schedule) and the role advice (its reasons and what each kind of PM costs).

Every figure is the engine's own (:class:`pmfit.Project`), every chart the reports' SVG code
(:mod:`pmfit.report.svg.charts`); a section is computed once per version and cached in the store.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from pmfit.model.diagnostics import PlanError
from pmfit.web.errors import not_found
from pmfit.web.security.access import ProjectAccess, project_role

router = APIRouter(include_in_schema=False)

#: section -> its title; the order of the tabs
SECTIONS = {"leveling": "Resources and leveling", "risk": "Risk", "earned-value": "Earned value",
            "advice": "Project manager advice"}
KIND = "web-engine-section-1"
LEVEL_SECONDS = 2.0
RISK_ITERATIONS = 2000


def _chart(svg: str) -> str:
    # the chart's own <style> element would be inline style, which the CSP refuses (pmfit.css has the rules)
    return re.sub(r"<style>.*?</style>", "", svg, flags=re.S)


def _day(iso: Any) -> str:
    return str(iso or "")[:10]


def leveling(project: Any) -> dict[str, Any]:
    """Resource use before and after leveling, the finish either way, and each move with its reason."""
    from pmfit.report.svg.charts import usage_from_level

    result = project.level(time_limit=LEVEL_SECONDS)
    mpd = result.minutes_per_day
    summary = result.summary()
    moves = [{"id": t.id, "name": t.name, "from": _day(t.unleveled_start.isoformat() if t.unleveled_start else ""),
              "to": _day(t.start.isoformat() if t.start else ""), "days": round(t.delay / mpd, 1),
              "reason": t.cause or ""} for t in result.delays()]
    return {"chart": _chart(usage_from_level(result, uid="usage")),
            "facts": [("Finish before leveling", _day(summary["finish_before"])),
                      ("Finish after leveling", _day(summary["finish_after"])),
                      ("Added working days", f"{result.added_days:g}"),
                      ("Method", f"{summary['method']} ({summary['status']})"),
                      ("Tasks moved", str(len(moves)))],
            "moves": moves, "notes": [d["message"] for d in summary["diagnostics"]]}


def risk(project: Any) -> dict[str, Any]:
    """The finish distribution, its drivers, the odds of each deadline and the risks that matter most."""
    from pmfit.report.svg.charts import distribution_from_risk, tornado_from_risk

    result = project.simulate(RISK_ITERATIONS)
    summary = result.summary()
    percentiles = [(name, _day(value["date"]), f"{value['days']:.1f}") for name, value in
                   summary["percentiles"].items()]
    deadlines = [{"what": d["task"] or "the project", "kind": d["kind"], "date": _day(d["date"]),
                  "odds": d["probability"]} for d in summary["deadlines"]]
    risks = sorted(summary["risks"], key=lambda r: -(r.get("p80_delta_days") or 0))[:10]
    return {"charts": [_chart(distribution_from_risk(result, uid="dist")), _chart(tornado_from_risk(result))],
            "percentiles": percentiles, "deterministic": _day(summary["deterministic"]["date"]),
            "deadlines": deadlines,
            "risks": [{"name": r["name"], "probability": r["probability"],
                       "p80_delta_days": round(r.get("p80_delta_days") or 0.0, 1), "cost": r.get("cost") or 0.0}
                      for r in risks],
            "iterations": summary["iterations"]}


def earned_value(project: Any) -> dict[str, Any]:
    """SPI, CPI, earned schedule and the S-curve at the status date (needs a baseline and progress)."""
    from pmfit.report.svg.charts import s_curve_from_ev

    if not (project.has_progress and project.plan.baselines):
        return {"missing": "Earned value needs a baseline and recorded progress: save a baseline, then record "
                           "progress on the project page."}
    result = project.earned_value()
    data = result.to_dict()
    fig, es = data["project"], data.get("earned_schedule") or {}

    def money(v: Any) -> str:
        return "" if v is None else f"{v:,.0f} {data['currency']}"

    def ratio(v: Any) -> str:
        return "" if v is None else f"{v:.2f}"

    return {"chart": _chart(s_curve_from_ev(result)),
            "facts": [("Status date", _day(data["status_date"])), ("Baseline", data["baseline"]),
                      ("SPI (schedule performance)", ratio(fig.get("spi"))),
                      ("CPI (cost performance)", ratio(fig.get("cpi"))),
                      ("Planned value (PV)", money(fig.get("pv"))), ("Earned value (EV)", money(fig.get("ev"))),
                      ("Actual cost (AC)", money(fig.get("ac"))), ("Budget at completion (BAC)", money(fig.get("bac"))),
                      ("Estimate at completion (EAC)", money(fig.get("eac"))),
                      ("Variance at completion (VAC)", money(fig.get("vac")))],
            "schedule": [("Earned schedule (ES)", f"{es['es_days']:g} working days" if es.get("es_days") is not None
                          else ""),
                         ("Actual time (AT)", f"{es['at_days']:g} working days" if es.get("at_days") is not None
                          else ""),
                         ("SPI(t)", ratio(es.get("spi_t"))),
                         ("Schedule variance SV(t)", f"{es['sv_t_days']:g} working days"
                          if es.get("sv_t_days") is not None else ""),
                         ("Planned finish", _day(es.get("planned_finish"))),
                         ("Finish forecast by earned schedule", _day(es.get("forecast_finish")))],
            "behind": data.get("behind", [])[:20],
            "notes": [d["message"] for d in data.get("diagnostics", [])]}


def advice(project: Any) -> dict[str, Any]:
    """The kind of PM the work needs, the reasons, and what each kind costs."""
    data = project.advice().to_dict()
    cost = data.get("cost") or {}
    roles = [{"label": r["label"], "yearly": r.get("yearly_loaded"), "project": r.get("project_cost"),
              "fte": r.get("allocation_fte"), "source": (r.get("salary") or {}).get("source", "")}
             for r in (cost.get("roles") or {}).values()]
    return {"decision": data["decision"], "role": data["recommendation"]["label"],
            "confidence": data["confidence"]["level"], "reasons": [r["text"] for r in data["reasons"]][:12],
            "roles": roles, "currency": cost.get("currency", ""), "differences": data.get("cost_differences", []),
            "notes": [n if isinstance(n, str) else str(n) for n in data.get("notes", [])][:10]}


COMPUTE = {"leveling": leveling, "risk": risk, "earned-value": earned_value, "advice": advice}


def section(workspace: Any, project_id: str, name: str) -> dict[str, Any]:
    """One section's figures for the head version (cached by version); an engine that refuses the plan
    gives its reason instead."""
    from pmfit.project import Project

    def compute(plan: Any) -> bytes:
        try:
            body = COMPUTE[name](Project(plan))
        except PlanError as exc:
            body = {"missing": f"not available: {exc.diagnostics[0].message[:300]}"}
        return json.dumps(body, default=str).encode()

    return dict(json.loads(workspace.result(project_id, None, KIND, {"section": name}, compute)))


@router.get("/projects/{project_id}/analysis/{section_name}", response_class=HTMLResponse)
def analysis_section(request: Request, access: Annotated[ProjectAccess, Depends(project_role("viewer"))],
                     section_name: Annotated[str, Path(max_length=20)]) -> HTMLResponse:
    """One engine's page: leveling, risk, earned-value or advice."""
    from pmfit.web.pages.routes import page, workspace

    if section_name not in SECTIONS:
        raise not_found("page")
    space = workspace(request)
    snap = space.get(access.project_id)
    body = section(space, access.project_id, section_name)
    return page(request, "analysis_section.html", access.principal, project=snap.project, version=snap.version,
                section=section_name, sections=SECTIONS, s=body)
