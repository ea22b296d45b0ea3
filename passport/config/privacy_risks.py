"""diff's privacy flags: what an application receives widened, held against its agreement,
and an agreement file loosened in the same change.

Read off the inventories of the two loaded activations (`passport.privacy`), so every way
of widening counts alike: a field added to `attributes`, a shield level lowered, an
override to keep, a mode that now exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from passport.config.district import load_district
from passport.config.risks import Risk, exports
from passport.model import Activation, Agreement
from passport.privacy.categories import CategoryMap
from passport.privacy.compliance import ALLOWED_TREATMENTS, allowance_for, allows
from passport.privacy.inventory import FieldShare, Inventory, inventory_of, rawer

SHOWN = 12  # fields named in one flag before "and N more"


def privacy_risks(base: Activation | None, head: Activation) -> list[Risk]:
    categories = _categories(head)
    return [*widened(base, head, categories), *agreement_loosened(base, head, categories)]


def _categories(head: Activation) -> CategoryMap:
    folder = Path(head.source).parent if head.source else Path("configs")
    return load_district(folder)[0].categories


# --- what the application receives -------------------------------------------------------


def widened(base: Activation | None, head: Activation, categories: CategoryMap) -> list[Risk]:
    """Fields the application now receives that it did not, or now receives rawer, held
    against its agreement (without one, the shield and personal-data flags say it)."""
    agreement = head.agreement
    if agreement is None or not exports(head):
        return []
    now = inventory_of(head, categories)
    then = inventory_of(base, categories) if base is not None and exports(base) else None
    wider = [(share, _before(then, share)) for share in now.sent()]
    wider = [(s, b) for s, b in wider if b is None or rawer(s.treatment, b.treatment)]
    if not wider:
        return []
    beyond = [s for s, _ in wider if not allows(allowance_for(agreement, s), s.treatment)]
    what = _listed(f"{s.name} {_change(s, b)}" for s, b in wider)
    message = f"{head.name} ({head.application}) receives more: {what}"
    if base is None and not beyond:
        return []  # a new activation within its agreement: new-activation says it
    if beyond:
        names = _listed(s.name for s in beyond)
        return [Risk("privacy-widened", "high", f"{message}; beyond {agreement.file}: {names}")]
    return [Risk("privacy-widened", "low", f"{message}; within {agreement.file}")]


def _before(then: Inventory | None, share: FieldShare) -> FieldShare | None:
    if then is None:
        return None
    before = then.row(share.entity, share.field)
    return before if before is not None and before.sent else None


def _change(now: FieldShare, before: FieldShare | None) -> str:
    if before is None:
        return f"{now.treatment} (new)"
    return f"{before.treatment} → {now.treatment}"


def _listed(items: Iterable[str]) -> str:
    names = list(items)
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


# --- the agreement itself ------------------------------------------------------------------


def agreement_loosened(
    base: Activation | None, head: Activation, categories: CategoryMap
) -> list[Risk]:
    """An agreement removed, or changed to allow more, rawer or for longer."""
    before = base.agreement if base is not None else None
    after = head.agreement
    if before is None:
        return []
    if after is None:
        message = f"{head.name}: privacy agreement removed: nothing holds what it sends"
        return [Risk("agreement-loosened", "high", message)]
    looser = _looser_entries(before, after, categories)
    if after.expires > before.expires:
        looser.append(f"expires {after.expires} (was {before.expires})")
    if not looser:
        return []
    message = f"privacy agreement {after.file} loosened: {_listed(looser)}"
    return [Risk("agreement-loosened", "high", message)]


def _looser_entries(before: Agreement, after: Agreement, categories: CategoryMap) -> list[str]:
    keys = dict.fromkeys(_keys(before) + _keys(after))
    found = []
    for key in keys:
        then, now = _allowed(before, key, categories), _allowed(after, key, categories)
        if now is None:
            continue
        if then is None:
            found.append(f"allows {key} {now} (new)")
        elif ALLOWED_TREATMENTS.index(now) < ALLOWED_TREATMENTS.index(then):
            found.append(f"allows {key} {now} (was {then})")
    return found


def _keys(agreement: Agreement) -> list[str]:
    return [entry.category or entry.field or "" for entry in agreement.allowed]


def _allowed(agreement: Agreement, key: str, categories: CategoryMap) -> str | None:
    """The rawest treatment the agreement allows for a category or a field (a field
    without its own entry falls back to its category's, as `allowance_for` decides)."""
    entries = [a for a in agreement.allowed if key in (a.category, a.field)]
    if not entries and "." in key:
        entity, _, name = key.partition(".")
        category = categories.category_id(entity, name)
        entries = [a for a in agreement.allowed if a.category == category]
    if not entries:
        return None
    return min((a.treatment for a in entries), key=ALLOWED_TREATMENTS.index)


def agreement_words(base: Activation, head: Activation) -> list[str]:
    """The diff's sentence for an agreement whose terms changed (its file is not an
    activation, so `describe` does not see it)."""
    before, after = base.agreement, head.agreement
    if before is None or after is None:
        return []
    terms = (before.vendor, before.signed, before.expires, _terms(before))
    if terms == (after.vendor, after.signed, after.expires, _terms(after)):
        return []
    return [f"privacy agreement {after.file}: its terms changed"]


def _terms(agreement: Agreement) -> list[tuple[str, str, str]]:
    return sorted((a.category or "", a.field or "", a.treatment) for a in agreement.allowed)
