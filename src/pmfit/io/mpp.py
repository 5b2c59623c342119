"""MS Project ``.mpp`` files, read through MPXJ (optional: ``pip install 'pmfit[mpp]'`` and Java).

The binary ``.mpp`` format is undocumented; MPXJ (https://www.mpxj.org) reads
every version from Project 98 to 2021. pmfit asks MPXJ to read the file and to
write it as MS Project XML in memory, then reads that with its own MSPDI reader,
so an ``.mpp`` import keeps and reports exactly what an MSPDI import does.

MPXJ runs in a Java virtual machine started once per Python process (JPype), with a bounded heap
(``PMFIT_MPXJ_HEAP``, 512 MB by default) that is collected after every import.
Without the ``mpxj`` package or without Java the import fails with
``mpp_needs_mpxj`` and says how to enable it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HOW_TO = ("pmfit reads .mpp files through MPXJ: install it with pip install 'pmfit[mpp]' and a Java runtime "
          "(11 or newer, e.g. apt install default-jre), or save the plan from MS Project as XML "
          "(File > Save As > XML Format) and import that")


def _sniff(head: bytes) -> bool:
    return head.startswith(OLE_MAGIC) and b"MSProject" in head


def java_path() -> str | None:
    """The java executable MPXJ would run on, or None."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        if os.path.exists(candidate):
            return candidate
    return shutil.which("java")


def mpxj_missing() -> str | None:
    """Why MPXJ cannot run here (None when it can)."""
    try:
        import jpype  # type: ignore[import-untyped]
        import mpxj  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as exc:
        return f"the Python package '{exc.name}' is not installed"
    if java_path() is None:
        try:
            import jpype  # type: ignore[import-untyped]

            jpype.getDefaultJVMPath()
        except Exception:
            return "no Java runtime was found (set JAVA_HOME or put java on the PATH)"
    return None


def start_jvm() -> Any:
    """Start the JVM with MPXJ on its class path (once per process); returns the jpype module."""
    reason = mpxj_missing()
    if reason:
        raise PlanError(Diagnostic("mpp_needs_mpxj", f"{reason}. {HOW_TO}"))
    import jpype  # type: ignore[import-untyped]
    import mpxj  # type: ignore[import-untyped]  # noqa: F401  (adds the MPXJ jars to the class path)

    if not jpype.isJVMStarted():
        try:
            jpype.startJVM("-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
                           *jvm_options(), convertStrings=True)
        except (OSError, RuntimeError) as exc:
            raise PlanError(Diagnostic("mpp_needs_mpxj", f"Java could not start ({exc}). {HOW_TO}")) from None
    return jpype


#: The JVM's heap ceiling (``PMFIT_MPXJ_HEAP`` overrides it): without one the JVM takes up to a quarter of
#: the machine and keeps what it took, so a server importing .mpp files grew to 3 GB over 550 imports.
DEFAULT_HEAP = "512m"


def jvm_options() -> list[str]:
    """Bounded memory: a heap ceiling, a capped class space, and a collector that gives memory back."""
    heap = os.environ.get("PMFIT_MPXJ_HEAP", DEFAULT_HEAP).strip() or DEFAULT_HEAP
    return [f"-Xmx{heap}", "-XX:MaxMetaspaceSize=192m", "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-Xss2m"]


def release_memory() -> None:
    """Ask the JVM to collect after an import (with the options above it then shrinks the heap)."""
    try:
        import jpype  # type: ignore[import-untyped]

        if jpype.isJVMStarted():
            jpype.JClass("java.lang.System").gc()
    except Exception:  # never fail an import over housekeeping
        pass


def mpxj_read(path: str) -> Any:
    """MPXJ's ProjectFile for any file MPXJ reads (for .mpp import and cross-checks)."""
    jpype = start_jvm()
    from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]

    try:
        project = UniversalProjectReader().read(path)
    except jpype.JException as exc:
        if "OutOfMemoryError" in type(exc).__name__ or "OutOfMemoryError" in str(exc.getClass()):
            release_memory()
            raise PlanError(Diagnostic("file_too_large", "MPXJ ran out of its memory reading the file "
                                       f"(PMFIT_MPXJ_HEAP={os.environ.get('PMFIT_MPXJ_HEAP', DEFAULT_HEAP)})",
                                       file=path)) from None
        raise PlanError(Diagnostic("bad_file", f"MPXJ could not read the file: {exc.getMessage()}",
                                   file=path)) from None
    if project is None:
        raise PlanError(Diagnostic("bad_file", "MPXJ does not recognise this file", file=path))
    return project


def mpxj_version() -> str:
    try:
        from importlib.metadata import version

        return version("mpxj")
    except Exception:
        return "?"


def read_mpp(path: str) -> tuple[Plan, ImportReport]:
    """Read an .mpp file through MPXJ into a plan and an import report."""
    from pmfit.io.mspdi import read_mspdi_bytes
    from pmfit.io.safexml import read_bytes

    read_bytes(path)  # size limit and clear errors before Java starts
    project = mpxj_read(path)
    jpype = start_jvm()
    from org.mpxj.mspdi import MSPDIWriter  # type: ignore[import-not-found]

    fd, tmp = tempfile.mkstemp(suffix=".xml", prefix="pmfit-mpp-")
    os.close(fd)
    try:
        try:
            MSPDIWriter().write(project, tmp)
        except jpype.JException as exc:
            raise PlanError(Diagnostic("bad_file", f"MPXJ could not convert the file: {exc.getMessage()}",
                                       file=path)) from None
        with open(tmp, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(tmp)
        del project
        release_memory()
    plan, report = read_mspdi_bytes(data, path, fmt="mpp")
    report.read.insert(0, f"read through MPXJ {mpxj_version()} (as MS Project XML)")
    return plan, report


register(Format("mpp", (".mpp",), _sniff, read_mpp, None, "MS Project .mpp (through MPXJ; needs pmfit[mpp] and Java)"))
