"""The version a form was read at, as a page posts it back."""

from __future__ import annotations


def posted_version(data, name: str = "version") -> int:
    """The version in a posted form; 0 when it is missing, not a number or more than a version
    column holds, which every versioned write refuses as stale (never a 500, never a write over
    a newer version)."""
    try:
        version = int(data.get(name) or 0)
    except (TypeError, ValueError):
        return 0
    return version if 0 < version < 2**31 else 0
