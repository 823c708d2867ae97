from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The owner-customizable lists of the contact-management base. An app
    built on it declares its own lists the same way (a ``TextChoices``) and
    adds them with ``register_list_kinds`` in its ``AppConfig.ready``."""

    SOURCE = "source", _("Source")
    MARKETING_ACTIVITY_TYPE = "marketing_activity_type", _("Marketing activity type")


# Every customizable list: value → label, in the order Customize ▸ Lists shows them.
_kinds: dict[str, str] = dict(ListKind.choices)


def register_list_kinds(kinds: type[models.TextChoices]) -> None:
    """Add an app's customizable lists: they show in Customize ▸ Lists and are
    valid kinds of ``ListValue``. Registering the same list again changes nothing;
    another app's list of the same value is a configuration error."""
    for value, label in kinds.choices:
        known = _kinds.get(value)
        if known is not None and str(known) != str(label):
            raise ImproperlyConfigured(f"The customizable list “{value}” is registered twice ({known}, {label}).")
        _kinds[value] = label


def list_kind_choices() -> list[tuple[str, str]]:
    """The choices of ``ListValue.kind``: every registered list. A callable, so
    the apps' lists are read when needed and migrations name this function,
    never the lists (choices are not part of the schema)."""
    return list(_kinds.items())


def list_kind_label(value: str) -> str | None:
    """The label of the customizable list ``value``, or None if there is no such list."""
    return _kinds.get(value)


class ListValue(models.Model):
    """One value of a customizable list (e.g. Source ▸ "Trade show").

    Records point at values with a foreign key, so renaming a value updates
    every record that uses it; deleting one in use needs a replacement
    (``crm.services.list_value_delete``).
    """

    kind = models.CharField(_("list"), max_length=40, choices=list_kind_choices)
    name = models.CharField(_("value"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "name"]
        verbose_name = _("list value")
        verbose_name_plural = _("list values")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="listvalue_unique_name_per_list")]

    def __str__(self) -> str:
        return self.name
