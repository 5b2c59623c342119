"""``pmfit export --help`` names every format pmfit writes (kept in step with the format registry)."""

from __future__ import annotations

import re


def test_export_help_lists_every_writable_format(cli) -> None:  # type: ignore[no-untyped-def]
    from pmfit.io.formats import FORMATS, _load_builtin_formats

    _load_builtin_formats()
    result = cli("export", "--help")
    assert result.exit_code == 0
    text = re.sub(r"[\s│╭╮╰╯─]+", " ", result.stdout)  # the help is wrapped inside a box
    writable = [f for f in FORMATS.values() if f.write is not None]
    assert len(writable) >= 12
    for fmt in writable:
        assert re.search(rf"\b{re.escape(fmt.name)}\b", text), fmt.name
        assert any(ext in text for ext in fmt.extensions), (fmt.name, fmt.extensions)
