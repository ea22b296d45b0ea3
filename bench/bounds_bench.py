"""Hostile inputs, each run through the real CLI in a child process: time, peak memory, output.

    .venv/bin/python bench/bounds_bench.py                 # every case
    .venv/bin/python bench/bounds_bench.py zip-bomb rest-page --timeout 60

Cases (issue 11, "every input is bounded"):

- zip-bomb: a OneRoster bundle zip whose users.csv is 3 GB of newlines (about 3 MB zipped),
  read by `passport plan`;
- rest-page: a OneRoster REST service answering the first listing with one 300 MB page,
  read by `passport plan` (the service is a plain socket server in this process);
- rest-page-chunked: the same page sent chunked, its size unknown until its end;
- yaml-value: an activation whose `mode` is a 50 MB value, checked by `passport validate`;
- secret-zero: an activation whose client_secret is `${file:/dev/zero}`, planned;
- secret-environ: `${file:/proc/self/environ}` sent to a service that records what it gets.

Each child runs under an address-space limit (`--memory-mb`, default 4096) so an unbounded
read ends as a MemoryError instead of taking the machine, and under `--timeout` seconds.
Prints, per case: exit code, wall time, peak RSS, and the first line of stderr (cut).
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "passport"]

SIS = """\
version: 1
name: sis
application: oneroster-csv
mode: import
delivery:
  path: {bundle}
schools:
  auto: same-id
attributes:
  users: all
"""

REST = """\
version: 1
name: rest
application: oneroster-rest
mode: import
delivery:
  service_url: {url}/ims/oneroster
  auth_url: {url}/oauth/token
  client_id: ${{env:BENCH_CLIENT_ID}}
  client_secret: {secret}
schools:
  auto: same-id
attributes:
  users: all
