"""Reads of memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from stadsdel.accounts.models import Membership


def membership_list(*, user) -> QuerySet[Membership]:
    """The organisations and roles a user acts in (empty for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
