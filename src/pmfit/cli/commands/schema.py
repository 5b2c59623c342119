"""``pmfit schema``: the JSON Schema of the plan file, for editors."""

from __future__ import annotations

import typer

from pmfit.cli.common import guarded, print_json


@guarded
def schema(
    out: str = typer.Option(None, "--out", "-o", help="Write the schema to this file instead of stdout."),
) -> None:
    """Print the JSON Schema of the YAML plan file (point your editor's YAML plugin at it)."""
    from pmfit.api import plan_schema, save_text

    data = plan_schema()
    if out:
        import json

        save_text(json.dumps(data, indent=2) + "\n", out)
        typer.echo(f"wrote {out}", err=True)
    else:
        print_json(data)


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
