"""Marketing activity pages: the shared record and import view tests."""
import pytest

from crm.generic.testing import ImportViewTests, RecordViewTests
from marketing.tests.factories import MarketingActivityFactory, full_marketing_activity

pytestmark = pytest.mark.django_db


class TestMarketingActivityViews(RecordViewTests, ImportViewTests):
    record_type = "marketing_activity"
    factory = MarketingActivityFactory
    title_field = "name"
    form_data = {"name": "Spring mailing", "start_date": "2026-05-04", "end_date": "2026-05-30", "budget": "1200.00"}
    bulk_edit_data = {"field": "budget", "value": "800.00"}
    import_key = "ID"
    import_change = ("Name", "name", "Spring mailing, second wave")

    def full_record(self):
        return full_marketing_activity()
