"""Which Google account is which store user, and which address each user gets.

First sync links, never duplicates. Per store user, in key order:
1. an account whose join key (externalIds) is the user's sourcedId is the user's;
2. else the address this activation gave it before (the base) stays its address, whether
   or not a listing shows the account yet (eventual consistency);
3. else the address the email template renders: an account holding it with no join key
   is linked (the plan shows a link); if that account is the template's address of two
   store users, both are held: a conflict, never a guess;
4. else a new account, at the template's address, or with 2, 3, ... appended when the
   address is taken (by any account, any alias, or a user earlier in key order).
Pure: the plan's inputs in, plain data out; the same inputs give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from passport.connectors.google_workspace.templates import numbered
from passport.connectors.google_workspace.views import UNLINKED
from passport.model import Fields

CREATED, LINKED = "created", "linked"
MAX_NUMBER = 10_000  # john.smith2 ... john.smith10000: past that, the user is held


@dataclass
class Links:
    email: dict[str, str] = field(default_factory=dict)  # store key -> primaryEmail
    origin: dict[str, str] = field(default_factory=dict)  # store key -> created | linked
    app_of: dict[str, str] = field(default_factory=dict)  # store key -> unlinked app key
    store_of: dict[str, str] = field(default_factory=dict)  # unlinked app key -> store key
    held: dict[str, str] = field(default_factory=dict)  # store key -> why
    exists: set[str] = field(default_factory=set)  # store keys with an account in Google


def link(
    keys: Iterable[str],
    candidate: Callable[[str], str | None],
    app: Mapping[str, Fields],
    bases: Mapping[str, Fields | None],
    *,
    marker: str,
    app_email_wins: bool = False,
) -> Links:
    """`keys`: the store users in scope; `candidate(key)`: the template's address (None
    when the record cannot fill it); `app`: accounts by app key; `bases`: agreed views;
    `marker`: this activation's passportOrigin value (an account carrying another's, or
    the unnamed legacy one, was not created by this activation)."""
    out = Links()
    taken: dict[str, str] = {}  # address -> who holds it (app key or store key)
    for app_key, view in app.items():
        for address in _addresses(view):
            taken.setdefault(address, app_key)
    pending: list[str] = []
    for key in sorted(keys):
        base = bases.get(key) or {}
        account = app.get(key)
        if account is not None:
            out.exists.add(key)
            # Only this activation's marker says a killed apply of its own created it.
            made = CREATED if account.get("createdBy") == marker else LINKED
            out.origin[key] = str(base.get("origin") or made)
            current = str(account.get("primaryEmail") or "")
            kept = str(base.get("primaryEmail") or "")
            out.email[key] = current if app_email_wins or not kept else kept
        elif base.get("primaryEmail"):
            out.origin[key] = str(base.get("origin") or CREATED)
            out.email[key] = str(base["primaryEmail"])
        else:
            pending.append(key)
            continue
        taken[out.email[key]] = key
    wanted: dict[str, str] = {}
    claims: dict[str, list[str]] = {}  # unlinked app key -> store keys whose address it holds
    for key in pending:
        rendered = candidate(key)
        if rendered is None:
            continue  # the field map holds it: the template lacks a value
        wanted[key] = rendered
        holder = taken.get(rendered)
        if holder is not None and holder.startswith(UNLINKED) and holder not in out.store_of:
            claims.setdefault(holder, []).append(key)
    for app_key, claimants in claims.items():
        view = app[app_key]
        if len(claimants) > 1:
            names = ", ".join(claimants)
            why = (
                f"the existing account {view.get('primaryEmail')} matches {len(claimants)} store "
                f"users ({names}): a conflict, not linked; give the account the right user's "
                "sourcedId in externalIds, or change the email template"
            )
            for key in claimants:
                out.held[key] = why
            continue
        [key] = claimants
        out.app_of[key], out.store_of[app_key] = app_key, key
        out.origin[key] = LINKED
        out.email[key] = str(view.get("primaryEmail") or wanted[key])
        out.exists.add(key)
    for key in pending:
        if key in out.email or key in out.held or key not in wanted:
            continue
        address, n = wanted[key], 1
        while address in taken:
            n += 1
            if n > MAX_NUMBER:
                out.held[key] = f"every address from {wanted[key]} to {address} is taken"
                break
            address = numbered(wanted[key], n)
        if key in out.held:
            continue
        out.email[key], out.origin[key] = address, CREATED
        taken[address] = key
    return out


def _addresses(view: Fields) -> list[str]:
    primary = view.get("primaryEmail")
    aliases = view.get("aliases") or []
    found = [primary] if isinstance(primary, str) and primary else []
    return found + ([aliases] if isinstance(aliases, str) else list(aliases))
