"""secrets.unresolved names every reference that does not resolve, never a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport import secrets


def test_every_unresolved_reference_is_named_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASSPORT_T_MISSING", raising=False)
    monkeypatch.setenv("PASSPORT_T_SET", "s3cret-value")
    monkeypatch.setenv("PASSPORT_T_EMPTY", "")
    (tmp_path / "key").write_text("file-secret\n", encoding="utf-8")
    references = {
        ("delivery", "client_id"): "${env:PASSPORT_T_SET}",
        ("delivery", "client_secret"): "${env:PASSPORT_T_MISSING}",
        ("delivery", "token"): "${env:PASSPORT_T_EMPTY}",
        ("privacy_shield", "key"): "${file:key}",
        ("delivery", "password"): "${file:nope.key}",
    }
    found = secrets.unresolved(references, tmp_path)
    assert [m.setting for m in found] == [
        ("delivery", "client_secret"),
        ("delivery", "token"),
        ("delivery", "password"),
    ]
    said = " ".join(m.error.reason for m in found)
    assert "PASSPORT_T_MISSING is not set" in said and "PASSPORT_T_EMPTY is empty" in said
    assert "nope.key" in said
    assert "s3cret-value" not in said and "file-secret" not in said
    hint = secrets.what_to_do(found)
    assert hint.startswith("export PASSPORT_T_EMPTY, PASSPORT_T_MISSING where passport runs")
    assert "create the files named above" in hint


def test_secret_settings_are_the_ones_resolve_delivery_resolves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSPORT_T_SET", "value")
    delivery = {
        "service_url": "https://x.example.edu",
        "token_url": "https://x.example.edu/token",
        "client_id": "${env:PASSPORT_T_SET}",
        "api_key": "${env:PASSPORT_T_SET}",
        "page_size": 100,
    }
    chosen = secrets.secret_settings(delivery, {"client_id"}, {"service_url", "token_url"})
    assert chosen == {"client_id": "${env:PASSPORT_T_SET}", "api_key": "${env:PASSPORT_T_SET}"}
    resolved = secrets.resolve_delivery(delivery, {"client_id"}, ".", {"service_url", "token_url"})
    changed = {k for k in delivery if resolved[k] != delivery[k]}
    assert changed == set(chosen)
