"""Marketing activities: the campaigns, mailings and events that bring in
leads and opportunities.

The model lives in the contact-management base (not in the ``marketing``
app with its pages) because a business contact's or lead's "Initiated by"
is a foreign key to it, and the base depends on no app built on it. The
``marketing`` app declares the record type's pages and the tracking page
(which reads leads and opportunities)."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .base import Record
from .lists import ListKind


class MarketingActivity(Record):
    """A direct mail, e-mail campaign, event, advertisement, … with its dates
    and budget; leads and opportunities name it as what initiated them."""

    name = models.CharField(_("name"), max_length=200)
    activity_type = models.ForeignKey(
        "crm.ListValue", verbose_name=_("type"), null=True, blank=True, on_delete=models.PROTECT,
        limit_choices_to={"kind": ListKind.MARKETING_ACTIVITY_TYPE}, related_name="+")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))])

    lookup_fields = ("name",)
    search_fields = ("name",)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("marketing activity")
        verbose_name_plural = _("marketing activities")
        # One index per sortable column (crm.generic.views.lists.list_ordering).
        indexes = [
            models.Index(Lower("name"), F("id"), F("name"), name="marketing_name_idx"),
            models.Index(F("start_date"), F("id"), name="marketing_start_idx"),
            models.Index(F("end_date"), F("id"), name="marketing_end_idx"),
            models.Index(F("budget"), F("id"), name="marketing_budget_idx"),
            models.Index(F("assigned_to"), Lower("name"), F("id"), name="marketing_assigned_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.link_errors()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = [_("The end date cannot be before the start date.")]
        if errors:
            raise ValidationError(errors)
