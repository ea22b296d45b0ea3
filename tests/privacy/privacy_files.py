"""The export activation the privacy tests hold against agreements (its agreement lies
beside it as agreements/lms.yaml; each test writes the agreement it needs)."""

LMS = """\
version: 1
name: lms
application: oneroster-csv
mode: export
delivery:
  path: ../out
schools:
  map:
    - {app: a-1, store: sch-001}
attributes:
  users: [role, givenName, familyName, email]
  classes: all
privacy_shield:
  enabled: true
  level: 2
  key: ${env:SHIELD_KEY}
privacy:
  agreement: agreements/lms.yaml
"""
