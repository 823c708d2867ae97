"""Factories of project templates and their task definitions, and of the
business projects the template tests need (the project and task factories
of ``factories.py`` belong to the tests of the project pages)."""
import factory

from crm.tests.factories import AccountFactory
from projects.models import BusinessProject, ProjectTemplate, TemplateTask


class ProjectTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectTemplate

    name = factory.Sequence(lambda n: f"Template {n:03d}")
    position = factory.Sequence(lambda n: n + 1)


class TemplateTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateTask

    template = factory.SubFactory(ProjectTemplateFactory)
    subject = factory.Sequence(lambda n: f"Task definition {n:03d}")
    position = factory.Sequence(lambda n: n + 1)


class TemplateProjectFactory(factory.django.DjangoModelFactory):
    """A business project (linked to an account, as it must be)."""

    class Meta:
        model = BusinessProject

    name = factory.Sequence(lambda n: f"Project {n:04d}")
    account = factory.SubFactory(AccountFactory)


def template_with_tasks(name: str, *tasks: tuple, **kwargs) -> ProjectTemplate:
    """A template with task definitions given as (subject, offset days, duration
    days[, priority[, assignee]]), in that order."""
    template = ProjectTemplateFactory(name=name, **kwargs)
    for position, (subject, offset, duration, *rest) in enumerate(tasks, start=1):
        TemplateTaskFactory(template=template, subject=subject, offset_days=offset, duration_days=duration,
                            priority=rest[0] if rest else "normal", assignee=rest[1] if len(rest) > 1 else None,
                            position=position)
    return template
