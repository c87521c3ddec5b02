"""Authentication backends."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS: a username and address that
    failed too often are refused before any password is checked.

    Unlike axes' own backend it lets a sign-in without a request pass on to the next backend
    instead of raising: such a call (a management command, a test checking a password with
    `authenticate(username=…, password=…)` or `Client.login()`) comes from someone who already
    runs code on the server, and has no client address to count failures against. Every web
    sign-in (Django's LoginView, the admin's) passes its request, so it is always checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
