"""ProjectLibre ``.pod`` files: recognised by their bytes and refused with a way forward.

A ``.pod`` file is a serialised Java object graph (it starts with the Java
serialisation magic ``AC ED 00 05`` and names ``com.projity`` classes).
Reading one would mean deserialising untrusted Java objects, which pmfit will
not do. ProjectLibre saves the same plan as MS Project XML (File > Save As >
"MS Project XML"), which pmfit reads with everything it carries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmfit.io.formats import Format, ImportReport, register
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

JAVA_SERIALIZATION = b"\xac\xed\x00\x05"
MESSAGE = ("this is a ProjectLibre .pod file (a Java object dump), which pmfit does not read for safety; "
           "in ProjectLibre use File > Save As and choose 'MS Project XML' (.xml), then import that file")


def is_pod(head: bytes) -> bool:
    """True for a Java serialisation stream, which is what ProjectLibre writes."""
    return head.startswith(JAVA_SERIALIZATION)


def read_pod(path: str) -> tuple[Plan, ImportReport]:
    """Always refuses: raises PlanError ``pod_refused`` with the way to export the plan."""
    raise PlanError(Diagnostic("pod_refused", MESSAGE, file=path))


register(Format("pod", (".pod",), is_pod, read_pod, None, "ProjectLibre .pod (refused: export MS Project XML)"))
