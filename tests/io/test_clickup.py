"""ClickUp CSV reader: the shared 60-record excerpt (counted by hand) and a small export with parents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import shared_path

from pmfit.io import clickup
from pmfit.io.formats import detect_format
from pmfit.model.duration import Duration


def _excerpt() -> tuple:
    return clickup.read(str(shared_path("projects", "clickup", "nox-analytics-every-task-excerpt60.csv")))


def test_excerpt_counts_by_hand() -> None:
    plan, report = _excerpt()
    # 60 records; 21 have a "Parent ID" other than "null", pointing at 18 distinct tasks, none of
    # which is among the 60 (the excerpt cut them off) -> no summary tasks, 21 parents reported.
    assert len(plan.tasks) == 60
    assert plan.summary_ids() == set()
    assert any(d.startswith("21 tasks whose parent or epic is not in the export") for d in report.dropped)
    # 13 distinct names across the "Assignees" lists: Person 2 .. Person 14
    assert len(plan.resources) == 13
    assert {r.name for r in plan.resources} == {f"Person {n}" for n in range(2, 15)}
    # 17 rows have a "Start Date Text"; 16 of them also have a due date -> 16 dated tasks
    assert len(report.file_dates) == 16
    # earliest "Start Date Text": 11/12/2024 (month first, as ClickUp writes US dates)
    assert plan.project.start == dt.date(2024, 11, 12)
    assert plan.project.name == "Products"  # the only "Space Name"


def test_excerpt_sample_rows() -> None:
    plan, _ = _excerpt()
    first = plan.task("86cx2rje0")
    # Start "12/2/2024, 4:00:00 AM GMT+5:30", Due "12/6/2024, 4:00:00 AM": Mon..Fri -> 5 working days
    assert first.duration == Duration(5, "d")
    assert first.constraint.date == dt.date(2024, 12, 2)
    assert first.deadline == dt.date(2024, 12, 6)
    assert first.needs == {"Person 2": 1.0}
    assert "list: Epics" in first.tags and "status: to do" in first.tags
    # 4/16/2025 (Wed) .. 4/19/2025 (Sat): Wed, Thu, Fri -> 3 working days
    assert plan.task("86cymam34").duration == Duration(3, "d")
    assert len(plan.task("86cypcbcg").needs) == 6  # "[Person 8, Person 2, Person 6, Person 5, Person 7, Person 9]"


def test_detected_by_content() -> None:
    path = shared_path("projects", "clickup", "nox-analytics-every-task-excerpt60.csv")
    assert detect_format(path).name == "clickup"


EXPORT = """Task ID,Task Name,Status,Start Date Text,Due Date Text,Parent ID,Assignees,Time Estimated,\
Time Estimated Text,List Name
a1,Website,to do,,,null,[],,,Web
a2,Design,complete,"1/6/2025, 4:00:00 AM GMT+1","1/8/2025, 4:00:00 AM GMT+1",a1,[Ann],7200000,2h,Web
a3,Build,in progress,,,a1,"[Ann, Bob]",,1d 4h,Web
a4,Launch,to do,,"1/31/2025, 4:00:00 AM GMT+1",null,[Bob],,,Web
"""


def test_parents_and_estimates(tmp_path: Path) -> None:
    path = tmp_path / "clickup.csv"
    path.write_text(EXPORT, encoding="utf-8")
    plan, report = clickup.read(str(path))
    assert plan.summary_ids() == {"a1"}
    assert plan.task("a2").duration == Duration(2, "h")  # 7,200,000 ms
    assert plan.task("a3").duration == Duration(12, "h")  # "1d 4h" = 8 h + 4 h
    assert plan.task("a3").needs == {"Ann": 1.0, "Bob": 1.0}
    assert plan.task("a4").deadline == dt.date(2025, 1, 31)  # 4:00 AM = a date without a time
    assert plan.task("a4").duration == Duration(0, "d")
    assert any("1 task without an estimate or dates" in a for a in report.approximated)


def test_known_causes_for_the_schedule_check() -> None:
    _, report = _excerpt()
    # "SDLC Presentation": start and due "3/15/2025" — a Saturday
    causes = report.task_causes["86cy9efrt"]
    assert any("Sat 2025-03-15" in c and "not a working day" in c for c in causes)
