"""Google Workspace: the Admin SDK Directory API (users, OUs, groups, members).

This package is the transport half: settings, credentials (google-auth over httpx), the
retrying HTTP client with paging and the batch endpoint, typed readers and writers, and
the installed-app login. The mapping between store records and Google records is not here.

Modules:
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
