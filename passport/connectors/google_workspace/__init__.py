"""Google Workspace: the Admin SDK Directory API (users, OUs, groups, members).

It exports only its light description, `APPLICATION` (no httpx); the connector is in
`connector`, imported when a connection opens. See docs/google-workspace.md.

Modules:
  application  the gallery entry, delivery checks and the `passport init` starter (light)
  options      the mapping settings: ou_rules, ou, email, passwords, suspension (light)
  templates    the template language of OU paths, addresses and passwords (light)
  views        a Google user as flat fields, and back to a Directory API body (light)
  linking      which account is which store user; addresses and collisions (light)
  fields       the field map: store users <-> Google users (light)
  connector    the Snapshot and the writes (heavy)
  provisioning creates with initial passwords, patches, suspensions, deletes, OUs
  classes      groups as classes, members as enrollments
  settings     delivery settings (domain, customer, URLs, auth) and tuning knobs
  scopes       the OAuth scopes each mode needs
  problems     Google's JSON errors as ConnectorErrors, and the Redactor
  transport    google-auth's Request over httpx (one HTTP stack)
  credentials  service account (JWT bearer, domain-wide delegation) or refresh token
  pacing       a client-side request pacer
  http         one API request with retries, backoff and a time budget; paging
  batch        the multipart/mixed batch endpoint
  directory    typed readers and writers
  session      wires the above into one object from a delivery mapping
  login        `passport login google` / `logout`: installed-app flow with PKCE
"""

from __future__ import annotations

from passport.connectors.google_workspace.application import APPLICATION

__all__ = ["APPLICATION"]
