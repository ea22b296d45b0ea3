"""`passport sample`: write the sample district as a OneRoster CSV bundle."""

from __future__ import annotations

from pathlib import Path

import click

from passport.cli.output import handle_errors
from passport.sample import generate_sample


@click.command("sample")
@click.argument("out", type=click.Path(path_type=Path), default=Path(".passport/sample/sis"))
@click.option(
    "--users",
    type=click.IntRange(min=10),
    default=2000,
    show_default=True,
    help="How many users (students, teachers, administrators) to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Seed for the generator: the same seed writes the same bytes.",
)
@handle_errors
def sample(out: Path, users: int, seed: int) -> None:
    """Write a deterministic sample district to OUT (a folder, or a .zip).

    The bundle is OneRoster 1.1 bulk CSV: a district and 4 schools, a school year
    and two terms, courses, classes, users, demographics and enrollments. Names are
    invented. OUT defaults to .passport/sample/sis.
    """
    summary = generate_sample(out, users=users, seed=seed)
    counts = ", ".join(f"{n} {entity}" for entity, n in summary.counts.items())
    click.echo(f"Wrote a OneRoster 1.1 bundle to {out}: {counts}")
