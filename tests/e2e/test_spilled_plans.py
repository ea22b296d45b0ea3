"""A district larger than a plan keeps in memory: its first import and its bulk export
spill their changes to disk (plan/spill.py), and lose nothing. Spilling is forced here
(`PASSPORT_SPILL_AT`) on the sample district and on the rich bundles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from passport_cli import Passport
from test_round_trip import ALL, BUNDLES, EXPORT, IMPORT, data_files, rows

from passport.oneroster import ENTITIES, SPECS
from passport.sample import generate_sample


@pytest.fixture(autouse=True)
def spilling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_SPILL_AT", "7")


def _import_and_export(passport: Passport, version: str) -> None:
    passport.configs.mkdir()
    (passport.configs / "sis.yaml").write_text(IMPORT.format(attributes=ALL))
    (passport.configs / "lms.yaml").write_text(EXPORT.format(version=version, attributes=ALL))
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")


def _every_record_landed(passport: Passport, source: Path) -> None:
    store = passport.open_store()
    try:
        for entity in ENTITIES:
            listed = (
                set(rows(source / SPECS[entity].csv_file))
                if (source / SPECS[entity].csv_file).exists()
                else set()
            )
            assert {r.key for r in store.scan(entity)} == listed, entity
            for activation in ("sis", "lms"):
                based = {b.key for b in store.base_scan(activation, entity)}
                assert based == listed, (activation, entity)
    finally:
        store.close()


def test_a_spilled_first_import_and_export_give_back_the_sample_district(
    passport: Passport,
) -> None:
    source = passport.root / "source"
    generate_sample(source, users=400)
    _import_and_export(passport, "1.1")
    _every_record_landed(passport, source)
    target = passport.root / "target"
    assert data_files(target) == data_files(source)
    for name in data_files(source):
        assert rows(target / name) == rows(source / name), name
    passport("plan", "sis", "--detailed-exitcode", code=0)
    passport("plan", "lms", "--detailed-exitcode", code=0)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_spilled_round_trip_gives_back_every_cell(passport: Passport, version: str) -> None:
    shutil.copytree(BUNDLES / f"rich-{version}", passport.root / "source")
    _import_and_export(passport, version)
    source, target = passport.root / "source", passport.root / "target"
    assert data_files(target) == data_files(source)
    for name in data_files(source):
        assert rows(target / name) == rows(source / name), name
    passport("plan", "sis", "--detailed-exitcode", code=0)
    passport("plan", "lms", "--detailed-exitcode", code=0)


def test_a_spilled_export_into_an_existing_bundle_updates_it_in_place(
    passport: Passport,
) -> None:
    source = passport.root / "source"
    generate_sample(source, users=200)
    _import_and_export(passport, "1.1")
    users = source / "users.csv"
    text = users.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    users.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith(first + ",")) + "\n",
        encoding="utf-8",
    )
    passport("apply", "sis", "--yes")
    passport("apply", "lms", "--yes")
    target = passport.root / "target"
    assert first not in rows(target / "users.csv")
    assert rows(target / "users.csv") == rows(users)
    passport("plan", "lms", "--detailed-exitcode", code=0)
