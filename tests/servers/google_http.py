"""The Google test server's HTTP side: OAuth endpoints, API calls, the batch endpoint."""

from __future__ import annotations

import contextlib
import socket
import time
import traceback
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import google_discovery
from google_api import Answer, fault_answer, json_answer
from google_auth import OAuthError
from google_data import GError

if TYPE_CHECKING:
    from google_directory import GoogleServer

BATCH_PATHS = ("/batch/admin/directory_v1", "/batch")
MAX_BATCH = 1000
REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GoogleTest/1.0"
    app: GoogleServer  # set on the subclass the server makes

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        app = self.app
        try:
            if app.latency_s:
                time.sleep(app.latency_s)
            answer = self._route(urlsplit(self.path).path, body)
            if answer is None:
                self._drop()
                return
            app.record(self.command, self.path, answer.status)
            self._send(answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a bug in the server: say so, loudly, as a 500
            traceback.print_exc()
            self._send(json_answer(500, GError(500, "internalError", "Internal Error").body()))

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status, REASONS.get(answer.status))
        if answer.status != 204:
            self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def _drop(self) -> None:
        self.app.record(self.command, self.path, 0)
        self.close_connection = True
        self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _route(self, path: str, body: bytes) -> Answer | None:
        app = self.app
        try:
            if path == "/token" and self.command == "POST":
                return self._token(body)
            if path == "/o/oauth2/v2/auth" and self.command == "GET":
                return self._authorize()
            if path == "/revoke" and self.command == "POST":
                return self._revoke(body)
        except OAuthError as error:
            if app.auth.echo:
                error.description += f" (request: {body.decode('utf-8', 'replace')})"
            return json_answer(error.status, error.body())
        if path in BATCH_PATHS and self.command == "POST":
            fault = app.faults.pick("POST", self.path, where="batch")
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay_s)
                fault = None
            if fault is not None:
                return (
                    None
                    if fault.kind == "drop"
                    else fault_answer(fault, "POST", self.path, {}, b"")
                )
            return self._batch(body)
        return app.calls.call(self.command, self.path, dict(self.headers.items()), body)

    # --- OAuth -------------------------------------------------------------------------

    def _token(self, body: bytes) -> Answer:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        issued = self.app.auth.token(form, self.headers.get("Authorization", ""), self.app.admins)
        return json_answer(200, issued)

    def _authorize(self) -> Answer:
        query = dict(parse_qsl(urlsplit(self.path).query))
        location = self.app.auth.authorize(query, google_discovery.all_scopes())
        return Answer(302, b"", {"Location": location}, "text/html")

    def _revoke(self, body: bytes) -> Answer:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        form.update(dict(parse_qsl(urlsplit(self.path).query)))
        self.app.auth.revoke(form.get("token", ""))
        return json_answer(200, {})

    # --- batch -------------------------------------------------------------------------

    def _batch(self, body: bytes) -> Answer | None:
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/mixed") or "boundary=" not in content_type:
            return json_answer(400, GError(400, "badRequest", "Bad Request").body())
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        parts = list(message.iter_parts())
        if len(parts) > MAX_BATCH:
            error = GError(
                400, "badRequest", f"A batch request cannot contain more than {MAX_BATCH} requests"
            )
            return json_answer(400, error.body())
        outer_auth = self.headers.get("Authorization", "")
        counted_as_one = not self.app.batch_counts_calls
        if counted_as_one and not self.app.quota.allow():
            return json_answer(
                403, GError(403, "userRateLimitExceeded", "Quota exceeded", "usageLimits").body()
            )
        boundary = "batch_answer_" + str(id(message))
        out: list[bytes] = []
        for part in parts:
            content_id = str(part.get("Content-ID", "")).strip()
            raw = part.get_payload(decode=True)
            answer = self._part(
                raw if isinstance(raw, bytes) else b"", outer_auth, counted=not counted_as_one
            )
            if answer is None:
                return None  # a dropped call drops the whole batch's connection
            inner = f"HTTP/1.1 {answer.status} {REASONS.get(answer.status, '')}\r\n"
            if answer.status != 204:
                inner += f"Content-Type: {answer.content_type}\r\n"
            for name, value in answer.headers.items():
                inner += f"{name}: {value}\r\n"
            inner += f"Content-Length: {len(answer.body)}\r\n\r\n"
            reply_id = f"<response-{content_id.strip('<>')}>" if content_id else ""
            head = f"--{boundary}\r\nContent-Type: application/http\r\n"
            if reply_id:
                head += f"Content-ID: {reply_id}\r\n"
            out.append(f"{head}\r\n{inner}".encode() + answer.body + b"\r\n")
            self.app.record_part(answer.status)
        out.append(f"--{boundary}--\r\n".encode())
        return Answer(200, b"".join(out), {}, f"multipart/mixed; boundary={boundary}")

    def _part(self, raw: bytes, outer_auth: str, *, counted: bool) -> Answer | None:
        head, sep, content = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = raw.partition(b"\n\n")
        lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
        request_line = lines[0].split(" ")
        if len(request_line) < 2:
            return json_answer(400, GError(400, "badRequest", "Bad Request").body())
        headers = {"Authorization": outer_auth}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "authorization":
                headers["Authorization"] = value.strip()
            elif name.strip():
                headers[name.strip()] = value.strip()
        method, target = request_line[0], request_line[1]
        return self.app.calls.call(method, target, headers, content, counted=counted)
