"""The OneRoster test server's request handling: routes, auth, paging headers, faults."""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, parse_qsl, quote, urlencode, urlsplit

import orjson
import roster_echo
from roster_data import COLLECTIONS, SINGULAR, BadFilter, accept, page_bytes, render
from roster_faults import Fault

if TYPE_CHECKING:
    from oneroster import OneRosterServer

VERSIONS = {"/ims/oneroster/v1p1/": "1.1", "/ims/oneroster/rostering/v1p2/": "1.2"}
MINORS = {
    400: "invalid_data",
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    429: "server_busy",
    500: "internal_server_error",
    502: "server_busy",
    503: "server_busy",
}
SCOPE_WORDS = {"GET": "readonly", "PUT": "createput", "DELETE": "delete"}


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def imsx(version: str, status: int, description: str, minor: str | None = None) -> Answer:
    """An imsx status envelope: nested CodeMinor for 1.2, the flat form many 1.1 servers use."""
    code = minor or MINORS.get(status, "unknown")
    envelope: dict[str, Any] = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
    }
    if version == "1.1":
        envelope["imsx_codeMinor"] = code
    else:
        field_value = {
            "imsx_codeMinorFieldName": "TargetEndSystem",
            "imsx_codeMinorFieldValue": code,
        }
        envelope["imsx_CodeMinor"] = {"imsx_codeMinorField": [field_value]}
    return Answer(status, orjson.dumps(envelope))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "OneRosterTest/1.0"
    app: OneRosterServer  # set on the subclass the server makes

    def setup(self) -> None:
        super().setup()
        # One response goes out in two writes (headers, body): without this, Nagle's
        # algorithm and delayed ACKs add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the server keeps its own request log

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        app = self.app
        app.entered()
        try:
            if app.latency_s:
                time.sleep(app.latency_s)
            app.authorizations.append(self.headers.get("Authorization", ""))
            fault = app.faults.pick(self.command, self.path)
            answer = self._before(fault, body) or self._route(path, body, fault)
            if answer is not None:  # None: dropped
                self._send(answer, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            app.left()

    def _before(self, fault: Fault | None, body: bytes) -> Answer | None:
        if fault is None:
            return None
        if fault.kind.startswith("echo"):
            return self._echo(fault, body)
        if fault.kind.startswith("huge"):
            self._huge(fault)
            return None
        if fault.kind == "status":
            answer = imsx(self._version(), fault.status, "injected failure")
            if fault.retry_after is not None:
                answer.headers["Retry-After"] = fault.retry_after
            return answer
        if fault.kind == "slow":
            time.sleep(fault.delay_s)
        elif fault.kind == "malformed":
            return Answer(200, b'{"users": [{"sourcedId": "u1", "status": ')
        elif fault.kind == "expire_token":
            self.app.clients.expire_all()
        return None

    def _echo(self, fault: Fault, body: bytes) -> Answer:
        """An error answer repeating what the request carried (see roster_echo.py)."""
        authorization = self.headers.get("Authorization", "")
        text = roster_echo.said(authorization, f"{self.command} {self.path}", body)
        token = urlsplit(self.path).path == "/oauth/token"
        headers = dict(roster_echo.headers_for(fault.kind))
        if fault.kind == "echo_html":
            return Answer(fault.status, roster_echo.html_body(text), headers)
        if fault.kind == "echo_redirect":
            host = self.headers.get("Host", "")
            headers["Location"] = roster_echo.redirect_location(host, authorization, text)
        return Answer(fault.status, roster_echo.json_body(text, token), headers)

    def _huge(self, fault: Fault) -> None:
        """`fault.size` bytes of a JSON listing, written as the client reads them."""
        self.app.record(self.command, self.path, fault.status)
        record = b'{"sourcedId": "u", "status": "active", "givenName": "' + b"x" * 200 + b'"},'
        head, tail = b'{"users": [', b'{"sourcedId": "last"}]}'
        count = max(0, (fault.size - len(head) - len(tail)) // len(record))
        chunked = fault.kind == "huge_chunked"
        self.send_response(fault.status)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(head) + count * len(record) + len(tail)))
        self.end_headers()
        block = record * 1000
        pieces = [head, *[block] * (count // 1000), record * (count % 1000), tail]
        try:
            for piece in pieces:
                data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked and piece else piece
                self.wfile.write(data)
                fault.sent += len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def _send(self, answer: Answer, fault: Fault | None) -> None:
        kind = fault.kind if fault else ""
        self.app.record(self.command, self.path, answer.status)
        if kind in ("drop", "drop_after"):
            self._drop()
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            if name != "Content-Type":
                self.send_header(name, value)
        self.end_headers()
        if kind == "truncated" and answer.status == 200:
            self.wfile.write(answer.body[: len(answer.body) // 2])
            self._drop()
            return
        self.wfile.write(answer.body)

    def _drop(self) -> None:
        self.close_connection = True
        self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _version(self) -> str:
        path = urlsplit(self.path).path
        return next((v for p, v in VERSIONS.items() if path.startswith(p)), "1.2")

    # --- routes ------------------------------------------------------------------------

    def _route(self, path: str, body: bytes, fault: Fault | None) -> Answer | None:
        if fault is not None and fault.kind == "drop":
            self.app.record(self.command, self.path, 0)
            self._drop()
            return None
        if path == "/oauth/token" and self.command == "POST":
            return self._token(body)
        prefix = next((p for p in VERSIONS if path.startswith(p)), None)
        if prefix is None:
            return imsx("1.2", 404, f"no such endpoint: {path}")
        version = VERSIONS[prefix]
        denied = self._denied(version)
        if denied is not None:
            return denied
        parts = path[len(prefix) :].strip("/").split("/")
        collection = parts[0]
        if collection not in COLLECTIONS or collection in self.app.disabled:
            return imsx(version, 404, f"this service does not offer /{collection}")
        if len(parts) == 1 and self.command == "GET":
            return self._listing(version, prefix, collection, fault)
        if len(parts) == 2 and collection in SINGULAR:
            return self._single(version, prefix, collection, parts[1], body)
        return imsx(version, 404, "unknown endpoint", "unknownobject")

    def _denied(self, version: str) -> Answer | None:
        header = self.headers.get("Authorization", "")
        app = self.app
        if header.startswith("Bearer ") and app.auth in ("any", "oauth2"):
            scopes = app.clients.bearer(header)
            if scopes is None:
                return imsx(version, 401, "the access token is not valid")
            word = SCOPE_WORDS.get(self.command, "readonly")
            if app.check_scopes and not any(word in s for s in scopes):
                return imsx(version, 403, f"the token has no {word} scope", "forbidden")
            return None
        if header.startswith("OAuth ") and app.auth in ("any", "oauth1"):
            url = f"http://{self.headers.get('Host', '')}{self.path}"
            if app.clients.signed(self.command, url, header):
                return None
            return imsx(version, 401, "the OAuth 1 signature does not verify")
        return imsx(version, 401, "no credentials")

    def _token(self, body: bytes) -> Answer:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return Answer(400, orjson.dumps({"error": "unsupported_grant_type"}))
        issued = self.app.clients.issue(
            self.headers.get("Authorization", ""), form.get("scope", "")
        )
        if issued is None:
            error = {"error": "invalid_client", "error_description": "unknown client"}
            return Answer(401, orjson.dumps(error))
        return Answer(200, orjson.dumps(issued))

    def _listing(self, version: str, prefix: str, collection: str, fault: Fault | None) -> Answer:
        query = parse_qs(urlsplit(self.path).query)
        app = self.app
        try:
            limit = max(1, min(app.max_limit, int(query.get("limit", [app.default_limit])[0])))
            offset = max(0, int(query.get("offset", ["0"])[0]))
        except ValueError:
            return imsx(version, 400, "limit and offset must be numbers", "invalid_data")
        entity, wrapper, _ = COLLECTIONS[collection]
        if fault is not None and fault.kind == "grow":
            app.data.grow(entity)
        try:
            keys = app.data.listed(collection, query.get("filter", [None])[0])
        except BadFilter as error:
            return imsx(version, 400, f"unsupported filter {error}", "invalid_filter_field")
        page = keys[offset : offset + limit]
        if fault is not None and fault.kind == "short":
            page = page[: len(page) // 2]
        base = f"http://{self.headers.get('Host', '')}{prefix.rstrip('/')}"
        body = page_bytes(app.data, wrapper, entity, page, version, base)
        if fault is not None and fault.kind == "no_sourcedid" and page:
            data = orjson.loads(body)
            data[wrapper][0].pop("sourcedId", None)
            body = orjson.dumps(data)
        headers = self._paging_headers(query, offset, limit, len(keys))
        return Answer(200, body, headers)

    def _paging_headers(
        self, query: dict[str, list[str]], offset: int, limit: int, total: int
    ) -> dict[str, str]:
        mode, headers = self.app.paging, {}
        if mode in ("total", "both"):
            headers["X-Total-Count"] = str(total)
        if mode == "x-count":
            headers["x-count"] = str(total)
        if mode in ("link", "both"):
            here = f"http://{self.headers.get('Host', '')}{urlsplit(self.path).path}"

            def at(rel: str, at_offset: int) -> str:
                params = {**{k: v[0] for k, v in query.items()}, "limit": str(limit)}
                params["offset"] = str(at_offset)
                return f'<{here}?{urlencode(params, quote_via=quote)}>; rel="{rel}"'

            links = [at("first", 0)]
            if offset + limit < total:
                links.append(at("next", offset + limit))
            if offset > 0:
                links.append(at("prev", max(0, offset - limit)))
            links.append(at("last", max(0, (total - 1) // limit * limit)))
            headers["Link"] = ", ".join(links)
        return headers

    def _single(self, version: str, prefix: str, collection: str, key: str, body: bytes) -> Answer:
        entity, _, _ = COLLECTIONS[collection]
        data = self.app.data
        base = f"http://{self.headers.get('Host', '')}{prefix.rstrip('/')}"
        wrapper = SINGULAR[entity]
        if self.command == "GET":
            stored = data.get(entity, key)
            if stored is None:
                return imsx(version, 404, f"no {wrapper} {key}")
            return Answer(200, orjson.dumps({wrapper: render(entity, stored, version, base)}))
        if self.command == "DELETE":
            return (
                Answer(204)
                if data.delete(entity, key)
                else imsx(version, 404, f"no {wrapper} {key}")
            )
        if self.command == "PUT":
            return self._put(version, entity, key, body, base)
        return imsx(version, 405, "method not allowed", "invalid_data")

    def _put(self, version: str, entity: str, key: str, body: bytes, base: str) -> Answer:
        wrapper = SINGULAR[entity]
        try:
            sent = orjson.loads(body)
        except orjson.JSONDecodeError:
            return imsx(version, 400, "the body is not JSON", "invalid_data")
        record = sent.get(wrapper, sent) if isinstance(sent, dict) else None
        if not isinstance(record, dict) or record.get("sourcedId", key) != key:
            return imsx(version, 400, f"the body must hold the {wrapper} {key}", "invalid_data")
        self.app.bodies.append((version, entity, record))
        created = self.app.data.put(entity, key, accept(entity, record, version))
        stored = self.app.data.get(entity, key) or {}
        out = orjson.dumps({wrapper: render(entity, stored, version, base)})
        return Answer(201 if created else 200, out)
