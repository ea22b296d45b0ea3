"""Time windows that hold changes back: rollover windows, the export-until date and the
expiry of the activation's privacy agreement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from passport.model import Action, Activation, Change, Direction, Suppressed, Window
from passport.plan.spill import ChangeLog


def active_windows(windows: Iterable[Window], today: date) -> list[Window]:
    return [w for w in windows if w.start <= today <= w.end]


def _why(window: Window) -> str:
    what = "no deletes" if window.kind == "no-deletes" else "import suspended"
    text = f"rollover window {window.start} to {window.end}: {what}"
    return f"{text} ({window.reason})" if window.reason else text


def _held_by(window: Window, change: Change) -> bool:
    if window.kind == "no-deletes":
        return change.action is Action.DELETE
    if window.kind == "suspend-import":
        return change.direction is Direction.IMPORT
    return False


def apply_windows(
    windows: Iterable[Window],
    today: date,
    changes: ChangeLog,
    suppressed: list[Suppressed],
) -> tuple[ChangeLog, list[Suppressed]]:
    """Move the changes an active window holds back into `suppressed`, with the reason."""
    active = active_windows(windows, today)
    if not active:
        return changes, suppressed
    kept = ChangeLog()
    held = list(suppressed)
    for change in changes.appended():
        window = next((w for w in active if _held_by(w, change)), None)
        if window is None:
            kept.append(change)
        else:
            held.append(
                Suppressed(change.entity, change.key, change.action, change.direction, _why(window))
            )
    return kept, held


def export_closed_note(until: date) -> str:
    return f"export_until {until} has passed: nothing is exported"


def export_closed(activation: Activation, today: date) -> str:
    """Why nothing is exported today ("" when exports are open): export_until has passed,
    or the privacy agreement the activation names has expired."""
    if activation.export_until is not None and today > activation.export_until:
        return export_closed_note(activation.export_until)
    agreement = activation.agreement
    if agreement is not None and agreement.expired(today):
        return (
            f"the privacy agreement {agreement.file} with {agreement.vendor} expired on "
            f"{agreement.expires}: nothing is exported"
        )
    return ""
