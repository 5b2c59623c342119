"""The registry of file formats pmfit reads and writes, and detection by content.

Each format registers a :class:`Format`: how to recognise it from the first
bytes (not only the extension), how to read it into a plan with an
:class:`ImportReport`, and optionally how to write a plan.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan


@dataclass
class ImportReport:
    """What an import read, mapped approximately, dropped, and why."""

    format: str
    source: str
    read: list[str] = field(default_factory=list)
    approximated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    schedule_differences: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    #: start/finish of each task as stored in the file, for the schedule check
    file_dates: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: probable causes of a schedule difference the reader already knows, per task id
    task_causes: dict[str, list[str]] = field(default_factory=dict)
    #: how many tasks the schedule check compared (0: not run)
    schedule_checked: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "read": self.read,
            "approximated": self.approximated,
            "dropped": self.dropped,
            "schedule_checked": self.schedule_checked,
            "schedule_differences": self.schedule_differences,
            "warnings": [w.to_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class Format:
    """A file format: name, extensions, content sniffing, reader and optional writer."""

    name: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Callable[[str], tuple[Plan, ImportReport]]
    #: writes the plan; may return what it had to approximate (lines, or feature key -> line, see
    #: :mod:`pmfit.io.capabilities`) for the export report
    write: Callable[[Plan, str], Mapping[str, str] | Sequence[str] | None] | None = None
    description: str = ""
    #: what reading keeps and loses, in words, for the docs (docs/hooks/formats.yaml holds the
    #: other formats' words); what writing keeps is :attr:`writes`
    keeps: str | None = None
    loses: str | None = None

    @property
    def writes(self) -> dict[str, tuple[str, str]] | None:
        """What a file written in this format keeps, approximates and drops of a plan, per feature
        (:mod:`pmfit.io.capabilities`; the export report and the docs' table both come from it)."""
        if self.write is None:
            return None
        from pmfit.io.capabilities import FEATURES, status_of

        return {f.key: status_of(self.name, f.key) for f in FEATURES}


FORMATS: dict[str, Format] = {}
HEAD_BYTES = 64 * 1024


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def _read_head(path: str) -> bytes:
    from pmfit.io.safexml import read_bytes

    return read_bytes(path, head=HEAD_BYTES)


def _load_builtin_formats() -> None:
    # Importing a module registers its formats.
    import importlib

    for module in ("pmfit.io.yamlformat",):
        importlib.import_module(module)
    try:
        importlib.import_module("pmfit.io.registry")
    except ModuleNotFoundError as exc:
        if exc.name != "pmfit.io.registry":
            raise


def detect_format(path: str | os.PathLike[str]) -> Format:
    """The format of a file, by its content first and its extension second."""
    name = str(path)
    head = _read_head(name)
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        # The common case: a pmfit plan. Skip importing every other format (start-up time).
        import pmfit.io.yamlformat  # noqa: F401

        yaml_format = FORMATS["yaml"]
        if _safe_sniff(yaml_format, head):
            return yaml_format
    _load_builtin_formats()
    sniffed = [f for f in FORMATS.values() if _safe_sniff(f, head)]
    if len(sniffed) == 1:
        return sniffed[0]
    by_ext = [f for f in (sniffed or FORMATS.values()) if suffix in f.extensions]
    if by_ext:
        return by_ext[0]
    if sniffed:
        return sniffed[0]
    known = ", ".join(sorted({e for f in FORMATS.values() for e in f.extensions}))
    raise PlanError(Diagnostic("unknown_format", f"pmfit does not recognise this file's format "
                               f"(it reads {known})", file=name))


def _safe_sniff(fmt: Format, head: bytes) -> bool:
    try:
        return bool(fmt.sniff(head))
    except Exception:  # a sniffer must never take the import down
        return False


def import_file(path: str | os.PathLike[str], check: bool = False) -> tuple[Plan, ImportReport]:
    """Read any supported file into a plan, with the report of what was kept and lost.

    Readers run no engine: the schedule check (every task whose dates differ from the
    file's own dates) is :func:`pmfit.import_file`'s, above this layer.
    """
    from pmfit.io.importcheck import no_gc

    if check:
        raise TypeError("the import report's schedule check runs above the readers: "
                        "use pmfit.import_file(path, check=True)")
    fmt = detect_format(path)
    with no_gc():
        plan, report = fmt.read(str(path))
    return plan, report


def load(path: str | os.PathLike[str]) -> Plan:
    """Read any supported plan file (format detected by content) into a validated plan."""
    plan, _ = import_file(path)
    if not plan.tasks:  # a calendar-only export: `pmfit import` still reads it, with a warning
        raise PlanError(Diagnostic("no_tasks", "the file has no tasks (only calendars, resources or "
                                   "settings), so there is nothing to schedule", file=str(path)))
    return plan


@dataclass
class ExportResult:
    """The format a plan was written in, and the export report: what the file holds of the plan
    (``read``), what it holds only approximately and what it cannot hold (``dropped``)."""

    format: Format
    report: ImportReport


def export_plan(plan: Plan, path: str | os.PathLike[str], format: str | None = None,
                schedule: Any = None) -> ExportResult:
    """Write a plan in the format named by ``format`` or by the file extension, with the export report.

    ``schedule``: the dates to write, for the formats that store dates (the caller's current
    schedule, or :class:`pmfit.io.current.Unscheduled`; those writers raise ``no_schedule``
    without it, see :func:`writes_dates`); writers that store none ignore it.
    """
    import inspect

    from pmfit.io.capabilities import export_losses

    fmt = _writer_for(path, format)
    assert fmt.write is not None
    if schedule is not None and "schedule" in inspect.signature(fmt.write).parameters:
        notes = fmt.write(plan, str(path), schedule=schedule)  # type: ignore[call-arg]
    else:
        notes = fmt.write(plan, str(path))
    report = ImportReport(fmt.name, str(path))
    # a writer's own account of a feature (a mapping feature -> line) replaces the table's line
    told = dict(notes) if isinstance(notes, Mapping) else {}
    report.read, report.approximated, report.dropped = export_losses(plan, fmt.name, skip=set(told))
    for note in (told.values() if told else notes or ()):
        if note not in report.approximated:
            report.approximated.append(note)
    return ExportResult(fmt, report)


def writes_dates(path: str | os.PathLike[str], format: str | None = None) -> bool:
    """Whether the writer for ``path`` (or ``format``) writes the plan's computed dates, so its caller
    passes ``schedule`` (see :mod:`pmfit.io.current`); raises ``unknown_format`` like the writers."""
    import inspect

    fmt = _writer_for(path, format)
    return fmt.write is not None and "schedule" in inspect.signature(fmt.write).parameters


def export_file(plan: Plan, path: str | os.PathLike[str], format: str | None = None,
                schedule: Any = None) -> Format:
    """Write a plan in the format named by ``format`` or by the file extension."""
    return export_plan(plan, path, format, schedule).format


def _writer_for(path: str | os.PathLike[str], format: str | None) -> Format:
    _load_builtin_formats()
    name = str(path)
    if format is not None:
        if format not in FORMATS or FORMATS[format].write is None:
            raise PlanError(Diagnostic("unknown_format", f"pmfit cannot write format {format!r}"))
        fmt = FORMATS[format]
    else:
        suffix = Path(name).suffix.lower()
        writers = [f for f in FORMATS.values() if suffix in f.extensions and f.write is not None]
        if not writers:
            known = ", ".join(sorted({e for f in FORMATS.values() if f.write for e in f.extensions}))
            raise PlanError(Diagnostic("unknown_format", f"pmfit cannot write '{suffix or name}' files "
                                       f"(it writes {known})", file=name))
        fmt = writers[0]
    return fmt
