"""One look for every chart: colour-blind-safe palette (Okabe-Ito), fonts, saving."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

# One palette for the matplotlib (--plot) and the SVG charts: Okabe & Ito's colour-blind-safe colours.
from pmfit.report.svg.canvas import ACCENT, BASELINE, CRITICAL, NORMAL, PALETTE

__all__ = ["ACCENT", "BASELINE", "CRITICAL", "NORMAL", "PALETTE", "PlotUnavailable", "pyplot", "save", "to_svg"]


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def pyplot() -> Any:
    """matplotlib.pyplot with a headless backend, or a clear error naming the extra."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotUnavailable("charts need matplotlib: pip install 'pmfit[plot]'") from exc
    plt.rcParams.update({
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "svg.fonttype": "none",
        "svg.hashsalt": "pmfit",  # stable element ids: the same facts give the same SVG
    })
    return plt


def save(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Save a figure as PNG or SVG (by extension) and close it."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise ValueError(f"charts are written as .png, .svg or .pdf, not {suffix or 'no extension'!r}")
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format=suffix[1:], bbox_inches="tight")
    plt.close(fig)
    # through pmfit's one writer: atomic, locked, and a pipe or device is opened, never replaced
    from pmfit.io.atomic import write_file
    from pmfit.model.diagnostics import PlanError

    try:
        write_file(buffer.getvalue(), target)
    except PlanError as exc:  # callers report chart write failures as OSError
        message = exc.diagnostics[0].message.removeprefix("cannot write the file: ")
        raise OSError(0, message, str(target)) from None
    return target


def to_svg(fig: Any) -> str:
    """A figure as inline SVG text (for self-contained HTML reports)."""
    import io

    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    # No creation date: the same facts give byte-identical reports.
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    return text[text.find("<svg"):]
