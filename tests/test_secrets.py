"""Secret references: resolved only on demand; errors name the reference, never a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from passport import secrets
from passport.errors import SecretError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${env:CANVAS_SECRET}", True),
        ("${file:secrets/key.txt}", True),
        ("${file:/etc/passport/key}", True),
        ("${env:1BAD}", False),
        ("${env:}", False),
        ("${vault:x}", False),
        ("$CANVAS_SECRET", False),
        ("prefix ${env:X}", False),
        (42, False),
        (None, False),
    ],
)
def test_is_reference(value: object, expected: bool) -> None:
    assert secrets.is_reference(value) is expected


def test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_TEST_SECRET", "hunter2")
    assert secrets.resolve("${env:PASSPORT_TEST_SECRET}", ".") == "hunter2"


def test_env_missing_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSPORT_TEST_SECRET", raising=False)
    with pytest.raises(SecretError) as raised:
        secrets.resolve("${env:PASSPORT_TEST_SECRET}", ".")
    assert str(raised.value) == (
        "${env:PASSPORT_TEST_SECRET}: the environment variable PASSPORT_TEST_SECRET is not set"
    )


def test_file_relative_to_base_dir_strips_one_newline(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("s3cr3t\n\n")
    assert secrets.resolve("${file:key}", tmp_path) == "s3cr3t\n"
    (tmp_path / "crlf").write_text("s3cr3t\r\n", newline="")
    assert secrets.resolve("${file:crlf}", tmp_path) == "s3cr3t"


def test_file_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match=r"^\$\{file:nope\}: no such file "):
        secrets.resolve("${file:nope}", tmp_path)
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(SecretError, match="is empty"):
        secrets.resolve("${file:empty}", tmp_path)


def test_a_plain_value_is_refused_without_echoing_it() -> None:
    with pytest.raises(SecretError) as raised:
        secrets.resolve("hunter2", ".")
    assert "hunter2" not in str(raised.value)
    assert "hunter2" not in (raised.value.hint or "")


def test_resolve_delivery(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ID", "the-id")
    (tmp_path / "token").write_text("the-token\n")
    delivery = {
        "client_id": "${env:ID}",
        "api_token": "${file:token}",
        "token_url": "https://x.example/${file:token}",
        "page_size": 10,
    }
    resolved = secrets.resolve_delivery(delivery, {"client_id"}, tmp_path, {"token_url"})
    assert resolved == {
        "client_id": "the-id",
        "api_token": "the-token",
        "token_url": "https://x.example/${file:token}",
        "page_size": 10,
    }
    assert delivery["client_id"] == "${env:ID}"


def test_looks_secret() -> None:
    assert all(
        secrets.looks_secret(n) for n in ("client_secret", "apiKey", "password", "accessToken")
    )
    assert not any(secrets.looks_secret(n) for n in ("client_id", "path", "service_url"))
