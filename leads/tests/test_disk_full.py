"""A full disk (issue: hole 10): an import upload the disk refuses gives a
clear error, leaves no empty or partial file and saves nothing."""
import pytest

from crm.generic.testing import csv_bytes, disk_full, import_upload
from crm.tests.test_disk_full import DISK_FULL, stored_files
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_an_import_upload_on_a_full_disk(staff_client, settings):
    with disk_full(settings.MEDIA_ROOT):
        response = import_upload(staff_client, "/leads/import/", "leads.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    assert response.status_code == 200 and response.context["step"] == "upload"
    assert DISK_FULL in response.content.decode()
    assert stored_files(settings) == [] and not Lead.objects.exists()
    assert not staff_client.session.get("crm_imports")
