"""Leads: business contacts that may become customers.

How they are scored (criteria, ticks, the formula) is crm's: the criteria
score business contacts too (``crm.models.scoring``, ``crm.scoring``)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import BusinessContact


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
