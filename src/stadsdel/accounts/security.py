"""Sign-in events for the security log, and the client address sign-in lockout counts by.

Every sign-in, failed sign-in, sign-out and lockout is written to the "stadsdel.security" logger
(the operator routes it to their log system); django-axes records the same in the database
(AccessLog, AccessFailureLog, AccessAttempt), which the admin shows. Passwords are never logged.
"""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("stadsdel.security")


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind STADSDEL_PROXY_COUNT proxies that each append
    the address they saw to X-Forwarded-For, the entry the outermost proxy wrote. Entries to its
    left come from the client and prove nothing."""
    count = getattr(settings, "STADSDEL_PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def _where(request) -> str:
    if request is None:
        return "no request"
    return client_ip(request) or "-"


@receiver(user_logged_in, dispatch_uid="stadsdel_security_logged_in")
def _logged_in(sender, request, user, **kwargs):
    log.info("sign-in: user=%s ip=%s", user.get_username(), _where(request))


@receiver(user_logged_out, dispatch_uid="stadsdel_security_logged_out")
def _logged_out(sender, request, user, **kwargs):
    log.info("sign-out: user=%s ip=%s", user.get_username() if user else "-", _where(request))


@receiver(user_login_failed, dispatch_uid="stadsdel_security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is logged.
    log.warning("failed sign-in: user=%s ip=%s", credentials.get("username", "-"), _where(request))


@receiver(user_locked_out, dispatch_uid="stadsdel_security_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    log.warning("locked out after repeated failures: user=%s ip=%s", username, ip_address)
