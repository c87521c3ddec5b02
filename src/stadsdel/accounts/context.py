"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from stadsdel import __version__
from stadsdel.accounts.scoping import scope_for
from stadsdel.accounts.selectors import membership_list


def site(request):
    user = getattr(request, "user", None)
    return {
        "stadsdel_version": __version__,
        # Lazy: the query runs only on pages that render the user menu, once per request.
        "user_memberships": SimpleLazyObject(lambda: list(membership_list(user=user))),
        # Lazy too: only the signed-in user menu asks, and scope_for caches on the user.
        "can_import_statistics": SimpleLazyObject(lambda: scope_for(user).imports_statistics),
    }
