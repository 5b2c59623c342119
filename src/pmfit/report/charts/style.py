"""One look for every chart: colour-blind-safe palette (Okabe-Ito), fonts, saving."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

# One palette for the matplotlib (--plot) and the SVG charts: Okabe & Ito's colour-blind-safe colours.
from pmfit.report.svg.canvas import ACCENT, BASELINE, CRITICAL, NORMAL, PALETTE

__all__ = ["ACCENT", "BASELINE", "CRITICAL", "NORMAL", "PALETTE", "PlotUnavailable", "chart_format", "pyplot", "render",
           "to_svg"]


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


CHART_SUFFIXES = (".png", ".svg", ".pdf")


def chart_format(path: str | os.PathLike[str]) -> str:
    """The chart file format named by ``path``'s extension (``png``, ``svg`` or ``pdf``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"charts are written as .png, .svg or .pdf, not {suffix or 'no extension'!r}")
    return suffix[1:]


def render(fig: Any, file_format: str) -> bytes:
    """A figure as the bytes of a PNG, SVG or PDF file, and close it. The report layer writes no
    file: :func:`pmfit.api.save_chart` writes these bytes through pmfit's one atomic writer."""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format=file_format, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


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
