"""A CSV bundle is read under bounds: a zip bomb, an oversized file or a lying zip is a
clear BundleError at once, before a row is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from zip_bombs import MIB, bomb_bundle, write_member

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.errors import BundleError
from passport.oneroster import ENTITIES

BUNDLES = Path(__file__).resolve().parent.parent / "bundles"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 GiB of newlines as users.csv, in a zip of about 3 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bundle.zip"
    return bomb_bundle(path, BUNDLES / "good-1.1")


def opened(path: Path) -> BundleError:
    with pytest.raises(BundleError) as raised:
        snap = CsvSnapshot(path, ENTITIES)
        try:
            for entity in ENTITIES:
                for _ in snap.read(entity):
                    pass
        finally:
            snap.close()
    return raised.value


def test_a_zip_bomb_is_refused_before_anything_is_read(bomb: Path) -> None:
    assert bomb.stat().st_size < 4 * MIB
    error = opened(bomb)
    assert error.reason.startswith(f"{bomb}: users.csv would grow 1,0")
    assert error.reason.endswith(
        "times when unzipped (3 MiB → 3 GiB), more than the 100 times a zipped file may "
        "(PASSPORT_MAX_ZIP_RATIO): it looks like a zip bomb, and nothing was read"
    )
    assert error.hint == (
        "check where the bundle came from; if it is genuine, raise PASSPORT_MAX_ZIP_RATIO"
    )


def test_an_unzipped_file_over_its_limit_is_refused(
    bomb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSPORT_MAX_ZIP_RATIO", "10000")
    monkeypatch.setenv("PASSPORT_MAX_CSV_FILE_BYTES", "1GiB")
    error = opened(bomb)
    assert error.reason == (
        f"{bomb}: users.csv is 3 GiB unzipped, more than the 1 GiB one file of a bundle may "
        "be (PASSPORT_MAX_CSV_FILE_BYTES)"
    )
    assert error.hint == (
        "check the export; for a district this large, raise PASSPORT_MAX_CSV_FILE_BYTES"
    )


def test_a_bundle_over_its_limit_is_refused(bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_MAX_ZIP_RATIO", "10000")
    monkeypatch.setenv("PASSPORT_MAX_CSV_BUNDLE_BYTES", "2GiB")
    error = opened(bomb)
    assert error.reason == (
        f"{bomb} is 3 GiB unzipped, more than the 2 GiB a bundle may be "
        "(PASSPORT_MAX_CSV_BUNDLE_BYTES)"
    )


def test_a_folder_bundle_is_bounded_too(good11: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (good11 / "users.csv").write_bytes((good11 / "users.csv").read_bytes() * 10)
    monkeypatch.setenv("PASSPORT_MAX_CSV_FILE_BYTES", "1000")
    assert (good11 / "users.csv").stat().st_size == 4760
    assert opened(good11).reason == (
        f"{good11}: users.csv is 4.6 KiB, more than the 1,000 bytes one file of a bundle "
        "may be (PASSPORT_MAX_CSV_FILE_BYTES)"
    )


def test_a_zip_that_lies_about_a_size_is_a_clear_error(tmp_path: Path) -> None:
    """Its directory says 2 KiB; zipfile stops there and the CRC gives it away."""
    path = tmp_path / "lying.zip"
    write_member(path, "users.csv", 3 * MIB, declared=2048)
    error = opened(path)
    assert error.reason.startswith(f"{path}: users.csv is damaged and cannot be unzipped (")
    assert error.hint == "export the bundle again; nothing was changed"


def test_a_well_compressed_small_file_is_not_judged_by_its_ratio(tmp_path: Path) -> None:
    """Under 1 MiB unzipped, a file may compress as well as it likes."""
    path = tmp_path / "small.zip"
    write_member(path, "users.csv", MIB // 2)
    snap = CsvSnapshot(path, ENTITIES)
    try:  # read in full, not refused as a bomb: a header-only bulk file is only a warning
        assert [list(snap.read(entity)) for entity in ENTITIES] == [[]] * len(ENTITIES)
    finally:
        snap.close()
