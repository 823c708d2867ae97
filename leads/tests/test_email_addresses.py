"""The lead import accepts exactly the e-mail addresses the forms accept (one
validator, crm.validators.validate_email), internationalised ones included."""
import pytest

from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.tests.test_email_addresses import INTERNATIONAL
from leads.models import Lead


@pytest.mark.django_db
def test_the_import_accepts_what_the_form_accepts(staff_client):
    rows = [["Full Name", "E-mail Address"]] + [[f"Person {i}", address] for i, address in enumerate(INTERNATIONAL)]
    response = import_upload(staff_client, "/leads/import/", "idn.csv", csv_bytes(rows))
    assert response.context["counts"]["new"] == len(INTERNATIONAL) and response.context["counts"]["error"] == 0
    import_confirm(staff_client, "/leads/import/", response)
    assert sorted(Lead.objects.values_list("email", flat=True)) == sorted(INTERNATIONAL)
