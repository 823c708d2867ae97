"""Who may do what: sales staff versus the database owner."""
from django.contrib.auth.mixins import UserPassesTestMixin

OWNER_GROUP = "Database owners"


def is_owner(user) -> bool:
    """A database owner is an active superuser or a member of "Database owners".

    Only database owners customize lists, categories, sales stages and
    scoring criteria, and only they may use the Django admin.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # Cached per request object so a page that asks several times runs one query.
    cached = getattr(user, "_crm_is_owner", None)
    if cached is None:
        cached = user.groups.filter(name=OWNER_GROUP).exists()
        user._crm_is_owner = cached
    return cached


class OwnerRequiredMixin(UserPassesTestMixin):
    """Class-based views for customization: others get 403, never a redirect loop."""

    raise_exception = True

    def test_func(self) -> bool:
        return is_owner(self.request.user)
