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
actions, change history and print tests — and the guards that read the pages
as a browser does (``submitted_form``): the edit form of a fully filled record
(``full_record()``) submitted back unchanged changes nothing and logs nothing,
with one change changes only that, on a stale copy is refused; the list's filter
form submitted untouched lists every record.
"""
from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from crm.generic import registry
from crm.models import Category, ChangeLogEntry


class _FormReader(HTMLParser):
    """Reads one <form> of a page into what a browser would submit: its own
    controls, and those elsewhere on the page that name it in their ``form``
    attribute (an ordered list's row has its fields in the table's cells)."""

    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match = match          # (tag attributes) -> whether this is the form
        self.depth = 0              # > 0 inside the matched form
        self.found = False
        self.form_id = None         # the matched form's id
        self.fields: list[tuple[str, str, str | None]] = []   # (name, value, owner: "" for the matched form)
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def owner(self, attrs) -> str | None:
        """Whose control this is: "" the matched form's (inside it, no ``form``
        attribute), else the id its ``form`` attribute names (None: no form's)."""
        if attrs.get("form"):
            return attrs["form"]
        return "" if self.depth else None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif not self.found and self.match(attrs):
                self.depth, self.found, self.form_id = 1, True, attrs.get("id")
            return
        if tag == "option":   # of the open select, wherever it stands
            if self.select is not None and "disabled" not in attrs:
                self.option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
                self.select["options"].append(self.option)
            return
        owner = self.owner(attrs)
        if owner is None or "disabled" in attrs:
            if tag == "select" and owner is not None:
                self.select = {"name": None, "options": [], "multiple": False, "owner": owner}
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on"), owner))
                return
            self.fields.append((name, attrs.get("value") or "", owner))
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "options": [], "multiple": "multiple" in attrs, "owner": owner}
        elif tag == "textarea":
            self.textarea = {"name": attrs.get("name"), "text": "", "owner": owner}

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            select, self.select = self.select, None
            if not select["name"]:
                return
            options = select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not select["multiple"]:
                chosen = options[:1]   # a browser submits the first option of a single select
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self.fields.append((select["name"], value, select["owner"]))
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            # A browser drops the newline that follows <textarea> and sends CRLF line ends.
            if text.startswith("\n"):
                text = text[1:]
            if self.textarea["name"]:
                self.fields.append((self.textarea["name"], text.replace("\r\n", "\n").replace("\n", "\r\n"),
                                    self.textarea["owner"]))
            self.textarea = None

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def submitted(self) -> list[tuple[str, str]]:
        """The matched form's controls, in the page's order."""
        mine = {"", self.form_id} if self.form_id else {""}
        return [(name, value) for name, value, owner in self.fields if owner in mine]


def submitted_form(html: str, **match) -> dict[str, list[str]]:
    """What a browser submits from the first <form> of ``html`` whose attributes
    include ``match`` (e.g. ``id="filters"``, ``class_="record-form"``): hidden
    inputs included, checkboxes and radios only when checked, the selected
    options of each select (the first one when none is), textareas as typed,
    and the controls outside it that name it in their ``form`` attribute.
    Returns {name: [values]}, which the test client posts as a browser does."""
    wanted = {k.rstrip("_"): v for k, v in match.items()}

    def is_it(attrs):
        for key, value in wanted.items():
            have = attrs.get(key) or ""
            if key == "class" and value in have.split():
                continue
            if have != value:
                return False
        return True

    reader = _FormReader(is_it)
    reader.feed(html)
    assert reader.found, f"no <form> with {match} on the page"
    data: dict[str, list[str]] = {}
    for name, value in reader.submitted():
        data.setdefault(name, []).append(value)
    return data


