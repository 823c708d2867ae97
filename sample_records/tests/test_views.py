"""Site visit pages: the shared record and import view tests, and what they do
not cover of a type with a required "account or business contact" link."""
import pytest

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.tests.factories import AccountFactory
from sample_records.tests.factories import SiteVisitFactory, full_site_visit

pytestmark = pytest.mark.django_db

class TestSiteVisitViews(RecordViewTests, ImportViewTests):
    record_type = "site_visit"
    factory = SiteVisitFactory
    title_field = "title"
    form_data = {"title": "Roof survey", "visit_date": "2026-05-04", "kind": "survey"}
    bulk_edit_data = {"field": "expenses", "value": "80.00"}
    import_key = "ID"
    import_change = ("Title", "title", "Roof survey, second day")

    def full_record(self):
        return full_site_visit()

    def post_data(self, **overrides) -> dict:
        if not hasattr(self, "_account"):
            self._account = AccountFactory(name="Visited Account")
        return {**self.form_data, "linked": f"account:{self._account.pk}", **overrides}


def test_expenses_show_with_the_currency_on_the_list_and_the_record_page(staff_client):
    from django.urls import reverse

    visit = full_site_visit()
    staff_client.post(reverse("sample_records:site_visit_columns"), {"columns": ["title", "expenses"]})
    listed = staff_client.get(reverse("sample_records:site_visit_list"))
    assert "$1,250.50</span>" in listed.content.decode()
    page = staff_client.get(reverse("sample_records:site_visit_detail", args=[visit.pk])).content.decode()
    assert '<dd class="col-sm-8">$1,250.50</dd>' in page
