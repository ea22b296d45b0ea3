"""Real-world exports that read fine, each with a warning."""

from __future__ import annotations

from pathlib import Path

from passport.connectors.oneroster_csv.snapshot import CsvSnapshot
from passport.model import Record

ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
EXPECTED = [
    Record("d1", {"name": "Riverbend District", "type": "district"}),
    Record("s1", {"name": "Lincoln High", "type": "school", "parentSourcedId": "d1"}),
]


def bundle(tmp_path: Path, data: bytes) -> tuple[list[Record], list[str]]:
    (tmp_path / "orgs.csv").write_bytes(data)
    snap = CsvSnapshot(tmp_path, ["orgs"])
    records = list(snap.read("orgs"))
    warnings = [str(w) for w in snap.warnings if not w.file.startswith("manifest")]
    return records, warnings


ROWS = "d1,,,Riverbend District,district,,\ns1,,,Lincoln High,school,,d1\n"


def test_byte_order_mark(tmp_path: Path) -> None:
    records, warnings = bundle(tmp_path, b"\xef\xbb\xbf" + (ORGS + ROWS).encode())
    assert records == EXPECTED
    assert warnings == ["orgs.csv: warning: the file starts with a UTF-8 byte order mark (skipped)"]


def test_crlf_line_endings(tmp_path: Path) -> None:
    records, warnings = bundle(tmp_path, (ORGS + ROWS).replace("\n", "\r\n").encode())
    assert records == EXPECTED
    assert warnings == ["orgs.csv: warning: the file has Windows (CRLF) line endings (read fine)"]


def test_trailing_empty_column(tmp_path: Path) -> None:
    data = ORGS.replace("\n", ",\n") + ROWS.replace("\n", ",\n")
    records, warnings = bundle(tmp_path, data.encode())
    assert records == EXPECTED
    assert warnings == [
        "orgs.csv:1: warning: trailing empty columns in the header are ignored",
        "orgs.csv:2: warning: trailing empty cells are ignored",
    ]


def test_header_case_and_whitespace(tmp_path: Path) -> None:
    header = "SourcedID, status ,dateLastModified,Name,type,identifier,parentSourcedId\n"
    records, warnings = bundle(tmp_path, (header + ROWS).encode())
    assert records == EXPECTED
    assert warnings == [
        "orgs.csv:1:1: warning: sourcedId: column 'SourcedID' read as 'sourcedId'",
        "orgs.csv:1:2: warning: status: column ' status ' read as 'status'",
        "orgs.csv:1:4: warning: name: column 'Name' read as 'name'",
    ]


def test_unknown_columns_warn_extension_columns_kept(tmp_path: Path) -> None:
    header = ORGS.replace("\n", ",nickname,metadata.region\n")
    rows = "d1,,,Riverbend District,district,,,RB,north\n"
    records, warnings = bundle(tmp_path, (header + rows).encode())
    assert records == [
        Record("d1", {"name": "Riverbend District", "type": "district", "metadata.region": "north"})
    ]
    assert warnings == ["orgs.csv:1:8: warning: nickname: unknown column 'nickname' is ignored"]


def test_passwords_are_never_read(tmp_path: Path) -> None:
    users = (
        "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName,password\n"
        "u1,true,s1,student,jdoe,Jamie,Doe,hunter2\n"
        "u2,true,s1,student,kdoe,Kim,Doe,letmein\n"
    )
    (tmp_path / "users.csv").write_text(users)
    snap = CsvSnapshot(tmp_path, ["users"])
    records = list(snap.read("users"))
    assert all("password" not in r.fields for r in records)
    assert (
        "users.csv:2: warning: the password column has values; passport never reads passwords"
        in [str(w) for w in snap.warnings]
    )
    assert sum("password" in str(w) for w in snap.warnings) == 1


def test_uppercase_booleans_are_read_lowercase(tmp_path: Path) -> None:
    (tmp_path / "enrollments.csv").write_text(
        "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary\n"
        "e1,k1,s1,u1,teacher,TRUE\n"
    )
    snap = CsvSnapshot(tmp_path, ["enrollments"])
    assert [r.fields["primary"] for r in snap.read("enrollments")] == ["true"]
