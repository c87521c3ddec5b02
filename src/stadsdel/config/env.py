"""Small typed readers for settings from the environment.

They fail loudly: a misspelt boolean or a malformed URL stops start-up with a message that names
the variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os


class ImproperlyConfiguredEnv(RuntimeError):
    """An environment variable holds a value the settings cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_origins(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of origins (scheme and host, e.g. `https://stadsdel.example.se`),
    as CSRF_TRUSTED_ORIGINS needs them; a bare host name is refused rather than ignored."""
    origins = env_list(name, default)
    for origin in origins:
        scheme, sep, host = origin.partition("://")
        if not sep or scheme not in {"http", "https"} or not host or "/" in host:
            raise ImproperlyConfiguredEnv(
                f"{name}: {origin!r} is not an origin (write it as https://host or https://host:port)"
            )
    return origins


def env_header(name: str) -> tuple[str, str] | None:
    """A request header and the value that marks it, written `Header-Name: value` (e.g.
    `X-Forwarded-Proto: https`), returned the way Django's request.META names it
    (`("HTTP_X_FORWARDED_PROTO", "https")`); None when the variable is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, sep, value = (part.strip() for part in raw.partition(":"))
    if not sep or not header or not value or not header.replace("-", "").isalnum():
        raise ImproperlyConfiguredEnv(
            f"{name}={raw!r} is not a header and value (write it as 'X-Forwarded-Proto: https')"
        )
    return "HTTP_" + header.upper().replace("-", "_"), value
