"""Shared view tests for record types (NetBox's ViewTestCases, for pytest).

A record type's test class inherits ``RecordViewTests`` and declares data:

    class TestAccountViews(RecordViewTests):
        record_type = "account"
        factory = AccountFactory
        title_field = "name"
        form_data = {"name": "Acme"}
        bulk_edit_data = {"field": "business_city", "value": "Oslo"}

and gets list, sorting, filtering, reading pane, detail, create (Save & Close,
Save & New), validation, escaping, edit, stale-edit conflict, delete, bulk
actions, change history and print tests.
"""
from __future__ import annotations

from django.urls import reverse

from crm.generic import registry
from crm.models import Category, ChangeLogEntry


class RecordViewTests:
    record_type: str = ""
    factory = None
    title_field: str = ""
    form_data: dict = {}
    bulk_edit_data: dict = {}
    # The user, the count, the page's ids, its rows, their category badges and the
    # filter choices (users, sources, categories). Outside a test's transaction the
    # count comes from the cache, after one query for the data version.
    max_list_queries = 8

    # --- helpers ---------------------------------------------------------
    @property
    def rtype(self) -> registry.RecordType:
        return registry.get(self.record_type)

    @property
    def model(self):
        return self.rtype.model

    def url(self, action: str, *args) -> str:
        return reverse(self.rtype.url_name(action), args=args)

    def count(self) -> int:
        return self.rtype.queryset().count()

    def post_data(self, **overrides) -> dict:
        return {**self.form_data, **overrides}

    # --- list ------------------------------------------------------------
    def test_list_needs_sign_in(self, client, db):
        response = client.get(self.url("list"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_list_shows_records_and_count(self, staff_client):
        records = self.factory.create_batch(3)
        response = staff_client.get(self.url("list"))
        assert response.status_code == 200
        body = response.content.decode()
        for record in records:
            assert str(record) in body
        assert "3 records" in body

    def test_list_query_count_does_not_grow_with_rows(self, staff_client, django_assert_max_num_queries, staff):
        category = Category.objects.create(name="Key")
        for record in self.factory.create_batch(5, assigned_to=staff):
            record.categories.add(category)
        with django_assert_max_num_queries(self.max_list_queries) as small:
            staff_client.get(self.url("list"))
        for record in self.factory.create_batch(60, assigned_to=staff):
            record.categories.add(category)
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = staff_client.get(self.url("list"))
        assert response.status_code == 200

    def test_every_sortable_column_sorts(self, staff_client):
        self.factory.create_batch(3)
        table = self._table_class()
        for column in table.base_columns:
            if not table.base_columns[column].orderable:
                continue
            for alias in (column, f"-{column}"):
                response = staff_client.get(self.url("list"), {"sort": alias})
                assert response.status_code == 200, alias

    def test_sorting_by_title_orders_rows(self, staff_client):
        for name in ("Charlie", "alpha", "Bravo"):
            self.factory(**{self.title_field: f"{name} sorting"})
        body = staff_client.get(self.url("list"), {"sort": f"-{self._title_column()}"}).content.decode()
        positions = [body.index(f"{n} sorting") for n in ("Charlie", "Bravo", "alpha")]
        assert positions == sorted(positions)

    def test_search_filters_the_list(self, staff_client):
        self.factory(**{self.title_field: "Zebulon Findme"})
        self.factory(**{self.title_field: "Other Record"})
        response = staff_client.get(self.url("list"), {"q": "findme"})
        body = response.content.decode()
        assert "Zebulon Findme" in body and "Other Record" not in body
        assert "1 record" in body

    def test_category_filter(self, staff_client):
        tagged, untagged = self.factory(), self.factory()
        category = Category.objects.create(name="Hot")
        tagged.categories.add(category)
        body = staff_client.get(self.url("list"), {"category": category.pk}).content.decode()
        assert str(tagged) in body and str(untagged) not in body

    def test_htmx_list_request_returns_only_the_results(self, staff_client):
        self.factory()
        response = staff_client.get(self.url("list"), headers={"HX-Request": "true", "HX-Target": "results"})
        body = response.content.decode()
        assert "<table" in body and "<html" not in body

    def test_page_past_the_end_shows_the_last_page(self, staff_client):
        self.factory.create_batch(2)
        response = staff_client.get(self.url("list"), {"page": 999})
        assert response.status_code == 200 and "2 records" in response.content.decode()

    # --- detail and reading pane ------------------------------------------
    def test_detail_and_reading_pane(self, staff_client):
        record = self.factory()
        response = staff_client.get(self.url("detail", record.pk))
        assert response.status_code == 200 and str(record) in response.content.decode()
        pane = staff_client.get(self.url("detail", record.pk), headers={"HX-Request": "true", "HX-Target": "reading-pane"})
        assert str(record) in pane.content.decode() and "<html" not in pane.content.decode()

    def test_missing_record_is_404(self, staff_client):
        assert staff_client.get(self.url("detail", 999999)).status_code == 404

    # --- create / edit ------------------------------------------------------
    def test_create_save_and_close(self, staff_client, staff):
        response = staff_client.post(self.url("add"), self.post_data(_save_close="1"))
        assert response.status_code == 302, response.content.decode()[:3000]
        record = self.rtype.queryset().get(**{self.title_field: self.form_data[self.title_field]})
        assert response["Location"] == record.get_absolute_url()
        assert record.created_by == staff
        entry = ChangeLogEntry.objects.get(object_id=record.pk, action="create")
        assert entry.user == staff

    def test_create_save_and_new(self, staff_client):
        response = staff_client.post(self.url("add"), self.post_data(_save_new="1"))
        assert response.status_code == 302 and response["Location"] == self.url("add")
        assert self.count() == 1

    def test_missing_required_name_is_refused(self, staff_client):
        data = self.post_data(**{self.title_field: "", "comments": "Typed text is kept"})
        response = staff_client.post(self.url("add"), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert "This field is required." in body
        assert "Typed text is kept" in body
        assert self.count() == 0

    def test_too_long_text_is_refused(self, staff_client):
        max_length = self.model._meta.get_field(self.title_field).max_length
        response = staff_client.post(self.url("add"), self.post_data(**{self.title_field: "x" * (max_length + 1)}))
        assert response.status_code == 200
        assert f"Ensure this value has at most {max_length} characters" in response.content.decode()
        assert self.count() == 0

    def test_html_in_names_is_escaped(self, staff_client):
        record = self.factory(**{self.title_field: '<script>alert("x")</script>'})
        for url in (self.url("list"), self.url("detail", record.pk)):
            body = staff_client.get(url).content.decode()
            assert '<script>alert("x")</script>' not in body
            assert "&lt;script&gt;" in body

    def test_edit_saves_and_logs_what_changed(self, staff_client, staff):
        record = self.factory()
        old = str(record)
        data = self.post_data(version=record.version, _save_close="1")
        response = staff_client.post(self.url("edit", record.pk), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        record.refresh_from_db()
        assert getattr(record, self.title_field) == self.form_data[self.title_field]
        assert record.version == 2
        entry = ChangeLogEntry.objects.get(object_id=record.pk, action="update")
        assert entry.changes[self.title_field]["old"] == old
        assert entry.changes[self.title_field]["new"] == self.form_data[self.title_field]
        changes_page = staff_client.get(self.url("changelog", record.pk)).content.decode()
        assert "Alice Martin" in changes_page and self.form_data[self.title_field] in changes_page

    def test_stale_edit_is_refused_and_keeps_the_input(self, client, staff, other_staff):
        record = self.factory(**{self.title_field: "Original"})
        loaded_version = record.version
        # Bob saves first.
        client.force_login(other_staff)
        client.post(self.url("edit", record.pk), self.post_data(**{self.title_field: "Bob's title"}, version=loaded_version))
        # Alice saves the copy she loaded before Bob's save.
        client.force_login(staff)
        response = client.post(self.url("edit", record.pk),
                               self.post_data(**{self.title_field: "Alice's title"}, version=loaded_version))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Bob Nowak changed this record while you were editing it" in body
        assert "Bob&#x27;s title" in body          # what Bob changed is shown
        assert 'value="Alice&#x27;s title"' in body  # what Alice typed is kept
        record.refresh_from_db()
        assert getattr(record, self.title_field) == "Bob's title"
        # Saving again on purpose keeps Alice's version.
        response = client.post(self.url("edit", record.pk),
                               self.post_data(**{self.title_field: "Alice's title"}, version=record.version))
        assert response.status_code == 302
        record.refresh_from_db()
        assert getattr(record, self.title_field) == "Alice's title"

    # --- delete ---------------------------------------------------------------
    def test_delete_with_confirmation(self, staff_client):
        record = self.factory()
        assert "Yes, delete" in staff_client.get(self.url("delete", record.pk)).content.decode()
        response = staff_client.post(self.url("delete", record.pk))
        assert response.status_code == 302
        assert not self.model._base_manager.filter(pk=record.pk).exists()
        assert ChangeLogEntry.objects.filter(object_id=record.pk, action="delete").exists()

    # --- bulk actions -------------------------------------------------------
    def test_bulk_assign(self, staff_client, other_staff):
        records = self.factory.create_batch(3)
        pks = [r.pk for r in records[:2]]
        page = staff_client.post(self.url("bulk", "assign"), {"pk": pks})
        assert "2 records selected" in page.content.decode()
        response = staff_client.post(self.url("bulk", "assign"), {"pk": pks, "assignee": other_staff.pk, "_apply": "1"})
        assert response.status_code == 302
        assert set(self.model._base_manager.filter(assigned_to=other_staff).values_list("pk", flat=True)) == set(pks)
        assert ChangeLogEntry.objects.filter(action="update", object_id__in=pks).count() == 2

    def test_bulk_edit_sets_one_field(self, staff_client):
        records = self.factory.create_batch(2)
        data = {"pk": [r.pk for r in records], "_apply": "1", **self.bulk_edit_data}
        response = staff_client.post(self.url("bulk", "edit"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        field = self.bulk_edit_data["field"]
        for record in records:
            record.refresh_from_db()
            assert str(getattr(record, field)) == str(self.bulk_edit_data["value"])

    def test_bulk_edit_clear_the_value(self, staff_client):
        field = self.bulk_edit_data["field"]
        records = self.factory.create_batch(2, **{field: self.bulk_edit_data["value"]})
        response = staff_client.post(self.url("bulk", "edit"),
                                     {"pk": [r.pk for r in records], "_apply": "1", "field": field, "clear": "on"})
        assert response.status_code == 302
        for record in records:
            record.refresh_from_db()
            assert getattr(record, field) in ("", None)

    def test_bulk_edit_without_value_asks_for_one(self, staff_client):
        record = self.factory()
        response = staff_client.post(self.url("bulk", "edit"),
                                     {"pk": [record.pk], "_apply": "1", "field": self.bulk_edit_data["field"]})
        assert response.status_code == 200
        assert "Enter a new value, or tick “Clear the value”." in response.content.decode()

    def test_bulk_edit_cannot_clear_a_required_field(self, staff_client):
        record = self.factory()
        response = staff_client.post(self.url("bulk", "edit"),
                                     {"pk": [record.pk], "_apply": "1", "field": self.title_field, "clear": "on"})
        assert response.status_code == 200
        assert "is required, so it cannot be cleared" in response.content.decode()
        record.refresh_from_db()
        assert getattr(record, self.title_field)

    def test_bulk_categorize(self, staff_client):
        records = self.factory.create_batch(2)
        category = Category.objects.create(name="Trade show")
        response = staff_client.post(self.url("bulk", "categorize"),
                                     {"pk": [r.pk for r in records], "add": [category.pk], "_apply": "1"})
        assert response.status_code == 302
        for record in records:
            assert list(record.categories.all()) == [category]

    def test_bulk_delete(self, staff_client):
        records = self.factory.create_batch(3)
        response = staff_client.post(self.url("bulk", "delete"), {"pk": [r.pk for r in records[:2]], "_apply": "1"})
        assert response.status_code == 302
        assert self.count() == 1

    def test_select_all_matching_the_filter(self, staff_client, other_staff):
        for i in range(3):
            self.factory(**{self.title_field: f"Match {i}"})
        other = self.factory(**{self.title_field: "Unrelated"})
        response = staff_client.post(self.url("bulk", "assign"), {
            "select_all": "1", "filter_query": "q=match", "assignee": other_staff.pk, "_apply": "1",
        })
        assert response.status_code == 302
        assert self.model._base_manager.filter(assigned_to=other_staff).count() == 3
        other.refresh_from_db()
        assert other.assigned_to is None

    def test_bulk_with_nothing_selected_says_so(self, staff_client):
        response = staff_client.post(self.url("bulk", "assign"), {"_apply": "1"}, follow=True)
        assert "Select at least one record first." in response.content.decode()

    # --- print ---------------------------------------------------------------
    def test_print_is_a_pdf(self, staff_client):
        record = self.factory()
        response = staff_client.get(self.url("print", record.pk))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

    # --- internals --------------------------------------------------------
    def _table_class(self):
        from crm.generic.views import RecordViewSet

        for viewset in _all_subclasses(RecordViewSet):
            if viewset.record_type == self.record_type and viewset.table is not None:
                return viewset.table
        raise LookupError(self.record_type)

    def _title_column(self) -> str:
        return self.title_field


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


# --- Import helpers: drive a list's Import pages as a user does -------------------

def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    """A CSV file of ``rows`` (the first is the header)."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def import_upload(client, url: str, name: str, content: bytes, on_duplicate="update"):
    """Choose a file on the Import page and press Upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"step": "upload", "on_duplicate": on_duplicate, "file": SimpleUploadedFile(name, content)})


def import_confirm(client, url: str, response, **extra):
    """Press Import on the preview page (its form carries the token and the preview's digest);
    from the Columns step, first go on to the preview with the columns as proposed."""
    token = response.context["token"]
    if response.context["step"] == "map":
        response = client.post(url, {"step": "map", "token": token, **{
            f"column_{index}": key or "" for index, _name, _example, key in response.context["columns"]}})
    return client.post(url, {"step": "commit", "token": token, "digest": response.context["digest"], **extra},
                       follow=True)



# --- Import guard: an update keeps what the file doesn't say ------------------------

class ImportViewTests:
    """Import update keeps what the file doesn't say, for every importer: a
    file with empty cells for filled fields changes nothing (0 updated).

    Drives the Export and Import pages as a user does, in CSV and Excel. A
    record type's view tests inherit it (next to ``RecordViewTests``) and
    declare:

        class TestLeadViews(RecordViewTests, ImportViewTests):
            record_type = "lead"
            import_key = "E-mail Address"                          # matches a row to its record; kept
            import_change = ("Job Title", "job_title", "Chief buyer")  # one cell changed: column, field, value

            def filled_record(self, user):
                ...  # a record with every column of the export filled, saved as the form saves it

    and gets: the export with every cell but the key emptied imports as
    "unchanged" and changes nothing; the export imports back unchanged (no
    new record, nothing updated); one changed cell changes that field only,
    and the preview shows it old → new.
    """

    record_type: str = ""
    import_key: str = "ID"
    import_change: tuple[str, str, str] = ("", "", "")

    # --- helpers ---------------------------------------------------------
    def _import_rtype(self) -> registry.RecordType:
        return registry.get(self.record_type)

    def _import_page(self) -> str:
        return reverse(self._import_rtype().url_name("import"))

    def _exported(self, client, file_format: str) -> bytes:
        """The list as the Export button gives it."""
        response = client.get(reverse(self._import_rtype().url_name("export")), {"format": file_format})
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    @staticmethod
    def _edited(content: bytes, file_format: str, edit) -> bytes:
        """The exported file with ``edit(header, row)`` applied to its first record,
        saved again in its own format (as a user does in a spreadsheet)."""
        import csv
        import io

        if file_format == "csv":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
            edit(rows[0], rows[1])
            return csv_bytes(rows)
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook.active
        header = [cell.value for cell in sheet[1]]
        row = [cell.value for cell in sheet[2]]
        edit(header, row)
        for column, value in enumerate(row, start=1):
            sheet.cell(2, column).value = value
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _state(self, record) -> dict:
        """Everything stored about the record: its row and its many-to-many sets."""
        model = self._import_rtype().model._meta.concrete_model
        state = model._base_manager.filter(pk=record.pk).values().get()
        for field in model._meta.many_to_many:
            state[field.name] = set(getattr(model._base_manager.get(pk=record.pk), field.name).values_list("pk", flat=True))
        return state

    def _upload(self, client, content: bytes, file_format: str):
        response = import_upload(client, self._import_page(), f"export.{file_format}", content)
        assert response.status_code == 200
        assert response.context["step"] == "preview", "the export's own columns need no Columns step"
        return response

    # --- the guard ---------------------------------------------------------
    def test_import_of_empty_cells_changes_nothing_csv(self, staff_client, staff):
        self.check_empty_cells_change_nothing(staff_client, staff, "csv")

    def test_import_of_empty_cells_changes_nothing_xlsx(self, staff_client, staff):
        self.check_empty_cells_change_nothing(staff_client, staff, "xlsx")

    def test_export_imports_back_unchanged_csv(self, staff_client, staff):
        self.check_export_imports_back_unchanged(staff_client, staff, "csv")

    def test_export_imports_back_unchanged_xlsx(self, staff_client, staff):
        self.check_export_imports_back_unchanged(staff_client, staff, "xlsx")

    def test_one_changed_cell_changes_that_field_only_csv(self, staff_client, staff):
        self.check_one_changed_cell(staff_client, staff, "csv")

    def test_one_changed_cell_changes_that_field_only_xlsx(self, staff_client, staff):
        self.check_one_changed_cell(staff_client, staff, "xlsx")

    def check_empty_cells_change_nothing(self, staff_client, staff, file_format: str) -> None:
        """(1) The export with every cell but the key emptied: previewed as
        unchanged, nothing written, no change-log entry."""
        record = self.filled_record(staff)
        ChangeLogEntry.objects.all().delete()
        before = self._state(record)
        empty = "" if file_format == "csv" else None

        def blank_all_but_the_key(header, row):
            for index, name in enumerate(header):
                if name != self.import_key:
                    row[index] = empty

        content = self._edited(self._exported(staff_client, file_format), file_format, blank_all_but_the_key)
        response = self._upload(staff_client, content, file_format)
        assert response.context["counts"] == {"new": 0, "update": 0, "unchanged": 1, "skip": 0, "error": 0}, (
            response.context["errors"])
        assert [row.status for row, _shown, _changes in response.context["sample"]] == ["unchanged"]
        done = import_confirm(staff_client, self._import_page(), response)
        assert "Import finished: 0 new, 0 updated, 1 unchanged, 0 skipped, 0 with errors (not imported)." in (
            done.content.decode())
        after = self._state(record)
        assert {name: (before[name], after[name]) for name in before if before[name] != after[name]} == {}
        assert not ChangeLogEntry.objects.exists()

    def check_export_imports_back_unchanged(self, staff_client, staff, file_format: str) -> None:
        """(2) The export imported back: no new record, nothing updated."""
        records = [self.filled_record(staff)]
        ChangeLogEntry.objects.all().delete()
        before = [self._state(record) for record in records]
        count = self._import_rtype().queryset().count()
        response = self._upload(staff_client, self._exported(staff_client, file_format), file_format)
        assert response.context["counts"] == {"new": 0, "update": 0, "unchanged": count, "skip": 0, "error": 0}, (
            response.context["errors"])
        done = import_confirm(staff_client, self._import_page(), response)
        assert f"Import finished: 0 new, 0 updated, {count} unchanged" in done.content.decode()
        assert [self._state(record) for record in records] == before
        assert self._import_rtype().queryset().count() == count
        assert not ChangeLogEntry.objects.exists()

    def check_one_changed_cell(self, staff_client, staff, file_format: str) -> None:
        """(3) One changed cell: that field changes, shown old → new in the preview."""
        from django.utils.text import capfirst

        column, field_name, value = self.import_change
        record = self.filled_record(staff)
        ChangeLogEntry.objects.all().delete()
        before = self._state(record)
        field = self._import_rtype().model._meta.get_field(field_name)

        def change_one_cell(header, row):
            row[header.index(column)] = value

        content = self._edited(self._exported(staff_client, file_format), file_format, change_one_cell)
        response = self._upload(staff_client, content, file_format)
        assert response.context["counts"] == {"new": 0, "update": 1, "unchanged": 0, "skip": 0, "error": 0}, (
            response.context["errors"])
        assert [changes for _row, _shown, changes in response.context["sample"]] == [
            [(str(capfirst(field.verbose_name)), str(before[field.attname]), value)]]
        import_confirm(staff_client, self._import_page(), response)
        after = self._state(record)
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {field.attname, "version", "modified"}
        assert after[field.attname] == value and after["version"] == before["version"] + 1
        entry = ChangeLogEntry.objects.get()
        assert set(entry.changes) == {field_name, "import"}
