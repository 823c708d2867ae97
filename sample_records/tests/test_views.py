"""Site visit pages: the shared record and import view tests, and what they do
not cover of a type with a required "account or business contact" link."""
import pytest

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.tests.factories import AccountFactory
from sample_records.tests.factories import SiteVisitFactory, full_site_visit

pytestmark = pytest.mark.django_db

# Defects of crm/generic/imports.py that this type meets and the types before it
# did not (their importers derive fields and have no amount to import). Reported,
# not fixed here (another change owns the file); strict, so the fix turns these
# into failures that say to drop the mark:
# - Importer._prepare builds ``operator.itemgetter()`` of no fields when a file
#   has no new row and the importer derives no field: a 500 on every file that
#   only updates or repeats records (Expected: the preview);
# - parser_for has no DecimalField branch: "1250.50" is compared as text with
#   Decimal("1250.50"), so an exported visit imports back as "updated".
IMPORTS_OF_AMOUNTS = pytest.mark.xfail(strict=True, reason=(
    "crm.generic.imports: itemgetter() of no fields in Importer._prepare, and no Decimal parser in parser_for"))


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

    @IMPORTS_OF_AMOUNTS
    def test_import_of_empty_cells_changes_nothing_csv(self, staff_client, staff):
        super().test_import_of_empty_cells_changes_nothing_csv(staff_client, staff)

    @IMPORTS_OF_AMOUNTS
    def test_import_of_empty_cells_changes_nothing_xlsx(self, staff_client, staff):
        super().test_import_of_empty_cells_changes_nothing_xlsx(staff_client, staff)

    @IMPORTS_OF_AMOUNTS
    def test_export_imports_back_unchanged_csv(self, staff_client, staff):
        super().test_export_imports_back_unchanged_csv(staff_client, staff)

    @IMPORTS_OF_AMOUNTS
    def test_export_imports_back_unchanged_xlsx(self, staff_client, staff):
        super().test_export_imports_back_unchanged_xlsx(staff_client, staff)

    @IMPORTS_OF_AMOUNTS
    def test_one_changed_cell_changes_that_field_only_csv(self, staff_client, staff):
        super().test_one_changed_cell_changes_that_field_only_csv(staff_client, staff)

    @IMPORTS_OF_AMOUNTS
    def test_one_changed_cell_changes_that_field_only_xlsx(self, staff_client, staff):
        super().test_one_changed_cell_changes_that_field_only_xlsx(staff_client, staff)
