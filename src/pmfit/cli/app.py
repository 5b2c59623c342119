"""The ``pmfit`` Typer app. Commands live in :mod:`pmfit.cli.commands`, one module each."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from pmfit import __version__

app = typer.Typer(
    name="pmfit",
    help="Schedule, level, simulate and track technical and IT projects, "
    "and find out which kind of project manager each one needs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pmfit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """pmfit: project plans in, honest schedules and advice out."""


def _flags_show_no_type() -> None:
    """Help shows ``--force`` for an on/off flag, not ``--force <bool>`` (Typer's rich help types every option)."""
    from typer.core import TyperOption

    typed = TyperOption.display_type_rich
    if getattr(typed, "_pmfit_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag and not self.count:
            return None
        return typed(self, ctx)  # type: ignore[arg-type]

    display_type_rich._pmfit_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _register_commands() -> None:
    from pmfit.cli import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"pmfit.cli.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()
_flags_show_no_type()


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="pmfit")
    except SystemExit as exc:
        # typer turns a closed pipe (`pmfit schedule --csv | head`) into exit 1 and wraps stdout; the reader
        # leaving is not bad input
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            sys.exit(0)
        raise
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # `pmfit schedule --json | head`: the reader left; that is not an error
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
