"""Project templates in the Django admin: written through the same services
as the Customize page (a new template and a new task go last, a name taken
in another case is refused) and with the same form for the task definitions
(a negative offset or duration is refused beside its field)."""
import pytest
from django.urls import reverse

from crm.tests.admin_forms import page_data
from projects.models import ProjectTemplate, TemplateTask
from projects.tests.factories_templates import ProjectTemplateFactory, template_with_tasks

pytestmark = pytest.mark.django_db


def with_new_task(data: dict, subject: str, offset="0", duration="1") -> dict:
    """The template page's data with one more task definition typed into the inline."""
    index = int(data["tasks-TOTAL_FORMS"])
    return {**data, "tasks-TOTAL_FORMS": str(index + 1), f"tasks-{index}-subject": subject,
            f"tasks-{index}-offset_days": offset, f"tasks-{index}-duration_days": duration,
            f"tasks-{index}-priority": "normal", f"tasks-{index}-position": "0"}


def test_staff_cannot_open_project_templates_in_the_admin(staff_client):
    template = ProjectTemplateFactory()
    assert staff_client.get(reverse("admin:projects_projecttemplate_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:projects_projecttemplate_change", args=[template.pk])).status_code == 403


def test_a_template_added_in_the_admin_goes_last_with_its_tasks_in_order(admin_client):
    ProjectTemplateFactory(name="Existing", position=4)
    add = reverse("admin:projects_projecttemplate_add")
    data = with_new_task(with_new_task({**page_data(admin_client.get(add)), "name": "  Website   launch "},
                                       "Kick-off"), "  Design   pages ", "1", "10")
    response = admin_client.post(add, data)
    assert response.status_code == 302
    template = ProjectTemplate.objects.get(name="Website launch")
    assert template.position == 5
    assert list(template.tasks.order_by("position").values_list("subject", "offset_days", "duration_days", "position")) == [
        ("Kick-off", 0, 1, 1), ("Design pages", 1, 10, 2)]


@pytest.mark.parametrize("field, message", [
    ("duration", "A duration cannot be negative: enter 0 or more days."),
    ("offset", "A task cannot start before its project: enter 0 or more days."),
])
def test_a_negative_duration_or_offset_is_refused_beside_the_field(admin_client, field, message):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    url = reverse("admin:projects_projecttemplate_change", args=[template.pk])
    response = admin_client.post(url, with_new_task(page_data(admin_client.get(url)), "Design",
                                                    **{field: "-3"}))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[1].errors
    assert errors == {f"{field}_days": [message]}
    assert message in response.content.decode()
    assert list(template.tasks.values_list("subject", flat=True)) == ["Kick-off"]


def test_a_template_name_taken_in_another_case_is_refused(admin_client):
    ProjectTemplateFactory(name="Onboarding")
    add = reverse("admin:projects_projecttemplate_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "name": "ONBOARDING"})
    assert response.status_code == 200
    assert "There is already a project template called “ONBOARDING”." in response.content.decode()
    assert ProjectTemplate.objects.count() == 1


def test_a_task_deleted_in_the_admin_goes_and_the_others_stay(admin_client):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 5))
    url = reverse("admin:projects_projecttemplate_change", args=[template.pk])
    data = page_data(admin_client.get(url))
    data["tasks-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert list(TemplateTask.objects.values_list("subject", flat=True)) == ["Build"]


def test_deleting_a_template_in_the_admin_takes_its_tasks(admin_client):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 5))
    url = reverse("admin:projects_projecttemplate_delete", args=[template.pk])
    assert "Template tasks: 2" in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ProjectTemplate.objects.exists() and not TemplateTask.objects.exists()
