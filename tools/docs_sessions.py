"""Run the shell sessions and Python examples of the docs, and check they print what the page shows.

A page's blocks run in order in one scratch folder that holds ``examples/`` and ``tests/`` of the
checkout, so a page reads like a real terminal session:

- a code block whose first line is ``# NAME.yaml`` (or .yml, .csv, .txt, .json) writes that file (a YAML
  file as shown, header comment included; any other without that first line);
- a ``console`` block runs each ``$ ...`` line: ``pmfit ...`` (in-process, 100 columns wide; ``> FILE``
  sends stdout to FILE), ``cp A B``, ``cat A >> B``, ``sed -i 's/OLD/NEW/' FILE`` and ``echo $?`` (the exit code the
  previous command must have); the lines after a command are what it must print;
- a ``python`` block is run; when it is followed by its output (a ``text`` block, or a block without a
  language) it must print exactly that, and a ``>>>`` session is checked like a doctest;
- ``<!-- not run: REASON -->`` just before a block leaves it out (say why: it needs shared data, ...).

Output is compared with whitespace collapsed and box-drawing characters removed; a shown output with a
line of ``...`` or ``…`` is abridged, and then each shown piece must appear in the real output.

    python tools/docs_sessions.py docs/tutorial/01-first-plan.md            # check a page
    python tools/docs_sessions.py --update docs/tutorial/01-first-plan.md   # rewrite its outputs
    python tools/docs_sessions.py --update                                   # README.md and every page
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = "100"
BOX = re.compile(r"[─│╭╮╰╯┏┓┗┛┃━┳┻╋┡┩╇└┘┌┐├┤┬┴┼╷╵]")
TIMINGS = (re.compile(r"\(\d+ plans in [0-9.]+ s\)"), re.compile(r"\b\d+\.\d+ ?s\b"))
FILE_HEADER = re.compile(r"^#\s*([\w.-]+\.(?:ya?ml|csv|txt|json))\s*$")
ELISION = re.compile(r"^\s*(\.\.\.|…)\s*$")
NOT_RUN = re.compile(r"<!--\s*not run:")


@dataclass
class Block:
    lang: str
    text: str
    line: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence
    skip: bool = False


@dataclass
class Problem:
    page: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.what}"


@dataclass
class PageRun:
    page: Path
    problems: list[Problem] = field(default_factory=list)
    commands: int = 0
    #: (block, new text) for --update
    rewrites: list[tuple[Block, str]] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    lines = text.split("\n")
    out: list[Block] = []
    index = 0
    while index < len(lines):
        match = re.match(r"^(\s*)```(\w*)", lines[index])
        if not match:
            index += 1
            continue
        indent, lang = match.group(1), match.group(2)
        start = index
        previous = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].strip().startswith("```"):
            body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index])
            index += 1
        out.append(Block(lang, "\n".join(body) + ("\n" if body else ""), start + 1, index + 1,
                         bool(NOT_RUN.search(previous))))
        index += 1
    return out


def normalise(text: str) -> str:
    text = BOX.sub(" ", text)
    for pattern in TIMINGS:
        text = pattern.sub("T", text)
    return " ".join(text.split())


def _abridged(shown: str) -> bool:
    return any(ELISION.match(line) or line.rstrip().endswith(("...", "…")) for line in shown.splitlines())


def _pieces(shown: str) -> list[str]:
    """The shown text cut at every elision: each piece must appear in the real output."""
    pieces: list[str] = []
    current: list[str] = []
    for line in shown.splitlines():
        parts = re.split(r"\.\.\.|…", line)
        current.append(parts[0])
        for part in parts[1:]:
            pieces.append(normalise("\n".join(current)))
            current = [part]
    pieces.append(normalise("\n".join(current)))
    return [p for p in pieces if p]


def matches(shown: str, actual: str) -> bool:
    if _abridged(shown):
        real = normalise(actual)
        return all(piece in real for piece in _pieces(shown))
    return normalise(shown) == normalise(actual)


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pmfit-docs-") as name:
        folder = Path(name)
        (folder / "examples").symlink_to(ROOT / "examples")
        (folder / "tests").symlink_to(ROOT / "tests")
        old = Path.cwd()
        # The docs show the real demo, report step included.
        no_reports = os.environ.pop("PMFIT_DEMO_NO_REPORTS", None)
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(old)
            if no_reports is not None:
                os.environ["PMFIT_DEMO_NO_REPORTS"] = no_reports


def _run_pmfit(args: list[str]) -> tuple[int, str, str, str]:
    """(exit code, stdout, stderr, what a terminal shows) of ``pmfit ARGS`` run in-process."""
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    reset_consoles()
    result = CliRunner().invoke(app, args, env={"COLUMNS": COLUMNS, "NO_COLOR": "1", "TERM": "dumb"})
    reset_consoles()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        return 99, result.stdout, result.stderr + tb, result.output + tb
    return result.exit_code, result.stdout, result.stderr, result.output


def _session(block: Block, run: PageRun, update: bool) -> None:
    parts = re.split(r"^\$ ", block.text, flags=re.M)
    rebuilt: list[str] = [parts[0]] if parts[0] else []
    results: list[tuple[str, int, str, int]] = []  # command, real code, real output, line
    line = block.line + 1 + parts[0].count("\n")
    for number, part in enumerate(parts[1:], start=1):
        command, _, shown = part.partition("\n")
        here = line
        line += 1 + shown.count("\n")
        words = shlex.split(command.split(" #", 1)[0])
        if not words:
            continue
        if words[:2] == ["echo", "$?"]:
            if not results:
                run.problems.append(Problem(run.page, here, "`echo $?` without a command before it"))
                continue
            # the command before it was checked against this code already
            rebuilt.append(f"$ {command}\n{shown}")
            continue
        if words[0] == "cat" and len(words) == 4 and words[2] == ">>":
            with open(words[3], "a", encoding="utf-8") as target:
                target.write(Path(words[1]).read_text(encoding="utf-8"))
            rebuilt.append(f"$ {command}\n{shown}")
            continue
        if words[0] == "cp" and len(words) == 3:
            shutil.copy(words[1], words[2])
            rebuilt.append(f"$ {command}\n{shown}")
            continue
        if words[0] == "sed" and len(words) == 4 and words[1] == "-i":
            expression = re.fullmatch(r"s/((?:[^/\\]|\\.)*)/((?:[^/\\]|\\.)*)/(g?)", words[2])
            if expression is None:
                run.problems.append(Problem(run.page, here, f"only sed -i 's/OLD/NEW/' is supported: {command}"))
                continue
            target = Path(words[3])
            target.write_text(re.sub(expression.group(1), expression.group(2), target.read_text(encoding="utf-8"),
                                     count=0 if expression.group(3) else 1), encoding="utf-8")
            rebuilt.append(f"$ {command}\n{shown}")
            continue
        if words[0] != "pmfit":
            run.problems.append(Problem(run.page, here, f"the docs runner does not know `{words[0]}`"))
            continue
        args = words[1:]
        redirect = None
        if ">" in args:
            at = args.index(">")
            redirect, args = args[at + 1], args[:at]
        run.commands += 1
        code, stdout, stderr, shown_real = _run_pmfit(args)
        if redirect:
            Path(redirect).write_text(stdout, encoding="utf-8")
            shown_real = stderr
        results.append((command, code, shown_real, here))
        expected_code = 0
        nxt = re.match(r"echo \$\?\n(\d+)", parts[number + 1]) if number + 1 < len(parts) else None
        if nxt:
            expected_code = int(nxt.group(1))
        if "Traceback" in shown_real:
            run.problems.append(Problem(run.page, here, f"`{command}` crashed:\n{shown_real[-3000:]}"))
        elif code != expected_code:
            run.problems.append(Problem(run.page, here, f"`{command}` exits {code} (page: {expected_code}):\n"
                                                        f"{shown_real[-2000:]}"))
        elif not matches(shown, shown_real):
            if update and not _abridged(shown):
                shown = "".join(line.rstrip() + "\n" for line in shown_real.splitlines())
            else:
                run.problems.append(Problem(run.page, here, f"`{command}` prints something else now.\n"
                                                            f"--- page\n{shown[:3000]}--- real\n{shown_real[:3000]}"))
        rebuilt.append(f"$ {command}\n{shown}")
    if update:
        new = "".join(rebuilt)
        if new != block.text:
            run.rewrites.append((block, new))


def _python(block: Block, output: Block | None, run: PageRun) -> None:
    source = block.text
    if ">>>" in source:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(source, {"__name__": "__docs__"}, str(run.page), str(run.page), block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        report = io.StringIO()
        runner.run(test, out=report.write)
        if runner.failures:
            run.problems.append(Problem(run.page, block.line, f"Python session differs:\n{report.getvalue()}"))
        return
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            exec(compile(source, f"{run.page}:{block.line}", "exec"), {"__name__": "__docs__"})
    except Exception as exc:  # a docs example that raises is a finding, not a crash of the checker
        run.problems.append(Problem(run.page, block.line, f"Python example raises {exc!r}"))
        return
    if output is None:  # an example without shown output: it must run without an error
        return
    got = [line.rstrip() for line in buffer.getvalue().splitlines()]
    want = [line.rstrip() for line in output.text.splitlines()]
    if got != want and not (_abridged(output.text) and matches(output.text, buffer.getvalue())):
        run.problems.append(Problem(run.page, block.line, "Python example prints something else now.\n"
                                                          f"--- page\n{output.text}--- real\n{buffer.getvalue()}"))


def run_page(page: Path, update: bool = False) -> PageRun:
    page = Path(page)
    text = page.read_text(encoding="utf-8")
    all_blocks = blocks(text)
    run = PageRun(page)
    shown_name = page.relative_to(ROOT) if page.is_absolute() and ROOT in page.parents else page
    run.page = Path(shown_name)
    with _scratch() as folder:
        for index, block in enumerate(all_blocks):
            if block.skip:
                continue
            first = block.text.split("\n", 1)[0]
            header = FILE_HEADER.match(first)
            if header and block.lang != "console":
                name = header.group(1)
                # In YAML the "# name" line is a comment (and keeps the line numbers errors quote);
                # a CSV or text file starts after it.
                body = block.text if name.endswith((".yaml", ".yml")) else block.text.split("\n", 1)[1]
                (folder / name).write_text(body, encoding="utf-8")
                continue
            if block.lang == "console" and block.text.lstrip().startswith("$ "):
                _session(block, run, update)
            elif block.lang in ("python", "pycon"):
                following = all_blocks[index + 1] if index + 1 < len(all_blocks) else None
                between = text.split("\n")[block.end:following.line - 1] if following else []
                has_output = (following is not None and following.lang in ("text", "")
                              and not any(line.strip() for line in between))
                _python(block, following if has_output else None, run)
    if update and run.rewrites:
        lines = text.split("\n")
        for block, new in sorted(run.rewrites, key=lambda r: -r[0].line):
            indent = re.match(r"^(\s*)", lines[block.line - 1]).group(1)  # type: ignore[union-attr]
            body = [indent + line if line else line for line in new.rstrip("\n").split("\n")]
            lines[block.line:block.end - 1] = body
        page.write_text("\n".join(lines), encoding="utf-8")
    return run


def pages() -> list[Path]:
    """Every hand-written page of the docs site (generated pages have nothing to run)."""
    return sorted(p for p in (ROOT / "docs").rglob("*.md") if "hooks" not in p.parts)


def main(argv: list[str]) -> int:
    update = "--update" in argv
    targets = [Path(a) for a in argv if a != "--update"] or [ROOT / "README.md", *pages()]
    failed = 0
    for page in targets:
        run = run_page(page.resolve(), update=update)
        for problem in run.problems:
            print(problem, file=sys.stderr)
        failed += len(run.problems)
        note = f", {len(run.rewrites)} block(s) rewritten" if run.rewrites else ""
        print(f"{run.page}: {run.commands} command(s), {len(run.problems)} problem(s){note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("PMFIT_DEMO_NO_REPORTS", "")
    sys.exit(main(sys.argv[1:]))
