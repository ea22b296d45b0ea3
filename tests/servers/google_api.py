"""The Google test server's Directory API calls: auth, quota, faults, then the route.

One call is carried out the same way whether it came on its own or inside a batch.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import google_discovery
import google_query
from google_data import GError
from google_discovery import Route
from google_faults import STATUS, Fault

if TYPE_CHECKING:
    from google_directory import GoogleServer

GROUP_PAGE_MAX = 200  # "Max allowed value is 200." (only in the description)
RATE_MESSAGES = {
    403: (
        "userRateLimitExceeded",
        "Quota exceeded for quota metric 'Queries' and limit "
        "'Queries per minute per user' of service 'admin.googleapis.com'.",
    ),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
}


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"


def json_answer(status: int, data: Any) -> Answer:
    return Answer(status, json.dumps(data).encode())


def error_answer(error: GError) -> Answer:
    return json_answer(error.code, error.body())


def fault_answer(
    fault: Fault, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> Answer:
    status = STATUS[fault.kind]
    if fault.kind == "duplicate":
        error = GError(409, "duplicate", "Entity already exists.")
    elif fault.kind in ("user_rate", "rate"):
        reason, message = RATE_MESSAGES[status]
        error = GError(status, reason, message, "usageLimits")
    elif fault.kind == "backend":
        error = GError(503, "backendError", "Backend Error")
    else:  # echo: a server that puts what it was sent into its error message
        sent = " ".join(f"{k}: {v}" for k, v in headers.items())
        error = GError(
            400,
            "invalid",
            f"Invalid Input: {method} {target} {sent} {body.decode('utf-8', 'replace')}",
        )
    answer = error_answer(error)
    if fault.retry_after is not None:
        answer.headers["Retry-After"] = fault.retry_after
    return answer


def _page_token(position: list[Any], signature: str) -> str:
    raw = json.dumps({"after": position, "sig": signature}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str, signature: str) -> list[Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        raise GError(400, "invalid", "Invalid Input: pageToken") from None
    if not isinstance(data, dict) or data.get("sig") != signature:
        raise GError(400, "invalid", "Invalid Input: pageToken")
    return list(data["after"])


class Calls:
    """Carries out one API call against the server's directory."""

    def __init__(self, app: GoogleServer) -> None:
        self.app = app
        self.data = app.directory
        self.handlers: dict[str, Callable[..., Answer]] = {
            "directory.users.list": self.users_list,
            "directory.users.get": self.users_get,
            "directory.users.insert": self.users_insert,
            "directory.users.update": self.users_update,
            "directory.users.patch": self.users_patch,
            "directory.users.delete": self.users_delete,
            "directory.orgunits.list": self.orgunits_list,
            "directory.orgunits.get": self.orgunits_get,
            "directory.orgunits.insert": self.orgunits_insert,
            "directory.groups.list": self.groups_list,
            "directory.groups.get": self.groups_get,
            "directory.groups.insert": self.groups_insert,
            "directory.groups.patch": self.groups_patch,
            "directory.groups.delete": self.groups_delete,
            "directory.members.list": self.members_list,
            "directory.members.insert": self.members_insert,
            "directory.members.delete": self.members_delete,
        }

    def call(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        counted: bool = True,
    ) -> Answer | None:
        """The answer to one call; None: drop the connection."""
        app = self.app
        fault = app.faults.pick(method, target)
        if fault is not None and fault.kind == "expire":
            app.auth.expire_all()
            fault = None
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_s)
            fault = None
        token = app.auth.bearer(headers.get("authorization", headers.get("Authorization", "")))
        if token is None:
            return error_answer(
                GError(
                    401,
                    "authError",
                    "Request had invalid authentication credentials. "
                    "Expected OAuth 2 access token, login cookie or other valid "
                    "authentication credential.",
                )
            )
        if counted and not app.quota.allow():
            reason, message = RATE_MESSAGES[app.quota.status]
            return error_answer(GError(app.quota.status, reason, message, "usageLimits"))
        if fault is not None and fault.kind == "drop":
            return None
        if fault is not None:
            return fault_answer(fault, method, target, headers, body)
        if app.call_latency_s:
            time.sleep(app.call_latency_s)
        path = urlsplit(target).path
        query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        for route in google_discovery.routes():
            found = route.match(method, path)
            if found is None:
                continue
            if not token.scopes & set(route.scopes):
                return error_answer(
                    GError(
                        403,
                        "insufficientPermissions",
                        "Request had insufficient authentication scopes.",
                    )
                )
            if token.subject not in app.admins:
                return error_answer(
                    GError(403, "forbidden", "Not Authorized to access this resource/api")
                )
            try:
                payload = json.loads(body) if body.strip() else {}
            except ValueError:
                return error_answer(GError(400, "parseError", "Parse Error"))
            if not isinstance(payload, dict):
                return error_answer(GError(400, "invalid", "Invalid JSON payload received."))
            params = {k: unquote(v) for k, v in found.items()}
            try:
                return self.handlers[route.id](route, params, query, payload)
            except GError as error:
                return error_answer(error)
        return error_answer(GError(404, "notFound", f"Not Found: {method} {path}"))

    # --- shared checks -----------------------------------------------------------------

    def _scope(self, query: dict[str, str], *, required: bool = True) -> None:
        if "domain" in query:
            if query["domain"].lower() != self.data.domain:
                raise GError(403, "forbidden", "Not Authorized to access this resource/api")
        elif "customer" in query:
            self._customer(query["customer"])
        elif required:
            raise GError(400, "badRequest", "Bad Request")

    def _customer(self, customer: str) -> None:
        if customer not in ("my_customer", self.data.customer_id):
            raise GError(400, "badRequest", "Bad Request")

    def _limit(self, route: Route, query: dict[str, str], ceiling: int) -> int:
        raw = query.get("maxResults") or route.default("maxResults") or "100"
        top = route.maximum("maxResults") or ceiling
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise GError(
                400,
                "invalid",
                f"Invalid value '{raw}'. Values must be within the range: [1, {top}]",
            )
        return int(raw)

    def _paged(
        self,
        route: Route,
        query: dict[str, str],
        items: list[dict[str, Any]],
        sort: Callable[[dict[str, Any]], list[Any]],
        ceiling: int,
        kind: str,
        key: str,
        descending: bool = False,
    ) -> Answer:
        limit = self._limit(route, query, ceiling)
        signature = "|".join(
            f"{k}={v}" for k, v in sorted(query.items()) if k not in ("pageToken", "maxResults")
        )
        ordered = sorted(items, key=sort, reverse=descending)
        if query.get("pageToken"):
            after = _read_token(query["pageToken"], signature)
            ordered = [i for i in ordered if (sort(i) < after if descending else sort(i) > after)]
        page = ordered[:limit]
        out: dict[str, Any] = {"kind": kind, "etag": '"passport-test"'}
        if page:  # Google leaves the key out of an empty page
            out[key] = page
        if len(ordered) > limit:
            out["nextPageToken"] = _page_token(sort(page[-1]), signature)
        return json_answer(200, out)

    # --- users -------------------------------------------------------------------------

    def users_list(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self._scope(query)
        order = query.get("orderBy", "")
        if order and order not in route.enum("orderBy"):
            raise GError(400, "invalid", "Invalid Input: orderBy")
        users = self.data.listed_users(first_page=not query.get("pageToken"))
        if query.get("query"):
            test = google_query.parse(query["query"])
            users = [u for u in users if test(u)]
        field_of = {
            "email": lambda u: u["primaryEmail"],
            "givenName": lambda u: u["name"]["givenName"].lower(),
            "familyName": lambda u: u["name"]["familyName"].lower(),
        }

        def sort(user: dict[str, Any]) -> list[Any]:
            return [field_of[order](user), user["id"]] if order else [user["id"]]

        descending = query.get("sortOrder", "ASCENDING").upper() == "DESCENDING"
        return self._paged(
            route, query, users, sort, 500, "admin#directory#users", "users", descending
        )

    def users_get(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        with self.data.lock:
            return json_answer(200, self.data.users[self.data.user_id(params["userKey"])])

    def users_insert(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.insert_user(body))

    def users_update(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.update_user(params["userKey"], body, replace=True))

    def users_patch(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.update_user(params["userKey"], body, replace=False))

    def users_delete(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self.data.delete_user(params["userKey"])
        return Answer(204)

    # --- OUs ---------------------------------------------------------------------------

    def orgunits_list(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self._customer(params["customerId"])
        kind = query.get("type", "children")
        if kind not in route.enum("type"):
            raise GError(400, "invalid", "Invalid Input: type")
        found = self.data.listed_ous(query.get("orgUnitPath", "/"), kind)
        out: dict[str, Any] = {"kind": "admin#directory#orgUnits", "etag": '"passport-test"'}
        if found:
            out["organizationUnits"] = found
        return json_answer(200, out)

    def orgunits_get(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self._customer(params["customerId"])
        return json_answer(200, self.data.ou(params["orgUnitPath"]))

    def orgunits_insert(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self._customer(params["customerId"])
        return json_answer(200, self.data.insert_ou(body))

    # --- groups and members ------------------------------------------------------------

    def groups_list(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self._scope(query, required="userKey" not in query)
        with self.data.lock:
            groups = [self.data.group(g) for g in self.data.groups]
            if "userKey" in query:
                uid = self.data.user_id(query["userKey"])
                email = self.data.users[uid]["primaryEmail"]
                groups = [g for g in groups if email in self.data.members[g["id"]]]
        return self._paged(
            route,
            query,
            groups,
            lambda g: [g["email"]],
            GROUP_PAGE_MAX,
            "admin#directory#groups",
            "groups",
        )

    def groups_get(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.group(params["groupKey"]))

    def groups_insert(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.insert_group(body))

    def groups_patch(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.patch_group(params["groupKey"], body))

    def groups_delete(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self.data.delete_group(params["groupKey"])
        return Answer(204)

    def members_list(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        roles = {r for r in query.get("roles", "").upper().split(",") if r}
        found = self.data.listed_members(params["groupKey"], roles)
        return self._paged(
            route,
            query,
            found,
            lambda m: [m["email"]],
            GROUP_PAGE_MAX,
            "admin#directory#members",
            "members",
        )

    def members_insert(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        return json_answer(200, self.data.insert_member(params["groupKey"], body))

    def members_delete(
        self, route: Route, params: dict[str, str], query: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        self.data.delete_member(params["groupKey"], params["memberKey"])
        return Answer(204)
