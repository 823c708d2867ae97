"""Leads: business contacts that may become customers, and how they are scored."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import BusinessContact
from leads import scoring


class LeadManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(is_lead=True)


class Lead(BusinessContact):
    """A lead is a business contact record with ``is_lead`` set: converting it
    clears the flag, so every field, link, category and history item stays."""

    objects = LeadManager()

    class Meta:
        proxy = True
        verbose_name = _("lead")
        verbose_name_plural = _("leads")


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
        verbose_name = _("criterion met")
        verbose_name_plural = _("criteria met")
        constraints = [models.UniqueConstraint(fields=["contact", "criterion"], name="criterionmet_unique")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.criterion}"
