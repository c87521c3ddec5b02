"""The demo's logins: one per role, an administrator, and the members the fund and tests add,
all synthetic (invented usernames, one known password). The builder, the fund and the tests
take them from here, so no demo module imports the builder back."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import Organisation

DEMO_PASSWORD = "stadsdel-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation_key: str
    description: str


DEMO_LOGINS = [
    DemoLogin("departementet", Role.MINISTRY, "arbetsmarknadsdepartementet", "Regeringskansliet, nationell behörighet"),
    DemoLogin("haninge", Role.MUNICIPALITY, "haninge_kommun", "samordnare, Haninge kommun (Jordbro)"),
    DemoLogin("malmo", Role.MUNICIPALITY, "malmo_kommun", "samordnare, Malmö kommun"),
    DemoLogin("forsakringskassan", Role.AGENCY, "forsakringskassan", "Försäkringskassan, partner i Jordbro"),
    DemoLogin("analytiker", Role.ANALYST, "stockholms_kommun", "statistiker, Stockholms kommun"),
    DemoLogin("namnd", Role.COMMITTEE_MEMBER, "stockholm_rinkeby_kista_stadsdelsnamnd", "ledamot, Rinkeby-Kista stadsdelsnämnd"),
]
ADMIN_USERNAME = "admin"


def demo_users_create() -> list[DemoLogin]:
    """One login per role (and an administrator), all with the demo password."""
    User = get_user_model()
    admin, _ = User.objects.get_or_create(username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True})
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    for login in DEMO_LOGINS:
        user, _ = User.objects.get_or_create(username=login.username)
        user.set_password(DEMO_PASSWORD)
        # A synthetic address under example.org (reserved, delivers nowhere), so the deadline
        # reminders have someone to write to; the demo's mail goes to the console anyway.
        user.email = user.email or f"{login.username}@example.org"
        user.save()
        Membership.objects.get_or_create(
            user=user, organisation=Organisation.objects.get(key=login.organisation_key), role=login.role
        )
    return DEMO_LOGINS


def member_create(username: str, organisation_key: str, role: str = Role.COMMITTEE_MEMBER, *,
                  password: str | None = None, email: str = ""):
    """A user (created when missing) with a membership of the organisation in the role."""
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    if password:
        user.set_password(password)
        user.save()
    Membership.objects.get_or_create(user=user, organisation=Organisation.objects.get(key=organisation_key),
                                     role=role)
    return user
