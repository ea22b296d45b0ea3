"""Records, base and watermarks: round trips, sorted scans, many-key lookups, rollback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from passport.canonical import digest
from passport.errors import StoreError
from passport.model import Fields
from passport.store import BaseEntry, Store, StoredRecord

USER: Fields = {"givenName": "Ada", "familyName": "Lovelace", "grades": ["09", "10"]}


def test_put_returns_the_canonical_digest_and_scan_gives_it_back(store: Store) -> None:
    with store.transaction() as tx:
        returned = tx.put("users", "u1", USER, modified="2026-01-02T03:04:05Z")

    assert returned == digest(USER)
    assert list(store.scan("users")) == [
        StoredRecord("u1", USER, digest(USER), "2026-01-02T03:04:05Z")
    ]
    assert store.count("users") == 1
    assert store.count("classes") == 0


def test_put_replaces_and_delete_removes(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
        tx.put("users", "u2", USER)
    with store.transaction() as tx:
        tx.put("users", "u1", {"givenName": "Grace"})
        tx.delete("users", "u2")
        tx.delete("users", "never-there")

    assert [(r.key, r.fields) for r in store.scan("users")] == [("u1", {"givenName": "Grace"})]


def test_writes_to_one_table_keep_their_order(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
        tx.delete("users", "u1")
        tx.put("users", "u2", USER)
        tx.delete("users", "u2")
        tx.put("users", "u2", {"givenName": "back"})

    assert [r.key for r in store.scan("users")] == ["u2"]


def test_reads_inside_a_transaction_see_its_writes(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
        assert store.count("users") == 1
        assert set(store.get("users", ["u1"])) == {"u1"}


def test_scan_is_sorted_by_code_point_including_non_ascii(store: Store) -> None:
    keys = ["b", "a", "Z", "é", "e", "ß", "ａ", "😀", "z", "10", "9", "", "a b", "A"]
    with store.transaction() as tx:
        for key in keys:
            tx.put("users", key, {"k": key})

    assert [r.key for r in store.scan("users")] == sorted(keys)
    assert [r.fields["k"] for r in store.scan("users")] == sorted(keys)


def test_scan_streams_more_rows_than_one_fetch(store: Store) -> None:
    keys = [f"k{i:06d}" for i in range(5000)]
    with store.transaction() as tx:
        for key in reversed(keys):
            tx.put("enrollments", key, {"role": "student"})

    assert [r.key for r in store.scan("enrollments")] == keys


def test_entities_are_kept_apart(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("users", "same", {"a": "1"})
        tx.put("classes", "same", {"b": "2"})

    assert [r.fields for r in store.scan("users")] == [{"a": "1"}]
    assert [r.fields for r in store.scan("classes")] == [{"b": "2"}]


def test_get_and_owners_take_more_keys_than_sqlite_variables(store: Store) -> None:
    keys = [f"user-{i:06d}" for i in range(45_000)]
    with store.transaction() as tx:
        for i, key in enumerate(keys):
            tx.put("users", key, {"n": str(i)})
            if i % 3 == 0:
                tx.set_base("canvas", "users", BaseEntry(key, "d"))
            if i % 5 == 0:
                tx.set_base("clever", "users", BaseEntry(key, "d"))

    wanted = [*keys, "missing-1", "missing-2"]
    found = store.get("users", wanted)
    owners = store.owners("users", wanted)

    assert len(found) == 45_000
    assert found["user-044999"].fields == {"n": "44999"}
    assert owners["user-000000"] == ["canvas", "clever"]
    assert owners["user-000003"] == ["canvas"]
    assert owners["user-000005"] == ["clever"]
    assert "user-000001" not in owners
    assert len(owners) == 15_000 + 9_000 - 3_000
    assert store.get("users", []) == {}
    assert store.owners("users", []) == {}


def test_base_round_trip_with_and_without_fields(store: Store) -> None:
    with store.transaction() as tx:
        now = tx.put("users", "u1", USER)
        tx.set_base("canvas", "users", BaseEntry("u1", "agreed", now, USER))
        tx.set_base("canvas", "users", BaseEntry("u0", "agreed0"))

    assert list(store.base_scan("canvas", "users")) == [
        BaseEntry("u0", "agreed0", None, None, None),
        BaseEntry("u1", "agreed", now, USER, now),
    ]
    assert store.base_count("canvas", "users") == 2
    assert store.base_count("canvas", "classes") == 0
    assert list(store.base_scan("clever", "users")) == []


def test_base_scan_shows_the_record_digest_now(store: Store) -> None:
    with store.transaction() as tx:
        then = tx.put("users", "u1", USER)
        tx.put("users", "u2", USER)
        for key in ("u1", "u2"):
            tx.set_base("canvas", "users", BaseEntry(key, "agreed", then))
    with store.transaction() as tx:
        changed = tx.put("users", "u1", {"givenName": "changed"})
        tx.delete("users", "u2")

    entries = {e.key: e for e in store.base_scan("canvas", "users")}
    assert entries["u1"].store_digest == then
    assert entries["u1"].current_store_digest == changed != then
    assert entries["u2"].current_store_digest is None


def test_drop_base(store: Store) -> None:
    with store.transaction() as tx:
        tx.set_base("canvas", "users", BaseEntry("u1", "d"))
        tx.set_base("canvas", "users", BaseEntry("u2", "d"))
    with store.transaction() as tx:
        tx.drop_base("canvas", "users", "u1")

    assert [e.key for e in store.base_scan("canvas", "users")] == ["u2"]
    assert store.owners("users", ["u1", "u2"]) == {"u2": ["canvas"]}


def test_watermarks(store: Store) -> None:
    assert store.watermark("canvas", "users") is None
    with store.transaction() as tx:
        tx.set_watermark("canvas", "users", "2026-01-01T00:00:00Z")
        tx.set_watermark("canvas", "users", "2026-02-01T00:00:00Z")
        tx.set_watermark("canvas", "classes", "c")

    assert store.watermark("canvas", "users") == "2026-02-01T00:00:00Z"
    assert store.watermark("canvas", "classes") == "c"
    assert store.watermark("clever", "users") is None


def test_an_exception_rolls_the_whole_transaction_back(
    store: Store, reopen: Callable[[], Store]
) -> None:
    with store.transaction() as tx:
        tx.put("users", "kept", USER)

    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        for i in range(50_000):  # more than one buffered batch reaches SQLite
            tx.put("users", f"u{i}", USER)
            tx.set_base("canvas", "users", BaseEntry(f"u{i}", "d"))
        tx.set_watermark("canvas", "users", "w")
        raise RuntimeError("boom")

    for each in (store, reopen()):
        assert [r.key for r in each.scan("users")] == ["kept"]
        assert each.base_count("canvas", "users") == 0
        assert each.watermark("canvas", "users") is None


def test_committed_writes_are_seen_by_another_connection(
    store: Store, reopen: Callable[[], Store]
) -> None:
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
    assert [r.key for r in reopen().scan("users")] == ["u1"]


def test_entities_digest_follows_the_records(store: Store, reopen: Callable[[], Store]) -> None:
    empty = store.entities_digest(["users", "classes"])
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
        tx.put("classes", "c1", {"title": "Math"})
    full = store.entities_digest(["users", "classes"])

    assert full != empty
    assert reopen().entities_digest(["users", "classes"]) == full
    assert store.entities_digest(["users"]) not in {full, empty}
    with store.transaction() as tx:
        tx.put("classes", "c1", {"title": "Art"})
    assert store.entities_digest(["users", "classes"]) != full


def test_the_last_write_of_a_key_wins_within_one_batch(store: Store) -> None:
    with store.transaction() as tx:
        for value in ("first", "second", "last"):
            tx.put("users", "u1", {"v": value})
            tx.set_base("canvas", "users", BaseEntry("u1", value))
        tx.put("users", "a-later-key-sorted-first", {"v": "x"})

    assert store.get("users", ["u1"])["u1"].fields == {"v": "last"}
    assert [e.digest for e in store.base_scan("canvas", "users")] == ["last"]


def test_a_transaction_cannot_be_written_after_it_ends(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("users", "u1", USER)
    with pytest.raises(StoreError, match="has ended"):
        tx.put("users", "u2", USER)
        tx.delete("users", "u2")
    assert store.count("users") == 1


def test_digests_are_the_records_digests_without_their_values(store: Store) -> None:
    keys = [f"user-{i:06d}" for i in range(12_000)]  # more than one chunk of keys
    with store.transaction() as tx:
        for i, key in enumerate(keys):
            tx.put("users", key, {"n": str(i)})
        tx.put("classes", "user-000001", {"title": "not a user"})

    found = store.digests("users", [*keys, "missing", keys[0]])

    assert len(found) == 12_000
    assert found["user-000001"] == digest({"n": "1"})
    assert found == {key: rec.digest for key, rec in store.get("users", keys).items()}
    assert store.digests("users", []) == {}


def test_a_write_over_keys_already_stored_lands_whole(
    store: Store, reopen: Callable[[], Store]
) -> None:
    """A fresh session writes new keys the fast way (PostgreSQL: COPY straight in); a
    later batch of the same transaction that meets stored keys still lands whole, and
    the batch before it stays."""
    keys = [f"u{i:05d}" for i in range(30_000)]  # two buffered batches
    stored = keys[25_000::7]  # only the second batch meets them
    with store.transaction() as tx:
        for key in stored:
            tx.put("users", key, {"v": "old"}, modified="m0")
            tx.set_base("canvas", "users", BaseEntry(key, "old", "old", {"v": "old"}))

    other = reopen()
    with other.transaction() as tx:
        for key in keys:
            digest_now = tx.put("users", key, {"v": key})
            tx.set_base("canvas", "users", BaseEntry(key, key, digest_now))
    with other.transaction() as tx:  # and again: every key is there now
        for key in keys[::2]:
            tx.put("users", key, {"v": "again"})

    for each in (other, reopen()):
        records = {r.key: (r.fields, r.modified) for r in each.scan("users")}
        assert records == {
            key: ({"v": "again"} if i % 2 == 0 else {"v": key}, None) for i, key in enumerate(keys)
        }
        base = list(each.base_scan("canvas", "users"))
        assert [(e.key, e.digest, e.store_digest, e.fields) for e in base] == [
            (key, key, digest({"v": key}), None) for key in keys
        ]
