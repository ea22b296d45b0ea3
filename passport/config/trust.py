"""Trust anchored on the protected branch: may a plan of pull-request config connect?

A plan run on a pull request reads config that anyone who can open one may have written.
It may connect only when every place the activation connects to (the scheme and host of
each delivery URL) and every secret reference it resolves (delivery secrets, the Privacy
Shield key) are the ones the activation has at the trusted ref (the base branch). Any
other plan is made offline: nothing remote is read and no secret is resolved. So a
one-line change of `auth_url` and `client_secret: ${file:/proc/self/environ}` cannot send
the CI environment anywhere: the secret is never read and the host never contacted.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from passport.config import gitref
from passport.config.delivery_risks import delivery_leaves, host_of, is_url, reference_paths
from passport.config.diff import version_at
from passport.config.paths import format_path
from passport.config.risk import cut
from passport.model import Activation
from passport.secrets import is_reference


def _place(url: str) -> str:
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        scheme = ""
    return f"{scheme}://{host_of(url)}" if scheme else host_of(url) or url


def untrusted(ref: str, path: Path, head: Activation) -> list[str]:
    """Why `head` (loaded from `path`) may not connect under trust anchored at `ref`, in
    words; empty when it may."""
    gitref.check_ref(ref)
    then = version_at(ref, path, None)
    if then is None:
        return [f"the activation is not at {ref}, so nothing of it is trusted yet"]
    if then.activation is None:
        return [f"its version at {ref} is not a valid activation"]
    base = then.activation
    if base.application != head.application:
        moved = f"{base.application} (at {ref}) to {head.application}"
        return [f"its application changed from {moved}"]
    return [*_hosts(ref, base, head), *_references(ref, base, head)]


def _hosts(ref: str, base: Activation, head: Activation) -> list[str]:
    before = dict(delivery_leaves(base.delivery, ("delivery",)))
    found = []
    for where, value in delivery_leaves(head.delivery, ("delivery",)):
        if not is_url(where, value) or is_reference(value):
            continue
        old = before.get(where)
        if isinstance(old, str) and _place(old) == _place(str(value)):
            continue
        trusted = f"{cut(_place(old))} at {ref}" if isinstance(old, str) else f"not set at {ref}"
        found.append(f"{format_path(where)} goes to {cut(_place(str(value)))} ({trusted})")
    return found


def _references(ref: str, base: Activation, head: Activation) -> list[str]:
    before = reference_paths(base)
    found = []
    for where, value in reference_paths(head).items():
        if not is_reference(value) or before.get(where) == value:
            continue
        old = before.get(where)
        trusted = f"{cut(str(old))} at {ref}" if is_reference(old) else f"no reference at {ref}"
        found.append(f"{format_path(where)} reads {cut(str(value))} ({trusted})")
    return found
