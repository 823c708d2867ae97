"""Deleting a business project: its tasks go with it to Deleted items, with
their own history (items linked only to them, and their links to items shared
with other records), and all of it comes back with a restore. Deleting one
task keeps the project's % complete right, and so does restoring it."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from crm.generic import services as record_services
from crm.models import ChangeLogEntry, DeletedItem, HistoryItem, HistoryLink
from crm.tests.factories import AccountFactory, HistoryItemFactory, link
from projects.models import BusinessProject, ProjectTask
from projects.tests.factories import ProjectFactory, ProjectTaskFactory

pytestmark = pytest.mark.django_db


def links_to(model) -> set[tuple[int, int]]:
    ct = ContentType.objects.get_for_model(model)
    return set(HistoryLink.objects.filter(content_type=ct).values_list("item_id", "object_id"))


@pytest.fixture
def project_with_history():
    """A project of an account with two tasks: a note on the first task only, a
    call linked to the second task and to the account, a note on the project."""
    account = AccountFactory(name="Nordic Fjord AS")
    project = ProjectFactory(name="Office move", account=account)
    first = ProjectTaskFactory(project=project, subject="Pack the archive", percent_complete=50)
    second = ProjectTaskFactory(project=project, subject="Book the van")
    own_note = link(HistoryItemFactory(subject="Archive has 40 boxes"), first)
    shared_call = link(HistoryItemFactory(kind=HistoryItem.Kind.PHONE, subject="Van booked"), second, account)
    project_note = link(HistoryItemFactory(subject="Kick-off done"), project)
    return project, first, second, own_note, shared_call, project_note


def test_the_confirmation_says_the_tasks_and_their_history_go_too(owner_client, project_with_history):
    project, *_rest = project_with_history
    body = owner_client.get(reverse("projects:project_delete", args=[project.pk])).content.decode()
    assert "Also goes to Deleted items: 2 history items, project tasks (2)." in body
    assert "1 history item also linked to Nordic Fjord AS stays there." in body


def test_deleting_a_project_leaves_no_history_link_to_its_tasks(owner, project_with_history):
    project, first, second, own_note, shared_call, project_note = project_with_history
    record_services.record_delete(instance=project, user=owner)
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()
    # No link points at a task that is gone; the item only the task had went with it.
    assert links_to(ProjectTask) == set() and links_to(BusinessProject) == set()
    assert set(HistoryItem.objects.values_list("subject", flat=True)) == {"Van booked"}
    assert set(HistoryLink.objects.values_list("item__subject", flat=True)) == {"Van booked"}
    item = DeletedItem.objects.get()
    assert item.details["rows"] == [["project tasks", 2]] and item.details["items"] == 2
    # Each task's own change log says it was deleted with its project.
    assert set(ChangeLogEntry.objects.filter(action="delete").values_list("object_repr", flat=True)) == {
        "Office move", "Pack the archive", "Book the van"}


def test_a_restored_project_brings_back_its_tasks_and_their_history(owner, owner_client, project_with_history):
    project, first, second, own_note, shared_call, project_note = project_with_history
    before_tasks = links_to(ProjectTask)
    record_services.record_delete(instance=project, user=owner)
    response = owner_client.post(reverse("crm:deleted_item_restore", args=[DeletedItem.objects.get().pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:project_detail", args=[project.pk])
    restored = BusinessProject.objects.get(pk=project.pk)
    assert [(t.subject, t.percent_complete) for t in restored.tasks.order_by("position")] == [
        ("Pack the archive", 50), ("Book the van", 0)]
    assert links_to(ProjectTask) == before_tasks
    assert links_to(BusinessProject) == {(project_note.pk, project.pk)}
    # The task's History shows its note again, and the project's its tasks' items (roll-up).
    task_history = owner_client.get(reverse("projects:project_task_history", args=[first.pk])).content.decode()
    assert "Archive has 40 boxes" in task_history
    project_history = owner_client.get(reverse("projects:project_history", args=[project.pk])).content.decode()
    assert "Archive has 40 boxes" in project_history and "Van booked" in project_history
    # The restored tasks have a new version after their "deleted" entry; an edit of one is not stale.
    task = ProjectTask.objects.get(pk=first.pk)
    assert task.version == first.version + 2
    entries = ChangeLogEntry.objects.filter(object_id=first.pk, content_type=ContentType.objects.get_for_model(
        ProjectTask)).order_by("version")
    assert [(e.action, e.version, e.changes) for e in entries] == [
        ("delete", first.version + 1, {"deleted_with": {"label": "deleted with", "old": "", "new": "Office move"}}),
        ("restore", first.version + 2, {"restored_with": {"label": "restored with", "old": "", "new": "Office move"}})]
    assert restored.percent_complete == 25  # two one-day tasks: (50 + 0) / 2


def test_deleting_a_task_keeps_its_project_figure_and_a_restore_puts_it_back(owner, owner_client):
    project = ProjectFactory(name="Office move")
    ProjectTaskFactory(project=project, subject="Done", percent_complete=100, status="completed")
    open_task = ProjectTaskFactory(project=project, subject="Open", percent_complete=0)
    record_services.record_delete(instance=ProjectTask.objects.get(pk=open_task.pk), user=owner)
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 100
    assert "Open" in owner_client.get(reverse("crm:deleted_items", args=["projects"])).content.decode()
    owner_client.post(reverse("crm:deleted_item_restore", args=[DeletedItem.objects.get().pk]))
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 50


def test_a_task_whose_project_is_gone_is_not_restored_and_says_why(owner, owner_client):
    project = ProjectFactory(name="Office move")
    task = ProjectTaskFactory(project=project, subject="Open")
    record_services.record_delete(instance=task, user=owner)
    record_services.record_delete(instance=BusinessProject.objects.get(pk=project.pk), user=owner)
    item = DeletedItem.objects.get(record_type="project_task")
    response = owner_client.post(reverse("crm:deleted_item_restore", args=[item.pk]), follow=True)
    assert "“Open” cannot be restored" in response.content.decode()
    assert not ProjectTask.objects.exists()
