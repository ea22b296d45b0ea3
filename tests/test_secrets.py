"""Secret references: resolved only on demand; errors name the reference, never a value."""

from __future__ import annotations

import os
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


# --- ${file:} is confined, bounded and reads regular files only --------------------------


@pytest.fixture
def configs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An activation's folder, with PASSPORT_SECRETS_DIR unset and passport's own folder
    (where `passport login` keeps tokens) at tmp_path/xdg/passport."""
    monkeypatch.delenv("PASSPORT_SECRETS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "configs"
    folder.mkdir()
    return folder


def refused(ref: str, base: Path) -> SecretError:
    with pytest.raises(SecretError) as raised:
        secrets.resolve(ref, base)
    return raised.value


@pytest.mark.parametrize(
    "target", ["/proc/self/environ", "/proc/1/cmdline", "/dev/zero", "/sys/kernel/hostname"]
)
def test_proc_dev_and_sys_are_never_read_whatever_the_setting(
    configs: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.setenv("PASSPORT_SECRETS_DIR", "/")
    monkeypatch.setenv("PASSPORT_CANARY", "must-not-be-read")
    error = refused(f"${{file:{target}}}", configs)
    top = "/" + target.split("/")[1]
    assert error.reason.startswith(f"${{file:{target}}}: {target}")
    assert error.reason.endswith(f"is under {top}: secrets are never read from /proc, /dev or /sys")
    assert error.hint == (
        "keep the secret in a file under the activation's folder or ~/.config/passport, "
        "or name its folder in PASSPORT_SECRETS_DIR (folders separated by ':')"
    )


def test_a_file_outside_the_activations_folder_is_refused(configs: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_text("s3cr3t-elsewhere\n")
    error = refused("${file:../elsewhere}", configs)
    assert error.reason == (
        f"${{file:../elsewhere}}: {configs}/../elsewhere (which resolves to "
        f"{tmp_path}/elsewhere) is outside the folders secrets may be read from "
        f"({configs}, {tmp_path}/xdg/passport)"
    )
    assert "s3cr3t" not in error.reason
    # whether a file exists out there is never said
    assert "is outside the folders" in refused("${file:../no-such-file}", configs).reason
    assert refused("${file:/etc/hostname}", configs).reason.endswith(
        f"is outside the folders secrets may be read from ({configs}, {tmp_path}/xdg/passport)"
    )


def test_a_symlink_is_judged_by_where_it_leads(configs: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("s3cr3t-outside\n")
    (configs / "link").symlink_to(tmp_path / "outside")
    (configs / "environ").symlink_to("/proc/self/environ")
    assert "is outside the folders" in refused("${file:link}", configs).reason
    error = refused("${file:environ}", configs)
    assert "(which resolves to /proc/" in error.reason and "is under /proc" in error.reason
    inside = configs / "secrets"
    inside.mkdir()
    (inside / "key").write_text("s3cr3t-inside\n")
    (configs / "inner-link").symlink_to(inside / "key")
    assert secrets.resolve("${file:inner-link}", configs) == "s3cr3t-inside"


def test_the_setting_names_more_folders(
    configs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("vault-a", "vault-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "key").write_text(f"s3cr3t-{name}\n")
    monkeypatch.setenv("PASSPORT_SECRETS_DIR", f"{tmp_path / 'vault-a'}:{tmp_path / 'vault-b'}")
    assert secrets.resolve(f"${{file:{tmp_path}/vault-b/key}}", configs) == "s3cr3t-vault-b"
    assert secrets.resolve("${file:../vault-a/key}", configs) == "s3cr3t-vault-a"
    (tmp_path / "other").write_text("s3cr3t-other\n")
    error = refused(f"${{file:{tmp_path}/other}}", configs)
    assert error.reason.endswith(
        f"outside the folders secrets may be read from "
        f"({configs}, {tmp_path}/xdg/passport, {tmp_path / 'vault-a'}, {tmp_path / 'vault-b'})"
    )


def test_a_fifo_is_refused_without_blocking(configs: Path) -> None:
    os.mkfifo(configs / "pipe")
    error = refused("${file:pipe}", configs)
    assert error.reason == f"${{file:pipe}}: {configs}/pipe is a FIFO, not a regular file"
    assert error.hint == "point the reference at a file that holds only the secret"


def test_a_folder_is_refused(configs: Path) -> None:
    (configs / "folder").mkdir()
    assert refused("${file:folder}", configs).reason.endswith("is a folder, not a regular file")


def test_a_file_is_bounded_in_size(configs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (configs / "big").write_bytes(b"x" * (64 * 1024 + 1))
    error = refused("${file:big}", configs)
    assert error.reason == (
        f"${{file:big}}: {configs}/big is larger than the 64 KiB a secret file may be "
        "(PASSPORT_MAX_SECRET_BYTES)"
    )
    assert error.hint == (
        "point the reference at a file that holds only the secret, "
        "or raise PASSPORT_MAX_SECRET_BYTES"
    )
    (configs / "fits").write_bytes(b"x" * (64 * 1024))
    assert len(secrets.resolve("${file:fits}", configs)) == 64 * 1024
    monkeypatch.setenv("PASSPORT_MAX_SECRET_BYTES", "128KiB")
    assert len(secrets.resolve("${file:big}", configs)) == 64 * 1024 + 1
