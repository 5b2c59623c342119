"""Issue 12, defect 13: a PDF report without WeasyPrint (or without Pango) is a clear error that names
the extra and the system libraries, exit 1 — not "internal error: PdfUnavailable ... pip install 'pmfit'"."""

from __future__ import annotations

import importlib.abc
import sys
from pathlib import Path

import pytest


class _BrokenPango(importlib.abc.MetaPathFinder):
    """Importing weasyprint fails as it does when the Pango libraries are missing (an OSError)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return None


@pytest.fixture
def no_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError


@pytest.fixture
def no_pango(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenPango(), *sys.meta_path])


def _report(cli, tiny_plan: Path, tmp_path: Path):
    out = tmp_path / "status.pdf"
    result = cli("report", tiny_plan, "--iterations", "200", "--out", out)
    assert not out.exists()
    return result


def test_without_weasyprint(cli, tiny_plan: Path, tmp_path: Path, no_weasyprint: None) -> None:
    result = _report(cli, tiny_plan, tmp_path)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert "[pdf_unavailable]" in message and "WeasyPrint" in message
    assert "pip install 'pmfit[pdf]'" in message
    assert "libpango-1.0-0" in message and "--format html" in message


def test_without_pango(cli, tiny_plan: Path, tmp_path: Path, no_pango: None) -> None:
    result = _report(cli, tiny_plan, tmp_path)
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert "Pango" in message and "cannot open shared object file" in message
    assert "pip install 'pmfit[pdf]'" in message and "libpangoft2-1.0-0" in message


def test_cli_errors_print_brackets_as_written(cli, tmp_path: Path) -> None:
    """fail() messages are not Rich markup: '[pdf]' in 'pmfit[pdf]' and '[v2]' in a file name survive."""
    from pmfit.cli.common import fail, reset_consoles

    reset_consoles()
    import io
    from contextlib import redirect_stderr

    buffer = io.StringIO()
    with redirect_stderr(buffer):
        fail("pip install 'pmfit[pdf]' for plan [v2].yaml")
    reset_consoles()
    assert "pmfit[pdf]" in buffer.getvalue() and "plan [v2].yaml" in buffer.getvalue()
