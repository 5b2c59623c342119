"""The SVG writer's fast paths give exactly what the plain definitions give (any text, any number)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pmfit.report.svg.canvas import _ESCAPES, _FORBIDDEN, attrs, escape, num


def _plain_escape(text: object) -> str:
    return str(text).translate(_FORBIDDEN).translate(_ESCAPES)


def _plain_num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@given(st.text() | st.integers() | st.floats(allow_nan=False))
def test_escape_is_the_two_tables(value: object) -> None:
    assert escape(value) == _plain_escape(value)


def test_escape_still_escapes_markup_and_drops_what_xml_forbids() -> None:
    assert escape('<script>"x" & \'y\'\n</script>\x00\ud800') == \
        "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&#10;&lt;/script&gt;"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9) | st.integers(-10**6, 10**6))
def test_num_is_two_decimals_without_trailing_zeros_every_time(value: float) -> None:
    assert num(value) == _plain_num(value) == num(value)  # the second time from memory


@given(st.dictionaries(st.sampled_from(["x", "class_", "stroke_width", "data_label", "rx"]),
                       st.none() | st.booleans() | st.integers(-99, 99) | st.floats(-1e6, 1e6) | st.text()))
def test_attrs_formats_each_kind_of_value_as_before(values: dict[str, object]) -> None:
    expected = []
    for key, value in values.items():
        if value is None:
            continue
        shown = ("true" if value else "false") if isinstance(value, bool) else (
            _plain_num(value) if isinstance(value, float) else value)
        expected.append(f' {key.rstrip("_").replace("_", "-")}="{_plain_escape(shown)}"')
    assert attrs(values) == "".join(expected)
