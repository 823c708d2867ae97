"""The shared record view tests, applied to accounts and business contacts."""
from crm.generic.testing import RecordViewTests
from crm.tests.factories import AccountFactory, ContactFactory


class TestAccountViews(RecordViewTests):
    record_type = "account"
    factory = AccountFactory
    title_field = "name"
    form_data = {"name": "Acme Industries", "business_city": "Oslo"}
    bulk_edit_data = {"field": "business_city", "value": "Bergen"}


class TestContactViews(RecordViewTests):
    record_type = "contact"
    factory = ContactFactory
    title_field = "full_name"
    form_data = {"full_name": "Anna Hansen", "business_city": "Lyon"}
    bulk_edit_data = {"field": "job_title", "value": "Buyer"}
