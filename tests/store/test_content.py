"""Deltas and compression rebuild every document byte for byte."""

from __future__ import annotations

import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from pmfit.store import content as codec

lines = st.lists(st.sampled_from([b"a\n", b"b\n", b"- {id: t1}\n", b"\n", b"x", b"\r\n", b"tail"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_a_delta_rebuilds_the_new_document_exactly(old: list[bytes], new: list[bytes]) -> None:
    a, b = b"".join(old), b"".join(new)
    assert codec.apply_delta(a, codec.make_delta(a, b)) == b


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_a_delta_of_any_bytes_rebuilds_them(a: bytes, b: bytes) -> None:
    assert codec.apply_delta(a, codec.make_delta(a, b)) == b


def test_a_small_edit_of_a_large_document_is_a_small_delta() -> None:
    old = b"".join(b"  - {id: t%d, duration: %dd}\n" % (i, i % 7) for i in range(2000))
    new = old.replace(b"{id: t1500, duration: 2d}", b"{id: t1500, duration: 9d}")
    encoded, chain = codec.encode(new, old, 0)
    assert encoded.encoding == codec.DELTA and chain == 1
    assert len(encoded.payload) < 100 < len(zlib.compress(new))
    assert codec.decode_delta(old, encoded.payload) == new


def test_an_unrelated_document_is_stored_in_full_and_chains_are_capped() -> None:
    old, new = b"alpha\n" * 50, bytes(range(256)) * 4
    assert codec.encode(new, old, 0)[0].encoding == codec.FULL
    similar = b"alpha\n" * 49 + b"beta\n"
    encoded, chain = codec.encode(similar, old, codec.MAX_CHAIN)
    assert (encoded.encoding, chain) == (codec.FULL, 0)
    assert codec.decode_full(encoded.payload) == similar


def test_a_malformed_delta_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        codec.apply_delta(b"a\n", b"C\x05\x01")
    with pytest.raises(ValueError):
        codec.apply_delta(b"a\n", b"Q")
