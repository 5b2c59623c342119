"""MS Project .mpp through MPXJ: the shared files, their MS Project XML twin, and a clear message
when MPXJ or Java is missing (that test runs everywhere; the others need Java and skip without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.importing import import_file
from pmfit.io import mpp
from pmfit.io.formats import detect_format
from pmfit.model.diagnostics import PlanError

MPP_FILES = ["mpxj-java-samples-sample1.mpp", "mpxj-python-samples-example.mpp",
             "mpxj-task-baselines-project2003-mpp9.mpp", "mpxj-task-links-project2019-mpp14.mpp",
             "mpxj-task-links-project98-mpp8.mpp", "projectlibre-ms-project-2003-deployment.mpp"]
needs_java = pytest.mark.skipif(mpp.mpxj_missing() is not None, reason=f"MPXJ cannot run: {mpp.mpxj_missing()}")


def test_without_mpxj_the_message_says_how_to_enable_it(monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_path("projects", "mpp", "mpxj-python-samples-example.mpp")
    assert detect_format(path).name == "mpp"  # recognised even when it cannot be read
    monkeypatch.setattr(mpp, "mpxj_missing", lambda: "the Python package 'mpxj' is not installed")
    with pytest.raises(PlanError) as info:
        import_file(path)
    message = info.value.diagnostics[0].message
    assert info.value.codes == ["mpp_needs_mpxj"]
    assert "pip install 'pmfit[mpp]'" in message and "Java" in message and "XML" in message


def test_missing_java_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("mpxj")
    jpype = pytest.importorskip("jpype")

    def no_jvm() -> str:
        raise OSError("no jvm")

    monkeypatch.setattr(mpp, "java_path", lambda: None)
    monkeypatch.setattr(jpype, "getDefaultJVMPath", no_jvm)
    assert "no Java runtime" in (mpp.mpxj_missing() or "")


@needs_java
@pytest.mark.java
@pytest.mark.parametrize("name", MPP_FILES)
def test_every_shared_mpp_file_imports(name: str) -> None:
    plan, report = import_file(shared_path("projects", "mpp", name))
    assert report.format == "mpp"
    assert report.read[0].startswith("read through MPXJ")
    assert plan.tasks
    assert report.schedule_checked == len(report.file_dates)


@needs_java
@pytest.mark.java
def test_mpp_twin_of_the_xml_file_gives_the_same_plan() -> None:
    a, report = import_file(shared_path("projects", "mpp", "mpxj-task-links-project2019-mpp14.mpp"))
    b, _ = import_file(shared_path("projects", "mspdi", "mpxj-task-links-project2019.xml"))
    assert [(t.id, t.name, t.duration, [str(x) for x in t.after]) for t in a.tasks] == \
        [(t.id, t.name, t.duration, [str(x) for x in t.after]) for t in b.tasks]
    assert report.schedule_differences == []


@needs_java
@pytest.mark.java
def test_projectlibre_sample_reproduces_ms_project_dates() -> None:
    plan, report = import_file(shared_path("projects", "mpp", "projectlibre-ms-project-2003-deployment.mpp"))
    assert len(plan.tasks) == 322 and len(plan.summary_ids()) == 72
    assert sum(len(t.after) for t in plan.tasks) == 138
    assert report.schedule_checked == 322 and report.schedule_differences == []


@needs_java
@pytest.mark.java
def test_a_broken_mpp_is_a_plan_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.mpp"
    path.write_bytes(mpp.OLE_MAGIC + b"MSProject" + b"\x00" * 600)
    with pytest.raises(PlanError) as info:
        import_file(path)
    assert info.value.codes == ["bad_file"]
