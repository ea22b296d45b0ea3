"""Canonical bytes and digests of records: the one definition every layer shares.

A digest is the first 16 bytes of BLAKE2b over the record's canonical JSON (keys sorted,
no whitespace, UTF-8), as 32 hex characters. Equal digests mean equal compared fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson


def canonical_json(value: Mapping[str, Any]) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def digest(fields: Mapping[str, Any]) -> str:
    # canonical_json inlined: this runs once per record read, millions of times a plan.
    data = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
