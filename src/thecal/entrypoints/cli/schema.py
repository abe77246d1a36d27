"""`thecal schema [NAME] [--out DIR]`: the JSON Schema of an input format, generated
from the models that read it (docs/schemas/ holds them all)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thecal.adapters.schema.publish import FORMATS, schema_text, write_all


def register(app: typer.Typer) -> None:
    @app.command()
    def schema(
        name: Annotated[str | None, typer.Argument(help=f"one of: {', '.join(FORMATS)}")] = None,
        out: Annotated[
            Path | None, typer.Option(help="write every schema into this folder")
        ] = None,
    ) -> None:
        """Print one input format's JSON Schema, or write them all with --out."""
        if out is not None:
            for path in write_all(out):
                typer.echo(f"wrote {path}")
            return
        if name not in FORMATS:
            typer.echo(f"error: name: one of {', '.join(FORMATS)}", err=True)
            raise typer.Exit(2)
        typer.echo(schema_text(name), nl=False)