class RecordViewTests:
    record_type: str = ""
    factory = None
    title_field: str = ""
    form_data: dict = {}
    bulk_edit_data: dict = {}
    # The user, the count, the page's ids, its rows, their category badges and the
    # filter choices (users, sources, categories), and the navigation bar's count of
    # reminders. Outside a test's transaction the count comes from the cache, after
    # one query for the data version.
    max_list_queries = 9

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

    def test_a_page_number_past_any_list_shows_the_last_page(self, staff_client):
        self.factory.create_batch(2)
        for page in ("99999999999999999999", "-1e309", "NaN", "²"):
            response = staff_client.get(self.url("list"), {"page": page})
            assert response.status_code == 200 and "2 records" in response.content.decode(), page

    def test_odd_filter_values_are_field_errors(self, staff_client):
        self.factory()
        for name, value, message in [
            ("assigned_to", "99999999999999999999", "Select a valid choice."),
            ("category", str(2**63), "Select a valid choice."),
            ("created_after", "2026-02-30", "Enter a valid date."),
            ("q", "x" * 1_000_000, "Ensure this value has at most 200 characters (it has 1000000)."),
            ("q", "a\x00b", "Null characters are not allowed."),
        ]:
            response = staff_client.get(self.url("list"), {name: value})
            assert response.status_code == 200, (name, value)
            assert message in response.content.decode(), (name, value)

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

    def test_an_odd_next_is_settled_before_saving_and_falls_back_to_the_record(self, staff_client):
        """A ``next`` that is no page of the site (a view name, another site, …)
        is ignored: the record is saved once and its page opens (a server
        error after the save made users save again, a duplicate)."""
        for index, target in enumerate(["foo", "//evil.example/", "https://evil.example/", "/\x00", "NaN"]):
            title = f"Next {index}"
            response = staff_client.post(self.url("add"), self.post_data(**{self.title_field: title}, next=target))
            record = self.rtype.queryset().get(**{self.title_field: title})
            assert response.status_code == 302 and response["Location"] == record.get_absolute_url(), target
        response = staff_client.post(self.url("add"), self.post_data(**{self.title_field: "Back"}, next="/?page=2"))
        assert response["Location"] == "/?page=2"

    def test_an_odd_category_is_a_field_error(self, staff_client):
        Category.objects.create(name="Hot")
        response = staff_client.post(self.url("add"), self.post_data(categories=[str(2**63)]))
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
        assert self.count() == 0

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

    # --- guards: the form a person receives, submitted back --------------------------
    # A record type declares ``full_record()``: a record with every field its form
    # shows filled in (categories, links, lines …). ``round_trip_blank`` names the
    # form fields that may stay empty on it (with a reason in the test class).
    round_trip_blank: tuple[str, ...] = ()

    def full_record(self):
        raise NotImplementedError(f"{type(self).__name__} must declare full_record(): a record with every "
                                  "field of its form filled in, for the form round-trip guards")

    def related_state(self, record) -> dict:
        """What a save also writes beside the record's own fields (lines, ticked
        criteria …), for the round-trip guard to compare; a record type overrides it."""
        return {}

    def record_state(self, record) -> dict:
        from crm.generic.services import snapshot

        fresh = self.model._base_manager.get(pk=record.pk)
        return {**snapshot(fresh), "version": fresh.version, **self.related_state(fresh)}

    def edit_form(self, client, record, **changes) -> dict[str, list[str]]:
        """The record's edit form as the page renders it, read as a browser submits
        it (Save & Close pressed), with ``changes`` typed over it."""
        response = client.get(self.url("edit", record.pk))
        assert response.status_code == 200
        data = submitted_form(response.content.decode(), class_="record-form")
        data.update({name: [value] for name, value in changes.items()})
        data["_save_close"] = [""]
        return data

    def test_full_record_fills_every_field_of_the_form(self, staff_client):
        record = self.full_record()
        form_class = self._viewset().form
        form = form_class(instance=record, user=record.assigned_to)
        empty = [name for name, field in form.fields.items()
                 if form[name].value() in (None, "", [], ()) and name not in self.round_trip_blank
                 and name != "version"]
        assert not empty, f"full_record() leaves these form fields empty: {empty}"

    def test_form_round_trip_changes_nothing(self, staff_client):
        """GET the edit form of a fully filled record, submit it unchanged: the
        record is unchanged field by field and no change is logged."""
        record = self.full_record()
        before, entries = self.record_state(record), ChangeLogEntry.objects.count()
        data = self.edit_form(staff_client, record)
        response = staff_client.post(self.url("edit", record.pk), data)
        assert response.status_code == 302, response.content.decode()[:5000]
        after = self.record_state(record)
        assert {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)} == {}
        assert ChangeLogEntry.objects.count() == entries

    def test_form_round_trip_with_one_change_changes_only_it(self, staff_client):
        record = self.full_record()
        before = self.record_state(record)
        data = self.edit_form(staff_client, record, comments="Changed on the form.")
        response = staff_client.post(self.url("edit", record.pk), data)
        assert response.status_code == 302, response.content.decode()[:5000]
        after = self.record_state(record)
        changed = {k for k in before if before[k] != after.get(k)}
        assert changed == {"comments", "version"}
        assert after["comments"] == "Changed on the form." and after["version"] == before["version"] + 1
        entry = ChangeLogEntry.objects.filter(object_id=record.pk, action="update").latest("pk")
        assert set(entry.changes) == {"comments"}

    def test_stale_form_is_refused(self, client, staff, other_staff):
        """GET the form, someone changes the record meanwhile, POST the form: refused,
        nothing of it written, the other change shown and what was typed kept."""
        from crm.generic import services

        record = self.full_record()
        client.force_login(staff)
        data = self.edit_form(client, record, comments="Alice typed this.")
        theirs = self.model._base_manager.get(pk=record.pk)
        theirs.comments = "Bob saved this first."
        theirs.assigned_to = other_staff
        services.record_update(instance=theirs, user=other_staff)
        state = self.record_state(record)
        response = client.post(self.url("edit", record.pk), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Bob Nowak changed this record while you were editing it" in body
        assert "Bob saved this first." in body and "Alice typed this." in body
        assert self.record_state(record) == state
        # The form now holds Alice's comments and Bob's assignee (a field she did not
        # touch): saving it again loses neither change.
        again = submitted_form(body, class_="record-form")
        again["_save_close"] = [""]
        assert client.post(self.url("edit", record.pk), again).status_code == 302
        saved = self.model._base_manager.get(pk=record.pk)
        assert (saved.comments, saved.assigned_to) == ("Alice typed this.", other_staff)

    def test_a_tampered_version_is_refused_with_a_message(self, client, staff):
        """A form whose hidden ``version`` is not a number (not something a
        browser sends unless tampered with) says so above the form; nothing is written."""
        record = self.full_record()
        client.force_login(staff)
        data = self.edit_form(client, record, comments="Alice typed this.")
        data["version"] = ["abc"]
        state = self.record_state(record)
        response = client.post(self.url("edit", record.pk), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert "(Hidden field version) Enter a whole number." in body
        assert self.record_state(record) == state

    def test_untouched_filter_form_shows_the_whole_list(self, staff_client):
        """Submitting the list's filter form exactly as rendered lists every record."""
        self.full_record()
        self.factory.create_batch(3)
        bare = staff_client.get(self.url("list"))
        data = submitted_form(bare.content.decode(), id="filters")
        filtered = staff_client.get(self.url("list"), data)
        assert filtered.status_code == 200
        assert self._row_ids(filtered) == self._row_ids(bare)
        assert len(self._row_ids(bare)) == self.count() == 4

    def _row_ids(self, response) -> list[str]:
        import re

        return re.findall(r'name="pk" value="(\d+)"', response.content.decode())

    # --- delete ---------------------------------------------------------------
    def test_delete_with_confirmation(self, staff_client):
        record = self.factory()
        assert "Yes, delete" in staff_client.get(self.url("delete", record.pk)).content.decode()
        response = staff_client.post(self.url("delete", record.pk))
        assert response.status_code == 302
        assert not self.model._base_manager.filter(pk=record.pk).exists()
        assert ChangeLogEntry.objects.filter(object_id=record.pk, action="delete").exists()

    def test_delete_confirmed_on_a_stale_page_is_refused(self, client, staff, other_staff):
        """The confirmation page was shown, someone saved the record, then Yes,
        delete (the form as rendered): nothing is deleted and the user is told."""
        from crm.generic import services

        record = self.factory()
        client.force_login(staff)
        data = submitted_form(client.get(self.url("delete", record.pk)).content.decode(), class_="delete-form")
        theirs = self.model._base_manager.get(pk=record.pk)
        theirs.comments = "Bob saved this first."
        services.record_update(instance=theirs, user=other_staff)
        response = client.post(self.url("delete", record.pk), data, follow=True)
        assert "Bob Nowak changed this record after your delete confirmation was shown" in response.content.decode()
        assert self.model._base_manager.filter(pk=record.pk).exists()
        assert not ChangeLogEntry.objects.filter(object_id=record.pk, action="delete").exists()

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

    def test_a_bulk_action_by_link_only_asks(self, staff_client):
        """A GET — a link, a prefetch, a cross-site navigation — shows the
        confirmation and changes nothing, ``_apply`` or not (README ▸ Security)."""
        records = self.factory.create_batch(2)
        for query in ({"pk": [r.pk for r in records], "_apply": "1"}, {"select_all": "1", "filter_query": "", "_apply": "1"}):
            response = staff_client.get(self.url("bulk", "delete"), query)
            assert response.status_code == 200
            assert "2 records selected" in response.content.decode()
        assert self.count() == 2
        assert not ChangeLogEntry.objects.filter(action="delete").exists()

    def test_a_bulk_action_needs_the_csrf_token(self, staff, db):
        """Applying is a POST with the CSRF token of the confirmation page: without it, 403 and nothing changes."""
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(staff)
        records = self.factory.create_batch(2)
        pks = [r.pk for r in records]
        assert client.post(self.url("bulk", "delete"), {"pk": pks, "_apply": "1"}).status_code == 403
        assert self.count() == 2
        page = client.get(self.url("bulk", "delete"), {"pk": pks})
        confirmed = submitted_form(page.content.decode(), action=self.url("bulk", "delete"))
        assert confirmed["_apply"] == ["1"] and confirmed["csrfmiddlewaretoken"]
        assert client.post(self.url("bulk", "delete"), confirmed).status_code == 302
        assert self.count() == 0

    def test_bulk_with_nothing_selected_says_so(self, staff_client):
        response = staff_client.post(self.url("bulk", "assign"), {"_apply": "1"}, follow=True)
        assert "Select at least one record first." in response.content.decode()

    def test_bulk_with_odd_ticks_and_an_odd_next_goes_back_to_the_list(self, staff_client):
        for query in ({"next": "foo"}, {"pk": ["99999999999999999999", "²", "-1"], "next": "NaN"}):
            response = staff_client.get(self.url("bulk", "edit"), query)
            assert response.status_code == 302 and response["Location"] == self.url("list"), query

    # --- print ---------------------------------------------------------------
    def test_print_is_a_pdf(self, staff_client):
        record = self.factory()
        response = staff_client.get(self.url("print", record.pk))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

    def test_empty_fields_and_sections_are_left_out(self, staff_client):
        """No "Categories" label without categories, no section heading over nothing."""
        import re

        record = self.factory()
        pane_headers = {"HX-Request": "true", "HX-Target": "reading-pane"}
        for response in (staff_client.get(self.url("detail", record.pk)),
                         staff_client.get(self.url("detail", record.pk), headers=pane_headers)):
            body = response.content.decode()
            assert ">Categories</dt>" not in body and ">Comments</dt>" not in body
            assert not re.search(r'<dl class="row mb-0">\s*</dl>', body)
        record.categories.add(Category.objects.create(name="Key"))
        assert ">Categories</dt>" in staff_client.get(self.url("detail", record.pk)).content.decode()

    # --- long text ----------------------------------------------------------
    COMMENTS = "Met at the fair.\nWants a <b>bold</b> offer & <script>alert(1)</script>"

    def test_comments_show_their_lines_and_markup_as_text(self, staff_client):
        """Long text keeps its line breaks, and markup typed into it is shown as
        typed (escaped once): never raw tags, never ``&lt;p&gt;``."""
        record = self.factory(comments=self.COMMENTS)
        pane_headers = {"HX-Request": "true", "HX-Target": "reading-pane"}
        for response in (staff_client.get(self.url("detail", record.pk)),
                         staff_client.get(self.url("detail", record.pk), headers=pane_headers)):
            body = response.content.decode()
            assert ("<p>Met at the fair.<br>Wants a &lt;b&gt;bold&lt;/b&gt; offer &amp; "
                    "&lt;script&gt;alert(1)&lt;/script&gt;</p>") in body
            assert "&lt;p&gt;" not in body and "&amp;lt;" not in body and "<b>bold" not in body

    def test_printed_comments_show_their_lines_and_markup_as_text(self, staff_client):
        import shutil
        import subprocess

        import pytest

        if not shutil.which("pdftotext"):
            pytest.skip("pdftotext (poppler-utils) is not installed")
        record = self.factory(comments=self.COMMENTS)
        pdf = staff_client.get(self.url("print", record.pk)).content
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Met at the fair.\nWants a <b>bold</b> offer & <script>alert(1)</script>" in text
        assert "<p>" not in text and "<br>" not in text and "&lt;" not in text

    # --- internals --------------------------------------------------------
    def _viewset(self):
        from django.urls import get_resolver

        from crm.generic.views.viewset import RecordViewSet

        get_resolver().url_patterns  # every app's viewsets are imported with the URLs

        for viewset in _all_subclasses(RecordViewSet):
            if viewset.record_type == self.record_type and viewset.table is not None:
                return viewset
        raise LookupError(self.record_type)

    def _table_class(self):
        return self._viewset().table

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

    def filled_record(self, user):
        """A record with every column of the export filled: the form guards'
        ``full_record()`` (``RecordViewTests``), unless a type declares another."""
        return self.full_record()

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


# --- A full disk ---------------------------------------------------------------------

class _FullDiskFile:
    """A file open for writing on a full disk: it was created (empty), and every
    write fails with ENOSPC, as a real one does once the disk fills."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        import errno
        import os

        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    writelines = write

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def disk_full(root):
    """A context manager: every file opened for writing under ``root`` (the
    media folder) in the block is created and then refuses to be written
    (OSError ENOSPC), whichever way it is opened (open, Path.open, os.fdopen as
    Django's storage does). What the writer leaves behind stays on disk, so a
    test sees an empty or partial file that is not cleaned up."""
    import builtins
    import io
    import os
    from contextlib import ExitStack
    from pathlib import Path
    from unittest import mock

    root = Path(root).resolve()
    real_open, real_fdopen = builtins.open, os.fdopen

    def under_root(path) -> bool:
        try:
            return Path(os.path.realpath(path)).is_relative_to(root)
        except (TypeError, ValueError):
            return False

    def writing(mode: str) -> bool:
        return any(flag in mode for flag in "wax+")

    def fake_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if writing(mode) and not isinstance(file, int) and under_root(file):
            return _FullDiskFile(handle)
        return handle

    def fake_fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        if writing(mode) and under_root(f"/proc/self/fd/{fd}"):
            return _FullDiskFile(handle)
        return handle

    stack = ExitStack()
    stack.enter_context(mock.patch.object(builtins, "open", fake_open))
    stack.enter_context(mock.patch.object(io, "open", fake_open))
    stack.enter_context(mock.patch.object(os, "fdopen", fake_fdopen))
    return stack
