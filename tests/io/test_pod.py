"""ProjectLibre .pod: recognised by its bytes (not its name) and refused with the way forward."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.importing import import_file
from pmfit.io.formats import detect_format
from pmfit.model.diagnostics import PlanError


@pytest.mark.parametrize("name", ["plan.pod", "renamed.xml", "no-extension"])
def test_pod_is_refused_by_its_bytes_whatever_its_name(tmp_path: Path, name: str) -> None:
    source = shared_path("projects", "pod", "projectlibre-ms-project-2003-deployment.pod")
    path = tmp_path / name
    shutil.copy(source, path)
    assert detect_format(path).name == "pod"
    with pytest.raises(PlanError) as info:
        import_file(path)
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "pod_refused"
    assert diagnostic.file == str(path)
    assert "MS Project XML" in diagnostic.message


def test_a_java_serialisation_stream_is_a_pod_but_other_binaries_are_not(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\xac\xed\x00\x05sr\x00\x10java.lang.Object")
    assert detect_format(path).name == "pod"
    other = tmp_path / "y.bin"
    other.write_bytes(b"\x00\x01binary")
    with pytest.raises(PlanError) as info:
        detect_format(other)
    assert info.value.codes == ["unknown_format"]
