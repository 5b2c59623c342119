"""How a version's document is kept on disk: zlib-compressed in full, or as a line delta.

A delta copies runs of lines from another version's document (its *delta base*, normally the
parent) and adds the lines that are new, then is compressed. Most saves change a few tasks, so a
version of a 1,000-task plan costs a few hundred bytes instead of a full copy. Chains are capped
(:data:`MAX_CHAIN`) so that rebuilding any version applies a bounded number of deltas.

Whatever the encoding, the rebuilt bytes are checked against the version's SHA-256 content hash,
so a version either rebuilds byte-identical or is reported corrupt — never silently different.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

#: deltas applied at most to rebuild one version (then a full copy is stored again)
MAX_CHAIN = 48
#: a delta is kept when it is smaller than this share of the compressed full copy
DELTA_SHARE = 0.5
#: candidate positions looked at per repeated line (bounds the work on repetitive documents)
MAX_CANDIDATES = 12

FULL = "zlib"
DELTA = "delta"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Encoded:
    encoding: str  # FULL or DELTA
    payload: bytes


def _varint(value: int, out: bytearray) -> None:
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def make_delta(old: bytes, new: bytes) -> bytes:
    """Ops that rebuild ``new`` from ``old``: copy line runs of ``old``, insert literal bytes."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    where: dict[bytes, list[int]] = {}
    for index, line in enumerate(old_lines):
        places = where.setdefault(line, [])
        if len(places) < MAX_CANDIDATES:
            places.append(index)
    ops = bytearray()
    literal: list[bytes] = []

    def flush() -> None:
        if literal:
            chunk = b"".join(literal)
            ops.append(ord("L"))
            _varint(len(chunk), ops)
            ops.extend(chunk)
            literal.clear()

    i, n_new, n_old = 0, len(new_lines), len(old_lines)
    next_old = -1  # where the last copied run ended: the likeliest place to continue
    while i < n_new:
        line = new_lines[i]
        candidates = where.get(line)
        best_start, best_len = -1, 0
        if candidates:
            tried = candidates if next_old < 0 or next_old in candidates else [next_old, *candidates]
            for start in tried:
                if start >= n_old or old_lines[start] != line:
                    continue
                length = 1
                while i + length < n_new and start + length < n_old and \
                        old_lines[start + length] == new_lines[i + length]:
                    length += 1
                if length > best_len:
                    best_start, best_len = start, length
        if best_len == 0:
            literal.append(line)
            i += 1
            continue
        flush()
        ops.append(ord("C"))
        _varint(best_start, ops)
        _varint(best_len, ops)
        i += best_len
        next_old = best_start + best_len
    flush()
    return bytes(ops)


def apply_delta(old: bytes, ops: bytes) -> bytes:
    """The document ``make_delta(old, new)`` describes; raises ValueError on a malformed delta."""
    old_lines = old.splitlines(keepends=True)
    parts: list[bytes] = []
    pos, end = 0, len(ops)
    try:
        while pos < end:
            op = ops[pos]
            pos += 1
            if op == ord("C"):
                start, pos = _read_varint(ops, pos)
                length, pos = _read_varint(ops, pos)
                if start + length > len(old_lines):
                    raise ValueError("delta copies past the end of its base")
                parts.extend(old_lines[start:start + length])
            elif op == ord("L"):
                size, pos = _read_varint(ops, pos)
                if pos + size > end:
                    raise ValueError("delta literal runs past its end")
                parts.append(ops[pos:pos + size])
                pos += size
            else:
                raise ValueError(f"unknown delta op {op!r}")
    except IndexError:
        raise ValueError("truncated delta") from None
    return b"".join(parts)


def encode(data: bytes, base: bytes | None, base_chain: int) -> tuple[Encoded, int]:
    """The smaller of a full copy and a delta against ``base``; returns it with its chain length."""
    if base is not None and base_chain < MAX_CHAIN:
        delta = zlib.compress(make_delta(base, data), 6)
        if len(delta) * 20 <= len(data):  # clearly smaller than any full copy: skip compressing it
            return Encoded(DELTA, delta), base_chain + 1
        full = zlib.compress(data, 6)
        if len(delta) < DELTA_SHARE * len(full):
            return Encoded(DELTA, delta), base_chain + 1
        return Encoded(FULL, full), 0
    return Encoded(FULL, zlib.compress(data, 6)), 0


def decode_full(payload: bytes) -> bytes:
    return zlib.decompress(payload)


def decode_delta(base: bytes, payload: bytes) -> bytes:
    return apply_delta(base, zlib.decompress(payload))
