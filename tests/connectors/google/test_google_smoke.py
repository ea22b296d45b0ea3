from __future__ import annotations

from conftest import OpenSession

from passport.connectors.google_workspace import directory


def test_smoke(open_google: OpenSession) -> None:
    session = open_google()
    results = directory.create_users(
        session.api,
        [
            {
                "primaryEmail": f"u{n}@district.example",
                "name": {"givenName": "A", "familyName": f"B{n}"},
                "password": "pw-secret-123",
                "orgUnitPath": "/Students",
            }
            for n in range(5)
        ],
    )
    assert all(r.ok for r in results), [r.message for r in results]
    users = list(directory.list_users(session.api, page_size=2))
    assert len(users) == 5