"""

USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
)


def zip_bomb(folder: Path, gigabytes: float = 3.0) -> Path:
    path = folder / "bomb.zip"
    chunk = b"\n" * (64 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle,
        bundle.open("users.csv", "w", force_zip64=True) as member,
    ):
        member.write(USERS_HEADER.encode())
        for _ in range(int(gigabytes * 1024 / 64)):
            member.write(chunk)
    return path


class BigPageServer:
    """Answers a token request, then every GET with one huge JSON page of users."""

    def __init__(self, megabytes: int, chunked: bool = False) -> None:
        self.megabytes, self.chunked = megabytes, chunked
        self.received: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            while True:
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                head, _, rest = request.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                while len(rest) < length:
                    rest += conn.recv(65536)
                self.received.append(head + b"\r\n\r\n" + rest)
                if head.startswith(b"POST"):
                    body = b'{"access_token": "bench-token", "expires_in": 3600}'
                    conn.sendall(_head(len(body)) + body)
                else:
                    self._page(conn)
        except OSError:
            return
        finally:
            conn.close()

    def _page(self, conn: socket.socket) -> None:
        record = (
            b'{"sourcedId": "u%08d", "status": "active", "role": "student", '
            b'"givenName": "Given", "familyName": "Family", "email": "x@example.edu"},'
        )
        count = self.megabytes * (1 << 20) // len(record % 0)
        opening, closing = b'{"users": [', b'{"sourcedId": "last"}]}'
        size = len(opening) + count * len(record % 0) + len(closing)
        send = _chunk if self.chunked else bytes
        conn.sendall(_head(None if self.chunked else size, total=count + 1) + send(opening))
        batch = 2000
        for start in range(0, count, batch):
            block = b"".join(record % n for n in range(start, min(count, start + batch)))
            conn.sendall(send(block))
        conn.sendall(send(closing) + (b"0\r\n\r\n" if self.chunked else b""))


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _head(length: int | None, total: int | None = None) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    if total is not None:
        lines.append(f"X-Total-Count: {total}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def run(args: list[str], cwd: Path, timeout: float, memory_mb: int) -> dict[str, object]:
    def limit() -> None:
        size = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_CLIENT_ID": "bench-client"}
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*CLI, *args], cwd=cwd, stdout=out, stderr=err, preexec_fn=limit, env=env
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            child.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        code: object = f"killed at {timeout:g} s" if killed.is_set() else child.returncode
        return {
            "code": code,
            "wall": wall,
            "rss": usage.ru_maxrss / 1024,
            "out": out.read(),
            "err": err.read(),
        }


def case_zip_bomb(folder: Path, ns: argparse.Namespace) -> dict[str, object]:
    bomb = zip_bomb(folder)
    configs = folder / "configs"
    configs.mkdir()
    (configs / "sis.yaml").write_text(SIS.format(bundle=bomb))
    result = run(["plan", "sis", "--store", str(folder / "store.db")], folder, ns.timeout, ns.mem)
    result["note"] = f"zip of {bomb.stat().st_size / 1e6:.1f} MB"
    return result


def case_rest_page(
    folder: Path, ns: argparse.Namespace, chunked: bool = False
) -> dict[str, object]:
    server = BigPageServer(300, chunked)
    configs = folder / "configs"
    configs.mkdir()
    (configs / "rest.secret").write_text("bench-secret\n")
    text = REST.format(url=server.url, secret="${file:rest.secret}")
    (configs / "rest.yaml").write_text(text)
    return run(["plan", "rest", "--store", str(folder / "store.db")], folder, ns.timeout, ns.mem)


def case_rest_chunked(folder: Path, ns: argparse.Namespace) -> dict[str, object]:
    return case_rest_page(folder, ns, chunked=True)


def case_yaml_value(folder: Path, ns: argparse.Namespace) -> dict[str, object]:
    configs = folder / "configs"
    configs.mkdir()
    text = SIS.format(bundle=folder / "sis").replace("mode: import", "mode: " + "x" * 50_000_000)
    (configs / "sis.yaml").write_text(text)
    result = run(["validate", "configs/sis.yaml"], folder, ns.timeout, ns.mem)
    result["note"] = f"stdout+stderr {len(result['out']) + len(result['err']):,} bytes"  # type: ignore[arg-type]
    return result


def case_secret_zero(folder: Path, ns: argparse.Namespace) -> dict[str, object]:
    server = BigPageServer(1)
    configs = folder / "configs"
    configs.mkdir()
    (configs / "rest.yaml").write_text(REST.format(url=server.url, secret="${file:/dev/zero}"))
    return run(["plan", "rest", "--store", str(folder / "store.db")], folder, ns.timeout, ns.mem)


def case_secret_environ(folder: Path, ns: argparse.Namespace) -> dict[str, object]:
    server = BigPageServer(1)
    configs = folder / "configs"
    configs.mkdir()
    text = REST.format(url=server.url, secret="${file:/proc/self/environ}")
    (configs / "rest.yaml").write_text(text)
    os.environ["BENCH_CI_TOKEN"] = "ci-token-that-must-stay-here"
    result = run(["plan", "rest", "--store", str(folder / "store.db")], folder, ns.timeout, ns.mem)
    sent = b"".join(server.received)
    leaked = any(
        b"BENCH_CI_TOKEN" in base64.b64decode(line.split(b"Basic ")[1].strip() + b"==")
        for line in sent.split(b"\r\n")
        if line.lower().startswith(b"authorization: basic ")
    )
    result["note"] = "the environment reached the service" if leaked else "nothing sent"
    return result


CASES: dict[str, Callable[[Path, argparse.Namespace], dict[str, object]]] = {
    "zip-bomb": case_zip_bomb,
    "rest-page": case_rest_page,
    "rest-page-chunked": case_rest_chunked,
    "yaml-value": case_yaml_value,
    "secret-zero": case_secret_zero,
    "secret-environ": case_secret_environ,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"any of {', '.join(CASES)}")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-mb", dest="mem", type=int, default=4096)
    ns = parser.parse_args()
    unknown = [c for c in ns.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; choose from {', '.join(CASES)}")
    for name in ns.cases or CASES:
        with tempfile.TemporaryDirectory(prefix=f"bounds-{name}-") as folder:
            result = CASES[name](Path(folder), ns)
        err = bytes(result["err"]).decode("utf-8", "replace").strip().splitlines()  # type: ignore[call-overload]
        said = [line for line in err if line.startswith(("Error", "MemoryError"))] or err[-1:]
        first = said[0] if said else ""
        first = first if len(first) <= 160 else first[:160] + "…"
        print(
            f"{name:15} exit {result['code']!s:18} {result['wall']:7.1f} s  "
            f"peak RSS {result['rss']:7.0f} MiB  {result.get('note', '')}"
        )
        print(f"{'':15} stderr: {first}")


if __name__ == "__main__":
    main()
