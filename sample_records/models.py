"""The site visit: a record type declared the way every record type is, as the
worked example of docs/adding-a-record-type.md (a test-only app)."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.generic.links import LinkedRecord
from crm.models.base import Record


class SiteVisit(Record):
    """A visit to a customer's site, for one account or one business contact."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("Site survey")
        INSTALLATION = "installation", _("Installation")
        SERVICE = "service", _("Service call")

    title = models.CharField(_("title"), max_length=200)
    visit_date = models.DateField(_("visit date"))
    kind = models.CharField(_("kind of visit"), max_length=20, choices=Kind.choices, default=Kind.SURVEY)
    expenses = models.DecimalField(_("expenses"), max_digits=12, decimal_places=2, null=True, blank=True,
                                   validators=[MinValueValidator(Decimal(0))])
    # PROTECT: the link is required, so an account or contact with visits is not
    # deleted from under them (the delete is refused, naming the visits).
    account = models.ForeignKey("crm.Account", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="site_visits")
    contact = models.ForeignKey("crm.BusinessContact", verbose_name=_("business contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="site_visits")
    linked = LinkedRecord("account", "contact", required=True, verbose_name=_("Link to"),
                          help_text=_("The account or business contact visited."),
                          message=_("Link the site visit to one account or one business contact."))

    lookup_fields = ("title",)
    search_fields = ("title",)

    class Meta:
        ordering = ["-visit_date", "-id"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        # One index per sortable column (crm.generic.views.list_ordering).
        indexes = [
            models.Index(Lower("title"), F("id"), F("title"), name="sitevisit_title_idx"),
            models.Index(F("visit_date"), F("id"), name="sitevisit_date_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def primary_email(self) -> str:
        """E-mail and Meeting request write to the account or contact visited."""
        linked = self.linked
        return linked.primary_email() if linked else ""

    def email_recipient_name(self) -> str:
        return str(self.linked or "")
