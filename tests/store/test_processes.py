"""Several processes on one store: lock contention, dead holders, and kill safety."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from passport.errors import LockError
from passport.store import Store, open_store

WORKER = Path(__file__).with_name("store_worker.py")


@contextmanager
def worker(*args: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _release_later(process: subprocess.Popen[str], after_s: float) -> threading.Timer:
    """Tell a `hold` worker to release its lock after `after_s` seconds."""
    assert process.stdin is not None
    stdin = process.stdin

    def tell() -> None:
        stdin.write("release\n")
        stdin.flush()

    timer = threading.Timer(after_s, tell)
    timer.start()
    return timer


def _line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_a_waiter_gets_the_lock_once_the_holder_releases_it(store: Store, store_url: str) -> None:
    with worker("hold", store_url, "canvas") as holder:
        held_id = _line(holder)
        with pytest.raises(LockError) as caught:
            store.acquire_lock("canvas", "apply", timeout_s=0.2)
        assert held_id in caught.value.reason
        assert f"(pid {holder.pid})" in caught.value.reason
        assert f"--id {held_id}" in (caught.value.hint or "")

        started = time.monotonic()
        timer = _release_later(holder, 0.5)
        lock = store.acquire_lock("canvas", "apply", timeout_s=30)
        timer.join()

    assert time.monotonic() - started >= 0.5
    assert lock.id != held_id
    assert lock.stale_replaced is None
    assert store.locks() == [lock]


def test_a_waiter_that_runs_out_of_time_names_the_holder(store: Store, store_url: str) -> None:
    with worker("hold", store_url, "canvas") as holder:
        held_id = _line(holder)
        started = time.monotonic()
        with pytest.raises(LockError, match=held_id):
            store.acquire_lock("canvas", "apply", timeout_s=0.5)
        assert time.monotonic() - started >= 0.5


def test_a_killed_holder_is_detected_as_dead_and_replaced(store: Store, store_url: str) -> None:
    with worker("hold", store_url, "canvas") as holder:
        held_id = _line(holder)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)

        lock = store.acquire_lock("canvas", "apply")

    assert lock.stale_replaced is not None
    assert lock.stale_replaced.id == held_id
    assert lock.stale_replaced.pid == holder.pid
    assert store.locks() == [lock]


def test_only_one_of_many_processes_takes_the_lock(store_url: str) -> None:
    open_store(store_url).close()  # migrate first, so the race is about the lock only
    with ExitStack() as stack:
        processes = [stack.enter_context(worker("try", store_url, "canvas")) for _ in range(4)]
        # Every process reports before the one that got the lock is told to let go.
        outcomes = Counter("held" if _line(p) == "held" else "got" for p in processes)
        for process in processes:
            process.communicate("release\n", timeout=30)

    assert outcomes == Counter(got=1, held=3)


@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.13])
def test_a_killed_writer_leaves_whole_transactions_only(store_url: str, delay_s: float) -> None:
    tx_rows = 3000
    with worker("write", store_url, str(tx_rows)) as writer:
        committed = [_line(writer) for _ in range(3)]
        time.sleep(delay_s)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)

    store = open_store(store_url)
    try:
        per_tx = Counter(r.fields["tx"] for r in store.scan("users"))
        base_per_tx = Counter(e.key[1:6] for e in store.base_scan("canvas", "users"))
        watermark = store.watermark("canvas", "users")
        stale = [
            e.key for e in store.base_scan("canvas", "users") if e.current_store_digest != e.digest
        ]
    finally:
        store.close()

    last = len(per_tx) - 1
    assert last >= int(committed[-1])
    assert sorted(per_tx) == [str(i) for i in range(last + 1)]
    assert set(per_tx.values()) == {tx_rows}
    assert base_per_tx == Counter({f"{i:05d}": tx_rows for i in range(last + 1)})
    assert watermark == str(last)
    assert stale == []
