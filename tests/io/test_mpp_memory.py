"""Issue 18: the MPXJ worker (a JVM inside the Python process) has a bounded heap.

Without a ceiling the JVM takes up to a quarter of the machine and keeps it: a server importing
.mpp files grew to 3 GB over 550 imports. bench/mpxj_memory.py measures the growth.
"""

from __future__ import annotations

import pytest

from pmfit.io import mpp


def test_the_jvm_options_bound_heap_and_class_space(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMFIT_MPXJ_HEAP", raising=False)
    options = mpp.jvm_options()
    assert "-Xmx512m" in options and any(o.startswith("-XX:MaxMetaspaceSize=") for o in options)
    monkeypatch.setenv("PMFIT_MPXJ_HEAP", "256m")
    assert "-Xmx256m" in mpp.jvm_options()


def test_the_running_jvm_has_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    if mpp.mpxj_missing():
        pytest.skip(f"MPXJ cannot run here: {mpp.mpxj_missing()}")
    monkeypatch.delenv("PMFIT_MPXJ_HEAP", raising=False)
    jpype = mpp.start_jvm()  # started once per process: by this test or an earlier import, with the options
    runtime = jpype.JClass("java.lang.Runtime").getRuntime()
    assert runtime.maxMemory() <= 600 * 1024 * 1024
    mpp.release_memory()  # collecting after an import never fails
