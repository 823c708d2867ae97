"""Leads are business contacts with ``is_lead`` set (a proxy model)."""
from django.urls import reverse

from crm.models import BusinessContact
from leads.models import Lead


def test_lead_urls_match_reverse():
    """get_absolute_url() reverses each URL name once (crm.generic.registry.pk_url).
    A lead is a row with ``is_lead`` set (its URL follows the row, not the class)."""
    for make, name in [(lambda pk: Lead(pk=pk, is_lead=True), "leads:lead_detail"),
                       (lambda pk: BusinessContact(pk=pk, is_lead=True), "leads:lead_detail")]:
        for pk in (1, 987654321, 12):
            obj = make(pk=pk)
            assert obj.get_absolute_url() == reverse(name, args=[pk])
