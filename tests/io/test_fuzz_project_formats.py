"""Bad input for the project-tool readers (MSPDI, XER, P6 XML, MPX, .mpp, .pod).

The contract: whatever the bytes, a reader returns a plan or raises :class:`PlanError` with a
stable code and the file name, never another exception and never a hang. Mutations come from
hypothesis (derandomised, a handful per file to keep the suite fast); hostile XML, truncation
and huge files are checked directly.
"""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import SHARED

from pmfit.io import mpp, mpx, mspdi, p6xml, pod, xer
from pmfit.io.formats import detect_format
from pmfit.io.safexml import MAX_XML_BYTES
from pmfit.model.diagnostics import CODES, PlanError

PROJECTS = SHARED / "projects"
Reader = Callable[[str], object]
CASES: list[tuple[Reader, str]] = [
    *[(mspdi.read_mspdi, f"mspdi/{n}") for n in (
        "mpxj-legacy-sample.xml", "mpxj-task-links-project2019.xml", "mpxj-baselines.xml",
        "mpxj-calendar-calendars-project2019.xml", "ganttproject-holidays.xml", "ganttproject-issue1520.xml")],
    *[(xer.read_xer, f"xer/{n}") for n in (
        "p6viewer-terminal-building-airport.xer", "xer-parser-construction.xer", "xernative-takt-sample.xer",
        "mpxj-percent-complete-8.4.xer", "mpxj-resource-rates-test.xer", "mpxj-predecessor-calendar.xer")],
    (p6xml.read_p6xml, "p6xml/mpxj-percent-complete-8.4.pmxml"),
    (mpx.read_mpx, "mpx/mpxj-legacy-sample.mpx"),
    (mpx.read_mpx, "mpx/mpxj-task-links-project98.mpx"),
]


@contextmanager
def no_hang(seconds: float = 10.0) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"the reader took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


