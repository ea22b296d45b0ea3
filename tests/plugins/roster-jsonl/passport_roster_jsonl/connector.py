"""The `roster-jsonl` connector: reads and rewrites the folder's signed JSON Lines files."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from passport.connectors.base import ConnectContext, WriteOp, WriteResult
from passport.errors import ConnectorError, Problem
from passport.model import Action, Record, Value


class JsonlFolder:
    def __init__(self, path: Path, token: str, label: str, mode: str) -> None:
        self.path, self.label, self.mode = path, label, mode
        self._key = token.encode("utf-8")

    def snapshot(
        self,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> FolderSnapshot:
        if not self.path.is_dir() and self.mode != "export":
            raise ConnectorError(f"the roster-jsonl folder {self.label!r} does not exist")
        return FolderSnapshot(self)

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        for entity in dict.fromkeys(op.entity for op in ops):
            records = self.load(entity)
            for op in ops:
                if op.entity != entity:
                    continue
                if op.action is Action.DELETE:
                    records.pop(op.key, None)
                else:
                    records[op.key] = dict(op.fields or {})
            self._save(entity, records)
        return [WriteResult(op, True) for op in ops]

    def close(self) -> None:
        return None

    def file(self, entity: str) -> Path:
        return self.path / f"{entity}.jsonl"

    def load(self, entity: str) -> dict[str, dict[str, Value]]:
        file = self.file(entity)
        if not file.exists():
            return {}
        data = file.read_bytes()
        signature = file.with_suffix(".jsonl.sig")
        if not signature.exists() or signature.read_text().strip() != self._sign(data):
            raise ConnectorError(
                f"{file.name} in {self.label!r} is not signed with this token",
                "check the token, or whether someone else edited the folder",
            )
        records = {}
        for line in data.decode("utf-8").splitlines():
            fields: dict[str, Any] = json.loads(line)
            records[str(fields.pop("sourcedId"))] = fields
        return records

    def _save(self, entity: str, records: Mapping[str, Mapping[str, Value]]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps({"sourcedId": k, **v}, sort_keys=True) for k, v in records.items()]
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        file = self.file(entity)
        file.with_suffix(".jsonl.sig").write_text(self._sign(data) + "\n")
        file.write_bytes(data)

    def _sign(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()


class FolderSnapshot:
    """The folder as it is: a file present is a full listing; a file missing reads empty."""

    def __init__(self, folder: JsonlFolder) -> None:
        self.folder = folder

    def is_complete(self, entity: str) -> bool:
        return self.folder.file(entity).exists()

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        for key, fields in self.folder.load(entity).items():
            if keys is None or key in keys:
                yield Record(key, fields)

    def watermark(self, entity: str) -> str | None:
        return None

    @property
    def warnings(self) -> list[Problem]:
        return []


def connect(delivery: Mapping[str, Any], ctx: ConnectContext) -> JsonlFolder:
    """The factory passport calls on connect, with `token` resolved from its reference."""
    path = Path(str(delivery["path"])).expanduser()
    if not path.is_absolute():
        path = Path(ctx.base_dir) / path
    return JsonlFolder(path, str(delivery["token"]), str(delivery["label"]), ctx.mode)
