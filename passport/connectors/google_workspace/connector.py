"""The google-workspace connector: reads the Directory API as a Snapshot of flat views
(views.py) and carries out the plan's writes (provisioning.py). Imported only when a
connection opens: it needs httpx and google-auth."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from passport.connectors.base import ConnectContext, WriteOp, WriteResult
from passport.connectors.google_workspace import settings
from passport.connectors.google_workspace.classes import class_records, group_views
from passport.connectors.google_workspace.directory import get_user, list_ous, list_users
from passport.connectors.google_workspace.options import GoogleOptions
from passport.connectors.google_workspace.provisioning import Provisioner
from passport.connectors.google_workspace.session import Session, open_session
from passport.connectors.google_workspace.views import user_view
from passport.errors import Problem
from passport.model import Record


class GoogleSnapshot:
    """Users (and, with groups_as_classes, classes and enrollments) read in full, once."""

    def __init__(self, session: Session, options: GoogleOptions, entities: Sequence[str]) -> None:
        self.session = session
        self.options = options
        self.entities = set(entities)
        self._users: dict[str, Record] | None = None
        self._classes: dict[str, list[Record]] | None = None
        self._ous: list[str] | None = None
        self.warnings: list[Problem] = []

    # --- Snapshot -----------------------------------------------------------------------

    @property
    def _writes_groups(self) -> bool:
        return self.options.groups is not None and self.session.settings.mode != "import"

    def is_complete(self, entity: str) -> bool:
        if entity == "users":
            return True
        groups = self.options.groups_as_classes or self._writes_groups
        return entity in ("classes", "enrollments") and groups

    def watermark(self, entity: str) -> str | None:
        return None

    def read(self, entity: str, keys: Collection[str] | None = None) -> Iterator[Record]:
        records = self._records(entity)
        if keys is None:
            yield from records
            return
        wanted = set(keys)
        yield from (r for r in records if r.key in wanted)

    # --- what the field map asks for ---------------------------------------------------

    def facts(self) -> Mapping[str, Any]:
        """The OUs Google has, so a user whose OU is missing is held at plan time."""
        if self._ous is None:
            api, customer = self.session.api, self.session.settings.customer
            self._ous = [
                "/",
                *(str(o.get("orgUnitPath")) for o in list_ous(api, customer=customer)),
            ]
        return {"orgunits": self._ous}

    def lookup(self, entity: str, addresses: list[str]) -> list[Record]:
        """The users at these addresses (a listing may not show a new one yet); what is
        found is part of this snapshot from now on."""
        if entity != "users":
            return []
        users = self._user_map()
        found = []
        for address in addresses:
            user = get_user(self.session.api, address)
            if user is None:
                continue
            key, view = user_view(user)
            record = Record(key, view)
            users[key] = record
            found.append(record)
        return found

    # --- reading ------------------------------------------------------------------------

    def _records(self, entity: str) -> list[Record]:
        if entity == "users":
            return list(self._user_map().values())
        if entity in ("classes", "enrollments") and self._writes_groups:
            if self._classes is None:
                self._classes = group_views(self.session)
            return self._classes[entity]
        if entity in ("classes", "enrollments") and self.options.groups_as_classes:
            if self._classes is None:
                self._classes = class_records(self.session, self.options, self._user_map())
            return self._classes[entity]
        return []

    def _user_map(self) -> dict[str, Record]:
        if self._users is None:
            settings = self.session.settings
            users: dict[str, Record] = {}
            for user in list_users(self.session.api, customer=settings.customer):
                key, view = user_view(user)
                if key in users:
                    why = f"two Google accounts carry the externalId {key!r}; the first is used"
                    self.warnings.append(Problem("google-workspace", why, severity="warning"))
                    continue
                users[key] = Record(key, view)
            self._users = users
        return self._users

    def google_ids(self) -> dict[str, str]:
        """App key -> Google user id, for the writes."""
        return {k: str(r.fields.get("googleId") or "") for k, r in self._user_map().items()}


class GoogleConnector:
    def __init__(self, delivery: Mapping[str, Any], context: ConnectContext) -> None:
        self.options = GoogleOptions.of(delivery)
        self.context = context
        # Looked up when a connection opens, so a test or a benchmark embedding passport
        # can set quicker retries (settings.DEFAULT_TUNING), as it injects the client.
        self.session = open_session(
            delivery, context.mode, client=context.http_client, tuning=settings.DEFAULT_TUNING
        )
        self._snapshot: GoogleSnapshot | None = None
        self._provisioner: Provisioner | None = None

    def snapshot(
        self,
        entities: Sequence[str],
        *,
        full: bool = True,
        watermarks: Mapping[str, str] | None = None,
    ) -> GoogleSnapshot:
        self._snapshot = GoogleSnapshot(self.session, self.options, entities)
        return self._snapshot

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        if self._provisioner is None:
            snapshot = self._snapshot or GoogleSnapshot(self.session, self.options, ["users"])
            ous = set(snapshot.facts()["orgunits"])
            self._provisioner = Provisioner(
                self.session, self.options, self.context, snapshot.google_ids(), ous
            )
        return self._provisioner.write(ops)

    def close(self) -> None:
        self.session.close()


def connect(delivery: Mapping[str, Any], context: ConnectContext) -> GoogleConnector:
    return GoogleConnector(delivery, context)
