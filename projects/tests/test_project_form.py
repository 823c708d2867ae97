"""The project form: its task rows, saved with the project in one service
(``projects.services.project_save``), and what it refuses."""
import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from crm.generic import services as record_services
from crm.generic.testing import submitted_form
from crm.models import ChangeLogEntry, DeletedItem
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from projects.models import BusinessProject, ProjectTask, percent_complete
from projects.tests.factories import ProjectFactory, ProjectTaskFactory, full_project
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

ADD = reverse("projects:project_add")


def tasks_post(*rows, initial=0) -> dict:
    """The task rows of a form post."""
    data = {"tasks-TOTAL_FORMS": str(len(rows)), "tasks-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        values = {"status": "not_started", "priority": "normal", "percent_complete": "0", **row}
        for key, value in values.items():
            data[f"tasks-{index}-{key}"] = value
    return data


def new_project_post(linked, **extra) -> dict:
    return {"name": "Office move", "linked": linked, "status": "in_progress", "priority": "normal",
            "_save_close": "1", **extra}


def edit_form(client, project, **changes) -> dict:
    data = submitted_form(client.get(reverse("projects:project_edit", args=[project.pk])).content.decode(),
                          class_="record-form")
    data.update({name: [value] for name, value in changes.items()})
    data["_save_close"] = [""]
    return data


def task_entries(task) -> list:
    ct = ContentType.objects.get_for_model(ProjectTask)
    return list(ChangeLogEntry.objects.filter(content_type=ct, object_id=task.pk).order_by("pk"))


def test_a_new_project_with_three_tasks(staff_client, staff, other_staff):
    account = AccountFactory(name="Nordic Fjord AS")
    data = new_project_post(f"account:{account.pk}", **tasks_post(
        {"subject": "Pack", "assigned_to": str(staff.pk), "start_date": "2026-05-04", "due_date": "2026-05-07",
         "status": "in_progress", "percent_complete": "50"},
        {"subject": "Move", "assigned_to": str(other_staff.pk), "start_date": "2026-05-08", "due_date": "2026-05-08",
         "percent_complete": "100"},
        {"subject": "Unpack", "start_date": "2026-05-09", "due_date": "2026-05-13"}))
    response = staff_client.post(ADD, data)
    project = BusinessProject.objects.get()
    assert response["Location"] == project.get_absolute_url()
    tasks = list(project.tasks.order_by("position"))
    assert [(t.subject, t.assigned_to, t.status, t.percent_complete, t.position) for t in tasks] == [
        ("Pack", staff, "in_progress", 50, 1), ("Move", other_staff, "completed", 100, 2),  # 100 % completes it
        ("Unpack", None, "not_started", 0, 3)]
    # Weighted by length: (50 × 4 + 100 × 1 + 0 × 5) / 10 = 30.
    assert project.percent_complete == percent_complete([(50, datetime.date(2026, 5, 4), datetime.date(2026, 5, 7)),
                                                         (100, datetime.date(2026, 5, 8), datetime.date(2026, 5, 8)),
                                                         (0, datetime.date(2026, 5, 9), datetime.date(2026, 5, 13))])
    assert project.percent_complete == 30
    # One entry for the project naming its tasks; each task has its own "created" entry.
    entry = ChangeLogEntry.objects.get(action="create", object_id=project.pk,
                                       content_type=ContentType.objects.get_for_model(BusinessProject))
    assert entry.changes["tasks"]["new"] == (
        "Pack: alice, May 4, 2026 – May 7, 2026, In progress, 50 %; Move: bob, May 8, 2026 – May 8, 2026, Completed, "
        "100 %; Unpack: May 9, 2026 – May 13, 2026, Not started, 0 %")
    assert all(len(task_entries(task)) == 1 for task in tasks)
    page = staff_client.get(project.get_absolute_url()).content.decode()
    assert "Pack" in page and "Unpack" in page and 'data-testid="project-percent-complete">30 %<' in page


def test_a_project_without_a_link_is_refused_beside_it_and_keeps_the_rows(staff_client):
    response = staff_client.post(ADD, new_project_post("", comments="Kept text", **tasks_post({"subject": "Kept row"})))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="input-group link-to is-invalid"' in body and "This field is required." in body
    assert "Kept text" in body and 'value="Kept row"' in body
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


def test_a_project_due_before_it_starts_is_refused_beside_the_due_date(staff_client):
    response = staff_client.post(ADD, new_project_post(f"account:{AccountFactory().pk}", start_date="2026-05-10",
                                                       due_date="2026-05-01", **tasks_post({"subject": "Pack"})))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="error_1_id_due_date"[^>]*><strong>The due date cannot be before the start date.', body)
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


@pytest.mark.parametrize("row, message", [
    ({"subject": "Pack", "start_date": "2026-05-10", "due_date": "2026-05-01"},
     "The due date cannot be before the start date."),
    ({"subject": "Pack", "percent_complete": "101"}, "Ensure this value is less than or equal to 100."),
    ({"subject": "Pack", "percent_complete": "-1"}, "Ensure this value is greater than or equal to 0."),
    ({"subject": "Pack", "percent_complete": "half"}, "Enter a whole number."),
    ({"subject": "", "percent_complete": "10"}, "This field is required."),
    ({"subject": "Pack", "status": "sleeping"}, "Select a valid choice. sleeping is not one of the available choices."),
])
def test_a_bad_task_row_is_refused_beside_it_and_nothing_is_written(staff_client, row, message):
    data = new_project_post(f"account:{AccountFactory().pk}", **tasks_post({"subject": "Good row"}, row))
    response = staff_client.post(ADD, data)
    body = response.content.decode()
    assert response.status_code == 200 and "Please correct the errors below." in body
    # The message is in the second row, under the cell it is about.
    second_row = body.split('<tr class="line-row task-row')[2]
    assert message in second_row
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


def test_a_bad_row_on_an_existing_project_changes_nothing(staff_client):
    project = full_project()
    state = [(t.pk, t.version, t.percent_complete) for t in project.tasks.all()]
    data = edit_form(staff_client, project, **{"tasks-1-percent_complete": "150", "name": "Renamed"})
    response = staff_client.post(reverse("projects:project_edit", args=[project.pk]), data)
    assert response.status_code == 200 and "Ensure this value is less than or equal to 100." in response.content.decode()
    project.refresh_from_db()
    assert project.name == "Fully filled project"
    assert [(t.pk, t.version, t.percent_complete) for t in project.tasks.all()] == state


def test_editing_one_row_writes_that_task_only(staff_client, staff):
    project = full_project()
    first, second, third = project.tasks.order_by("position")
    data = edit_form(staff_client, project, **{"tasks-2-percent_complete": "60", "tasks-2-status": "in_progress"})
    assert staff_client.post(reverse("projects:project_edit", args=[project.pk]), data).status_code == 302
    fresh = {t.pk: t for t in ProjectTask.objects.all()}
    assert (fresh[third.pk].percent_complete, fresh[third.pk].version) == (60, 2)
    assert (fresh[first.pk].version, fresh[second.pk].version) == (1, 1)
    assert task_entries(third)[-1].changes == {
        "status": {"label": "status", "old": "Not started", "new": "In progress"},
        "percent_complete": {"label": "% complete", "old": "0", "new": "60"}}
    project_entry = ChangeLogEntry.objects.filter(
        object_id=project.pk, content_type=ContentType.objects.get_for_model(BusinessProject)).latest("pk")
    assert project_entry.version == 2 and project_entry.changes == {"tasks": {
        "label": "project tasks", "old": "Training: Not started, 0 %", "new": "Training: In progress, 60 %"}}
    # 1 day at 100 %, 9 days at 40 %, 1 day (no dates) at 60 %: (100 + 360 + 60) / 11 = 47.3
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 47


def test_adding_and_removing_rows(staff_client, staff):
    project = full_project()
    first, second, third = project.tasks.order_by("position")
    data = edit_form(staff_client, project, **{"tasks-2-DELETE": "on"})
    data.update({"tasks-TOTAL_FORMS": ["4"], "tasks-3-subject": ["Celebrate"], "tasks-3-status": ["not_started"],
                 "tasks-3-priority": ["low"], "tasks-3-percent_complete": ["0"]})
    assert staff_client.post(reverse("projects:project_edit", args=[project.pk]), data).status_code == 302
    assert list(project.tasks.order_by("position").values_list("subject", "position")) == [
        ("Kick-off meeting", 1), ("Install the <b>servers</b>", 2), ("Celebrate", 3)]
    # The removed task is in Deleted items, restorable.
    assert DeletedItem.objects.get().text == "Training"
    entry = ChangeLogEntry.objects.filter(object_id=project.pk, action="update",
                                          content_type=ContentType.objects.get_for_model(BusinessProject)).get()
    assert entry.changes["tasks"] == {"label": "project tasks", "old": "Training: Not started, 0 %",
                                      "new": "Celebrate: Not started, 0 %"}


def test_a_row_left_as_loaded_never_overwrites_a_task_saved_meanwhile(client, staff, other_staff):
    """Alice opens the project; Bob completes a task on its own page; Alice
    renames the project and saves: the task keeps Bob's values."""
    project = full_project()
    third = project.tasks.get(subject="Training")
    client.force_login(staff)
    data = edit_form(client, project, name="Renamed project")
    theirs = ProjectTask.objects.get(pk=third.pk)
    theirs.status = "completed"
    record_services.record_update(instance=theirs, user=other_staff)
    assert client.post(reverse("projects:project_edit", args=[project.pk]), data).status_code == 302
    task = ProjectTask.objects.get(pk=third.pk)
    assert (task.status, task.percent_complete, task.version) == ("completed", 100, 2)
    assert BusinessProject.objects.get(pk=project.pk).name == "Renamed project"


def test_a_row_changed_on_a_task_saved_meanwhile_is_refused_then_merged(client, staff, other_staff):
    """Alice changes a task's % in the project form; meanwhile Bob set its
    priority on the task's page: refused, nothing written; the row now shows
    Bob's priority and Alice's %, and saving again keeps both."""
    project = full_project()
    second = project.tasks.get(subject="Install the <b>servers</b>")
    client.force_login(staff)
    data = edit_form(client, project, **{"tasks-1-percent_complete": "80", "name": "Renamed project"})
    theirs = ProjectTask.objects.get(pk=second.pk)
    theirs.priority = "low"
    record_services.record_update(instance=theirs, user=other_staff)
    response = client.post(reverse("projects:project_edit", args=[project.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert ("Bob Nowak changed the task “Install the &lt;b&gt;servers&lt;/b&gt;” while you were editing the project. "
            "Nothing was saved") in body
    assert "Bob Nowak changed: priority High → Low" in body
    assert ProjectTask.objects.get(pk=second.pk).percent_complete == 40
    assert BusinessProject.objects.get(pk=project.pk).name == "Fully filled project"
    again = submitted_form(body, class_="record-form")
    assert (again["tasks-1-priority"], again["tasks-1-percent_complete"], again["tasks-1-version"]) == (
        ["low"], ["80"], ["2"])
    again["_save_close"] = [""]
    assert client.post(reverse("projects:project_edit", args=[project.pk]), again).status_code == 302
    task = ProjectTask.objects.get(pk=second.pk)
    assert (task.priority, task.percent_complete, task.version) == ("low", 80, 3)
    assert BusinessProject.objects.get(pk=project.pk).name == "Renamed project"


def test_a_row_removed_after_the_task_was_saved_meanwhile_comes_back_to_be_checked(client, staff, other_staff):
    project = full_project()
    third = project.tasks.get(subject="Training")
    client.force_login(staff)
    data = edit_form(client, project, **{"tasks-2-DELETE": "on"})
    theirs = ProjectTask.objects.get(pk=third.pk)
    theirs.percent_complete = 20
    record_services.record_update(instance=theirs, user=other_staff)
    response = client.post(reverse("projects:project_edit", args=[project.pk]), data)
    body = response.content.decode()
    assert "Bob Nowak changed the task “Training”" in body
    assert ProjectTask.objects.filter(pk=third.pk).exists() and not DeletedItem.objects.exists()
    again = submitted_form(body, class_="record-form")
    assert "tasks-2-DELETE" not in again and again["tasks-2-percent_complete"] == ["20"]


def test_a_task_deleted_meanwhile_is_said_beside_its_row(client, staff, other_staff):
    project = full_project()
    client.force_login(staff)
    data = edit_form(client, project, name="Renamed project")
    record_services.record_delete(instance=project.tasks.get(subject="Training"), user=other_staff)
    response = client.post(reverse("projects:project_edit", args=[project.pk]), data)
    assert response.status_code == 200
    assert "This task was deleted or moved to another project by someone else" in response.content.decode()
    assert BusinessProject.objects.get(pk=project.pk).name == "Fully filled project"


def test_a_tampered_row_count_builds_no_empty_rows(staff_client):
    data = new_project_post(f"account:{AccountFactory().pk}", **tasks_post({"subject": "Pack"}))
    data["tasks-TOTAL_FORMS"] = str(10**30)
    response = staff_client.post(ADD, data)
    body = response.content.decode()
    assert response.status_code == 200 and "Please submit at most 500 forms." in body
    assert body.count('class="line-row task-row') == 1
    assert not BusinessProject.objects.exists()


def test_add_task_gives_the_next_row(staff_client):
    response = staff_client.get(reverse("projects:project_task_row"), {"tasks-TOTAL_FORMS": "3"})
    body = response.content.decode()
    assert 'name="tasks-3-subject"' in body and 'autofocus' in body
    assert '<input type="hidden" name="tasks-TOTAL_FORMS" id="id_tasks-TOTAL_FORMS" value="4" hx-swap-oob="true">' in body
    assert 'name="tasks-0-subject"' in staff_client.get(reverse("projects:project_task_row"), {
        "tasks-TOTAL_FORMS": "x"}).content.decode()


def test_assigned_to_offers_the_active_users_and_whoever_has_a_task(staff_client, staff):
    gone = UserFactory(username="gone", first_name="Gina", last_name="Gone", is_active=False)
    project = ProjectFactory()
    ProjectTaskFactory(project=project, assigned_to=gone)
    UserFactory(username="other-gone", first_name="Otto", is_active=False)
    body = staff_client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    row = body.split('name="tasks-0-assigned_to"')[1].split("</select>")[0]
    assert "Alice Martin" in row and "Gina Gone" in row and "Otto" not in row


def test_the_form_shows_what_it_does_not_edit(staff_client):
    opportunity = OpportunityFactory(title="Fleet renewal")
    project = ProjectFactory(opportunity=opportunity, percent_complete=35)
    body = staff_client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    assert 'data-testid="percent-complete">35 %' in body
    assert f'<a href="{opportunity.get_absolute_url()}">Fleet renewal</a>' in body
    assert 'name="percent_complete"' not in body and 'name="opportunity"' not in body


def test_related_accounts_and_contacts_are_picked_one_by_one(staff_client):
    account, partner = AccountFactory(name="Nordic Fjord AS"), AccountFactory(name="Partner <b>One</b>")
    helper = ContactFactory(full_name="Helper Person")
    data = new_project_post(f"account:{account.pk}", related_accounts=[str(partner.pk)],
                            related_contacts=[str(helper.pk)])
    assert staff_client.post(ADD, data).status_code == 302
    project = BusinessProject.objects.get()
    assert list(project.related_accounts.all()) == [partner] and list(project.related_contacts.all()) == [helper]
    body = staff_client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    # The chosen records are listed with a Remove button; no list of every account.
    assert '<input type="hidden" name="related_accounts" value="%d"><span class="link-many-label">Partner &lt;b&gt;One' \
           '&lt;/b&gt;</span>' % partner.pk in body
    assert 'aria-label="Remove Partner &lt;b&gt;One&lt;/b&gt;"' in body
    # "Add…" is named after its field, and the field's label points at it.
    assert ('<label\n                for="id_related_accounts"' in body
            and 'id="id_related_accounts" aria-label="Related accounts: Add…">Add…</button>' in body)
    assert "Nordic Fjord AS</option>" not in body


@pytest.mark.parametrize("values, message", [
    (["abc"], "“abc” is not a valid value."),
    (["999999"], "Select a valid choice. 999999 is not one of the available choices."),
    ([str(n) for n in range(1, 502)], "Choose at most 500 records."),
])
def test_odd_related_records_are_refused_beside_them(staff_client, values, message):
    response = staff_client.post(ADD, new_project_post(f"account:{AccountFactory().pk}", related_accounts=values))
    assert response.status_code == 200 and message in response.content.decode()
    assert not BusinessProject.objects.exists()


def test_a_lead_is_no_related_business_contact(staff_client):
    from leads.tests.factories import LeadFactory

    lead = LeadFactory(full_name="Lena Lead")
    response = staff_client.post(ADD, new_project_post(f"account:{AccountFactory().pk}", related_contacts=[str(lead.pk)]))
    assert "is not one of the available choices" in response.content.decode()
    assert not BusinessProject.objects.exists()