SPECIAL = [b"<", b">", b"&", b"\t", b"\r\n", b"\n%R\t", b"\n%T\tTASK\n", b"\n%F\ttask_id\n", b",", b";", b'"',
           b"\x00", b"\xff\xfe", b"-1", b"1e308", b"nan", b"PT-5H", b"P99999999999Y", b"9999-99-99T99:99:99",
           b"<Task><UID>1</UID></Task>", b"<PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink>",
           b"(0||", b"))", b"70,", b"\n61,", b"&#0;", b"\xc3"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate", "special"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if kind == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del out[at:]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            out[at:at] = out[at:at + draw(st.integers(1, 300))]
        else:
            out[at:at] = draw(st.sampled_from(SPECIAL))
    return bytes(out)


def _check(reader: Reader, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        with no_hang():
            try:
                reader(str(path))
            except PlanError as exc:
                assert exc.diagnostics
                assert all(d.code in CODES for d in exc.diagnostics), exc.codes
                assert any(d.file == str(path) for d in exc.diagnostics), exc


@pytest.mark.parametrize("reader, rel", CASES, ids=[Path(c[1]).name for c in CASES])
def test_mutated_shared_files_only_raise_plan_error(reader: Reader, rel: str) -> None:
    source = PROJECTS / rel
    if not source.exists():
        pytest.skip(f"shared data not available: {source}")
    data = source.read_bytes()

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated(data))
    def run(blob: bytes) -> None:
        _check(reader, blob, source.suffix)

    run()


@pytest.mark.parametrize("reader, rel", CASES, ids=[Path(c[1]).name for c in CASES])
def test_truncated_files_are_plans_or_located_errors(reader: Reader, rel: str) -> None:
    source = PROJECTS / rel
    if not source.exists():
        pytest.skip(f"shared data not available: {source}")
    data = source.read_bytes()
    for fraction in (0.0, 0.1, 0.5, 0.9):
        _check(reader, data[: int(len(data) * fraction)], source.suffix)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "lollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
"""
BODIES = {
    "mspdi": ("<Project xmlns='http://schemas.microsoft.com/project'><Name>&{e};</Name><Tasks><Task><UID>1</UID>"
              "<Name>a</Name><OutlineLevel>1</OutlineLevel></Task></Tasks></Project>", mspdi.read_mspdi, ".xml"),
    "p6xml": ("<APIBusinessObjects><Project><ObjectId>1</ObjectId><Name>&{e};</Name></Project></APIBusinessObjects>",
              p6xml.read_p6xml, ".xml"),
}


@pytest.mark.parametrize("fmt", sorted(BODIES))
@pytest.mark.parametrize("attack, entity", [(BILLION_LAUGHS, "f"), (EXTERNAL, "secret")],
                         ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused(fmt: str, attack: str, entity: str, tmp_path: Path) -> None:
    body, reader, suffix = BODIES[fmt]
    path = tmp_path / f"hostile{suffix}"
    path.write_text(attack + body.replace("{e}", entity))
    with no_hang(5), pytest.raises(PlanError) as err:
        reader(str(path))
    assert err.value.codes == ["hostile_file"]
    assert err.value.diagnostics[0].file == str(path)
    assert "root:" not in str(err.value)


@pytest.mark.parametrize("reader, suffix", [(mspdi.read_mspdi, ".xml"), (p6xml.read_p6xml, ".xml"),
                                            (xer.read_xer, ".xer"), (mpx.read_mpx, ".mpx"), (mpp.read_mpp, ".mpp")],
                         ids=["mspdi", "p6xml", "xer", "mpx", "mpp"])
def test_huge_files_hit_the_size_limit_before_anything_is_read(reader: Reader, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"huge{suffix}"
    with open(path, "wb") as fh:  # sparse: instant, no disk
        fh.truncate(MAX_XML_BYTES + 1)
    with no_hang(5), pytest.raises(PlanError) as err:
        reader(str(path))
    assert err.value.codes == ["file_too_large"]


def test_pathological_xer_calendar_and_mpx_rows_do_not_hang(tmp_path: Path) -> None:
    deep = "(0||CalendarData()(" + "(0||x()(" * 5000 + ")" * 10000
    with no_hang(5):
        assert xer.parse_clndr_data(deep) is None  # deeper than any real calendar: refused, quickly
    text = ("ERMHDR\t8.0\n%T\tCALENDAR\n%F\tclndr_id\tclndr_name\tclndr_data\n"
            f"%R\t1\tDeep\t{deep}\n%T\tPROJECT\n%F\tproj_id\tclndr_id\n%R\t1\t1\n%E\n")
    path = tmp_path / "deep.xer"
    path.write_text(text)
    with no_hang(5):
        try:
            xer.read_xer(str(path))
        except PlanError as exc:
            assert exc.codes
    wide = tmp_path / "wide.mpx"
    wide.write_text("MPX,x,4.0,ANSI\n61," + ",".join(["1"] * 50000) + "\n70," + ",".join(["x"] * 50000) + "\n")
    with no_hang(5):
        try:
            mpx.read_mpx(str(wide))
        except PlanError as exc:
            assert exc.codes


@pytest.mark.parametrize("prefix", [b"\xac\xed\x00\x05", b"\xac\xed\x00\x05" + b"\xff" * 100])
def test_anything_that_looks_like_a_pod_is_refused(prefix: bytes, tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(prefix)
    assert detect_format(path).name == "pod"
    with pytest.raises(PlanError) as err:
        pod.read_pod(str(path))
    assert err.value.codes == ["pod_refused"]


@pytest.mark.java
@pytest.mark.skipif(mpp.mpxj_missing() is not None, reason="MPXJ cannot run here")
def test_mutated_mpp_files_only_raise_plan_error() -> None:
    source = PROJECTS / "mpp" / "mpxj-task-links-project98-mpp8.mpp"
    if not source.exists():
        pytest.skip(f"shared data not available: {source}")
    data = source.read_bytes()

    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated(data))
    def run(blob: bytes) -> None:
        _check(mpp.read_mpp, blob, ".mpp")

    run()
