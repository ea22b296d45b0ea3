"""The one place that wires config -> store -> connector -> mapping -> plan -> apply.

The CLI calls these functions and renders what they return; they never print.
"""

from __future__ import annotations

from passport.runner.admin import (
    Copied,
    HeldLocks,
    Migrated,
    copy_whole_store,
    find_run,
    held_locks,
    history,
    migrate_store,
    unlock,
)
from passport.runner.applying import (
    Applied,
    ApplyOptions,
    apply,
    apply_activation,
    apply_saved,
    install_checkpoint,
    is_saved_plan,
)
from passport.runner.logins import google_login, google_logout
from passport.runner.planning import Planned, outgoing_transform, plan, planned
from passport.runner.plans import FailedPlan, PlanSet, plan_many
from passport.runner.secret_check import check_secrets, secret_references
from passport.runner.settings import Settings, bulk_work, load, load_all, opened_store

__all__ = [
    "Applied",
    "ApplyOptions",
    "Copied",
    "FailedPlan",
    "HeldLocks",
    "Migrated",
    "PlanSet",
    "Planned",
    "Settings",
    "apply",
    "apply_activation",
    "apply_saved",
    "bulk_work",
    "check_secrets",
    "copy_whole_store",
    "find_run",
    "google_login",
    "google_logout",
    "held_locks",
    "history",
    "install_checkpoint",
    "is_saved_plan",
    "load",
    "load_all",
    "migrate_store",
    "opened_store",
    "outgoing_transform",
    "plan",
    "plan_many",
    "planned",
    "secret_references",
    "unlock",
]
