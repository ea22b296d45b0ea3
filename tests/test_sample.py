"""The sample district: deterministic, about 2,000 users, and a bundle that reads cleanly."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from passport.cli import main
from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.oneroster import ENTITIES
from passport.sample import generate_sample


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a")
    generate_sample(tmp_path / "b")
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a", users=200)
    generate_sample(tmp_path / "b", users=200, seed=2)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a["orgs.csv"] == b["orgs.csv"] and a["users.csv"] != b["users.csv"]


def test_the_default_district(tmp_path: Path) -> None:
    summary = generate_sample(tmp_path / "sis")
    assert summary.counts["orgs"] == 5
    assert summary.counts["academicSessions"] == 3
    assert summary.counts["users"] == 2000
    snap = CsvSnapshot(tmp_path / "sis", ENTITIES)
    records = {entity: list(snap.read(entity)) for entity in ENTITIES}
    assert snap.warnings == []
    assert snap.version == "1.1" and all(snap.is_complete(e) for e in ENTITIES)
    roles = [u.fields["role"] for u in records["users"]]
    students = roles.count("student")
    assert roles.count("teacher") > 50 and 1 <= roles.count("administrator") <= 10
    assert len(records["demographics"]) == students
    per_student = [e for e in records["enrollments"] if e.fields["role"] == "student"]
    assert len(per_student) == 6 * students
    assert {o.fields["type"] for o in records["orgs"]} == {"district", "school"}


def test_cli_writes_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "sis"
    result = CliRunner().invoke(main, ["sample", str(out), "--users", "100", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote a OneRoster 1.1 bundle to {out}: 5 orgs,")
    assert "100 users" in result.output
    assert (out / "manifest.csv").exists()


def test_bench_next_day_is_deterministic_and_consistent(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_generate", Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--users", "3000", str(tmp_path / "today")]) == 0
    for name in ("a", "b"):
        assert bench.main(["--next-day", str(tmp_path / "today"), str(tmp_path / name)]) == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")
    today = {r.key: r for r in CsvSnapshot(tmp_path / "today", ENTITIES).read("users")}
    snap = CsvSnapshot(tmp_path / "a", ENTITIES)
    tomorrow = {r.key: r for r in snap.read("users")}
    for entity in ENTITIES:
        list(snap.read(entity))  # references stay consistent
    changed = sum(1 for k, r in tomorrow.items() if k in today and r != today[k])
    assert 0 < changed < 0.03 * len(today)
    assert 0 < len(today.keys() - tomorrow.keys()) < 0.02 * len(today)
    assert 0 < len(tomorrow.keys() - today.keys()) < 0.02 * len(today)
