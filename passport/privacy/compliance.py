"""An activation's inventory held against its privacy agreement.

An agreement allows data elements by category or by field, each with the rawest
treatment it may leave with. A field entry is more specific than its category's. A field
the application receives is a finding when nothing allows it, or when it leaves rawer
than allowed (raw where only pseudonymised is allowed). Only what leaves counts: an
import sends the vendor nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from passport.model import Agreement, Allowance
from passport.privacy.inventory import FieldShare, Inventory, Treatment, rawer

ALLOWED_TREATMENTS = ("raw", "generalised", "pseudonymised")


@dataclass(frozen=True, slots=True)
class Finding:
    """A field an activation sends beyond its agreement."""

    share: FieldShare
    allowance: Allowance | None  # None: nothing allows it

    @property
    def kind(self) -> str:
        return "not-allowed" if self.allowance is None else "rawer"

    def describe(self, agreement: Agreement) -> str:
        share = self.share
        what = f"sends {share.name} ({share.category.id}) {share.treatment}"
        if self.allowance is None:
            return f"{what}, which no entry of {agreement.file}:{agreement.line} (allow) allows"
        where = f"{agreement.file}:{self.allowance.line}:{self.allowance.col}"
        return f"{what}, but {where} allows it only {self.allowance.treatment}"


def allowance_for(agreement: Agreement, share: FieldShare) -> Allowance | None:
    """The entry that decides a field: its own (`field`), else its category's."""
    by_field = [a for a in agreement.allowed if a.field == share.name]
    if by_field:
        return _most_lenient(by_field)
    by_category = [a for a in agreement.allowed if a.category == share.category.id]
    return _most_lenient(by_category) if by_category else None


def _most_lenient(entries: Iterable[Allowance]) -> Allowance:
    return min(entries, key=lambda a: _protection(a.treatment))


def _protection(treatment: str) -> int:
    return ALLOWED_TREATMENTS.index(treatment) if treatment in ALLOWED_TREATMENTS else 0


def allows(allowance: Allowance | None, treatment: Treatment) -> bool:
    if allowance is None:
        return treatment not in (Treatment.RAW, Treatment.GENERALISED, Treatment.PSEUDONYMISED)
    return not rawer(treatment, Treatment(allowance.treatment))


def findings(inventory: Inventory) -> list[Finding]:
    """Every field the application receives beyond the activation's agreement (none
    without an agreement: whether one is required is the district's setting)."""
    agreement = inventory.agreement
    if agreement is None:
        return []
    found = []
    for share in inventory.sent():
        allowance = allowance_for(agreement, share)
        if not allows(allowance, share.treatment):
            found.append(Finding(share, allowance))
    return found
