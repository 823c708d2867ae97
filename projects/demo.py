"""The demo project templates and projects (a step of ``crm.generic.demo``,
after sales' and marketing's): two templates, then projects created from won
opportunities and for demo accounts, with tasks spread over the demo users,
some done, some overdue, written through the project services, so % complete,
versions and change logs are what the pages would have written."""
from __future__ import annotations

import datetime

from django.utils import timezone

from crm.generic import demo
from crm.generic import services as record_services
from projects import services
from projects.models import BusinessProject, Priority, ProjectStatus, ProjectTask, ProjectTemplate, TemplateTask
from sales.models import Opportunity, SalesStage

TEMPLATES = [
    ("Office installation", [
        ("Kick-off meeting with the customer", 0, 1, Priority.HIGH),
        ("Measure the rooms", 1, 2, Priority.NORMAL),
        ("Order the furniture", 3, 1, Priority.HIGH),
        ("Install and test", 14, 3, Priority.NORMAL),
        ("Hand over and sign off", 18, 1, Priority.NORMAL),
    ]),
    ("Service contract start", [
        ("Welcome call", 0, 1, Priority.NORMAL),
        ("Plan the first service visit", 2, 5, Priority.NORMAL),
        ("First service visit", 30, 1, Priority.HIGH),
    ]),
]


@demo.step(order=500)
def seed_projects(data: demo.DemoData) -> list[str]:
    """The templates (each once), then the projects unless there are some."""
    templates = _templates()
    return ["projects"] if _projects(data.rng, data.users, templates) else []


def _templates() -> list[ProjectTemplate]:
    templates = []
    for position, (name, tasks) in enumerate(TEMPLATES, start=1):
        template = ProjectTemplate.objects.filter(name=name).first()
        if template is None:
            template = services.template_save(template=ProjectTemplate(name=name, position=position))
            for index, (subject, offset, duration, priority) in enumerate(tasks, start=1):
                services.template_task_save(task=TemplateTask(
                    template=template, subject=subject, offset_days=offset, duration_days=duration,
                    priority=priority, position=index))
        templates.append(template)
    return templates


def _projects(rng, users, templates) -> bool:
    """A project for each won demo opportunity (from a template, started in
    the past so some tasks are done and some overdue), each assigned round
    the demo users; tasks go to different colleagues."""
    if BusinessProject.objects.exists():
        return False
    today = timezone.localdate()
    won = list(Opportunity.objects.filter(stage__kind=SalesStage.Kind.WON).order_by("pk"))
    for index, opportunity in enumerate(won):
        user = users[(index + 1) % len(users)]
        start = today - datetime.timedelta(days=rng.randint(5, 25))
        project = services.project_create_from_opportunity(
            opportunity=opportunity, user=user, template=templates[index % len(templates)], start_date=start)
        tasks = list(ProjectTask.objects.filter(project=project).order_by("position"))
        by_user: dict = {}
        for number, task in enumerate(tasks):
            by_user.setdefault(users[(index + number) % len(users)], []).append(task.pk)
        for assignee, pks in by_user.items():
            record_services.records_assign(queryset=ProjectTask.objects.filter(pk__in=pks), user=user,
                                           assignee=assignee)
        tasks = list(ProjectTask.objects.filter(project=project).order_by("position"))
        # The first tasks are done (through the service, as Mark completed does).
        done = [task.pk for task in tasks if task.due_date and task.due_date < today - datetime.timedelta(days=3)]
        done = done[:max(0, len(done) - 1)]  # the last one past its date is overdue
        if done:
            services.tasks_complete(queryset=ProjectTask.objects.filter(pk__in=done), user=user)
        status = ProjectStatus.IN_PROGRESS if done else ProjectStatus.NOT_STARTED
        if status != project.status:
            project.refresh_from_db()
            project.status = status
            services.project_save(instance=project, user=user)
    return bool(won)
