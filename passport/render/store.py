"""What `passport store migrate` and `passport store copy` report."""

from __future__ import annotations

from collections.abc import Sequence

from passport.store.copy import Contents


def render_migrated(url: str, applied: Sequence[int], version: int) -> str:
    if applied:
        listed = ", ".join(str(v) for v in applied)
        return f"Migrated the store at {url} to schema version {version} ({listed})."
    return f"The store at {url} is up to date (schema version {version})."


def render_copied(source: str, target: str, copied: Contents) -> str:
    """What a verified copy holds: records per entity, base, watermarks and runs."""
    lines = [f"Copied {source} to {target} and verified it:"]
    lines += [f"  {entity:<16} {count:>12,} records" for entity, count in copied.records.items()]
    base = sum(count for count, _ in copied.base.values())
    activations = sorted({activation for activation, _ in copied.base})
    marks = sum(len(m) for m in copied.watermarks.values())
    lines.append(f"  {'base':<16} {base:>12,} rows of {len(activations)} activation(s)")
    lines.append(f"  {'watermarks':<16} {marks:>12,}")
    lines.append(f"  {'runs':<16} {copied.runs:>12,}")
    lines.append("  counts and digests match")
    return "\n".join(lines)
