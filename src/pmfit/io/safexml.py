"""Safe XML parsing for untrusted files: defusedxml, size limit, clear located errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from pmfit.model.diagnostics import Diagnostic, PlanError

MAX_XML_BYTES = 200 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_XML_BYTES, *, head: int | None = None) -> bytes:
    """A user's file as bytes (or only its first ``head`` bytes), safely.

    Pipes, sockets and devices are refused (reading them could block or never end), a file
    over ``max_bytes`` is refused before it is read, and every way opening can fail becomes a
    PlanError (``bad_file`` / ``file_too_large``) naming the file. Every reader goes through here.
    """
    name = str(path)
    try:
        info = os.stat(path)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise PlanError(Diagnostic("bad_file", "this is not a regular file (a pipe, socket or device); "
                                       "give pmfit the file itself", file=name))
        if head is None and info.st_size > max_bytes:
            raise PlanError(Diagnostic("file_too_large", f"the file is {info.st_size / 1e6:.0f} MB; pmfit reads "
                                       f"at most {max_bytes / 1e6:.0f} MB", file=name))
        if head is None:
            return Path(path).read_bytes()
        with open(path, "rb") as fh:
            return fh.read(head)
    except FileNotFoundError:
        raise PlanError(Diagnostic("bad_file", "no such file", file=name)) from None
    except IsADirectoryError:
        raise PlanError(Diagnostic("bad_file", "this is a folder, not a file", file=name)) from None
    except OSError as exc:
        raise PlanError(Diagnostic("bad_file", f"cannot read the file: {exc.strerror}", file=name)) from None


def parse_xml(data: bytes, filename: str | None = None) -> Element:
    """Parse untrusted XML: no entity expansion, no external entities, no DTD tricks.

    Raises PlanError with code ``bad_xml`` (with the line) or ``hostile_file``.
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root: Any = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PlanError(Diagnostic("hostile_file", f"the XML uses entities or external references that pmfit "
                                   f"refuses for safety ({type(exc).__name__})", file=filename)) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise PlanError(Diagnostic("bad_xml", f"not well-formed XML: {exc}", file=filename, line=line)) from None
    except (ValueError, RecursionError, LookupError) as exc:  # LookupError: an unknown declared encoding
        raise PlanError(Diagnostic("bad_xml", f"not readable XML: {exc}", file=filename)) from None
    return root  # type: ignore[no-any-return]


def local(tag: str) -> str:
    """An element's tag without its namespace: ``{ns}Task`` -> ``Task``."""
    return tag.rsplit("}", 1)[-1]
