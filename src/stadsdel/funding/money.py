"""How amounts are written: in the services' messages, the e-mails and the pages alike."""

from __future__ import annotations


def kr(amount: int) -> str:
    """Whole kronor with a space as thousands separator, as Swedish documents write them."""
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"
