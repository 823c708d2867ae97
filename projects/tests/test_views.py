"""Business project and project task pages: the shared record and import view
tests (the form round trip, a stale form, the untouched filter, an import that
keeps what the file does not say)."""
import pytest

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.tests.factories import AccountFactory
from projects.tests.factories import (
    ProjectFactory, ProjectTaskFactory, full_project, full_project_task, project_related_state,
)

pytestmark = pytest.mark.django_db


class TestProjectViews(RecordViewTests, ImportViewTests):
    record_type = "project"
    factory = ProjectFactory
    title_field = "name"
    form_data = {"name": "Office move", "status": "not_started", "priority": "normal"}
    bulk_edit_data = {"field": "start_date", "value": "2026-05-04"}
    import_key = "ID"
    import_change = ("Project Name", "name", "Office move, phase two")

    def full_record(self):
        return full_project()

    def related_state(self, record) -> dict:
        return project_related_state(record)

    def post_data(self, **overrides) -> dict:
        if not hasattr(self, "_account"):
            self._account = AccountFactory(name="Linked Account")
        return {**self.form_data, "linked": f"account:{self._account.pk}", **overrides}


class TestProjectTaskViews(RecordViewTests, ImportViewTests):
    record_type = "project_task"
    factory = ProjectTaskFactory
    title_field = "subject"
    form_data = {"subject": "Order the cables", "status": "not_started", "priority": "normal",
                 "percent_complete": "0"}
    bulk_edit_data = {"field": "start_date", "value": "2026-05-04"}
    import_key = "ID"
    import_change = ("Subject", "subject", "Order the cables, twice")

    def full_record(self):
        return full_project_task()

    def post_data(self, **overrides) -> dict:
        if not hasattr(self, "_project"):
            self._project = ProjectFactory(name="Linked Project")
        return {**self.form_data, "in_project": str(self._project.pk), **overrides}
