"""The limits pmfit puts on files from strangers, in one place (docs/explanation/security.md lists them).

Each limit is refused with its own diagnostic id before the work it guards is done, so a small
hostile file costs as little as a small honest one. They are module constants: a caller that
trusts its files (or a test) may change them.
"""

from __future__ import annotations

import re
import zipfile

from pmfit.model.diagnostics import Diagnostic, PlanError

#: The largest file any reader opens (the XML, table and plan readers share it).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: The most a zip container (an .xlsx workbook) may unpack to, all members together.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: The most a zip member may grow when unpacked (Apache POI refuses the same ratio, 1:100);
#: real workbooks pack 4 to 20 times, a zip bomb of whitespace a thousand times.
MAX_INFLATE_RATIO = 100
#: Members smaller than this unpack at any ratio (a tiny member cannot be a bomb).
RATIO_FLOOR_BYTES = 1024 * 1024
#: The most rows of a worksheet (Excel's own maximum, 2**20).
MAX_TABLE_ROWS = 1_048_576
#: The columns of a worksheet that are read (every column pmfit knows fits in far fewer).
MAX_TABLE_COLUMNS = 256
#: The most tasks (or activities, issues, jobs) one imported file may hold.
MAX_TASKS = 1_000_000

_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr=\"(\d{1,12})\"")


def refuse(code: str, message: str, path: str | None) -> PlanError:
    return PlanError(Diagnostic(code, message, file=path))


def check_zip(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse a zip whose members unpack past :data:`MAX_UNPACKED_BYTES` or :data:`MAX_INFLATE_RATIO`.

    Uses the sizes the zip declares; :func:`count_rows` and the reader's own reads stop at the
    declared size, so a member that lies about it fails its CRC instead of growing.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_INFLATE_RATIO * max(info.compress_size, 1):
            raise refuse("zip_bomb", f"the member {info.filename[:80]!r} unpacks {info.file_size / 1e6:.0f} MB "
                         f"from {info.compress_size / 1e3:.0f} KB (more than {MAX_INFLATE_RATIO} times); "
                         "pmfit refuses such zip bombs", path)
    if total > MAX_UNPACKED_BYTES:
        raise refuse("file_too_large", f"the workbook unpacks to {total / 1e6:.0f} MB; pmfit reads at most "
                     f"{MAX_UNPACKED_BYTES / 1e6:.0f} MB", path)


_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


def check_workbook(archive: zipfile.ZipFile, path: str) -> None:
    """Every limit of a workbook, before openpyxl opens it: sizes and ratios, then one streaming pass
    over its XML members that refuses a DTD or entity (XXE, billion laughs: ``hostile_file``) and
    counts each worksheet's rows (``too_many_rows``)."""
    check_zip(archive, path)
    for member in archive.namelist():
        if not member.endswith((".xml", ".rels", ".vml")):
            continue
        if member.startswith("xl/worksheets/") and member.endswith(".xml"):
            count_rows(archive, member, path, member.rsplit("/", 1)[-1][:-4])
        else:
            _refuse_declarations(archive, member, path)


def _refuse_declarations(archive: zipfile.ZipFile, member: str, path: str) -> None:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            _check_declarations(tail + chunk, member, path)
            tail = chunk[-16:]


def _check_declarations(data: bytes, member: str, path: str) -> None:
    if any(d in data for d in _DECLARATIONS):
        raise refuse("hostile_file", f"the workbook member {member[:80]!r} declares a DTD or entities "
                     "(the way XXE and entity-expansion attacks start); pmfit refuses it", path)


def count_rows(archive: zipfile.ZipFile, member: str, path: str, sheet: str) -> int:
    """The rows of a worksheet member, counted while unpacking; refused past :data:`MAX_TABLE_ROWS`.

    Counts ``<row>`` elements and the highest ``r="N"`` (a row numbered a million is a million
    rows once the gaps are filled), stopping as soon as the limit is passed.
    """
    rows = highest = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            _check_declarations(data, member, path)
            cut = max(0, len(data) - 64)   # a tag split across chunks is counted with the next one
            head, tail = data[:cut], data[cut:]
            rows += len(_ROW.findall(head))
            numbers = _ROW_NUMBER.findall(head)
            if numbers:
                highest = max(highest, max(int(n) for n in numbers))
            if max(rows, highest) > MAX_TABLE_ROWS:
                break
    rows += len(_ROW.findall(tail))
    numbers = _ROW_NUMBER.findall(tail)
    highest = max([highest, *(int(n) for n in numbers)])
    count = max(rows, highest)
    if count > MAX_TABLE_ROWS:
        raise refuse("too_many_rows", f"sheet {sheet!r} has more than {MAX_TABLE_ROWS:,} rows; pmfit reads "
                     "at most that many (Excel's own limit)", path)
    return count


def check_tasks(count: int, path: str | None, what: str = "tasks") -> None:
    """Refuse a file with more than :data:`MAX_TASKS` tasks (before the plan is built)."""
    if count > MAX_TASKS:
        raise refuse("too_many_tasks", f"the file has {count:,} {what}; pmfit imports at most {MAX_TASKS:,}", path)
