from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The owner-customizable lists. Later apps add their lists here."""

    SOURCE = "source", _("Source")
    OPPORTUNITY_TYPE = "opportunity_type", _("Opportunity type")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")


class ListValue(models.Model):
    """One value of a customizable list (e.g. Source ▸ "Trade show").

    Records point at values with a foreign key, so renaming a value updates
    every record that uses it; deleting one in use needs a replacement
    (``crm.services.list_value_delete``).
    """

    kind = models.CharField(_("list"), max_length=40, choices=ListKind.choices)
    name = models.CharField(_("value"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "name"]
        verbose_name = _("list value")
        verbose_name_plural = _("list values")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="listvalue_unique_name_per_list")]

    def __str__(self) -> str:
        return self.name
