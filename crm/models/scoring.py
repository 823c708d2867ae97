"""Lead scoring criteria and the ticks on leads and business contacts.

They score business contacts as well as leads (a lead is a business contact
with ``is_lead`` set), so they belong to crm. They were created by the leads
app: their tables keep the names it gave them (``db_table``), and crm
migration 0013 took them over without touching the data.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm import scoring

from .contacts import BusinessContact


class ScoringCriterion(models.Model):
    """One lead scoring criterion ("Has a budget", weight High)."""

    class Weight(models.IntegerChoices):
        LOW = scoring.LOW, _("Low")
        NORMAL = scoring.NORMAL, _("Normal")
        HIGH = scoring.HIGH, _("High")

    description = models.CharField(_("description"), max_length=200, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"), choices=Weight.choices, default=Weight.NORMAL)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "leads_scoringcriterion"
        ordering = ["position", "id"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("lead scoring criteria")

    def __str__(self) -> str:
        return self.description


class CriterionMet(models.Model):
    """A criterion ticked on a lead or business contact."""

    contact = models.ForeignKey(BusinessContact, on_delete=models.CASCADE, related_name="criteria_met")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="met_by")

    class Meta:
        db_table = "leads_criterionmet"
        verbose_name = _("criterion met")
        verbose_name_plural = _("criteria met")
        constraints = [models.UniqueConstraint(fields=["contact", "criterion"], name="criterionmet_unique")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.criterion}"
