"""The owner's admin site: every model of every app opens."""
import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from crm.tests.admin_forms import owner_not_superuser
from crm.tests.factories import CategoryFactory, ContactFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens_for_an_owner(client):
    """Each model's list, add and change pages (where adding is allowed)."""
    from crm.admin import owner_admin_site
    from sales.tests.factories import LineFactory

    client.force_login(owner_not_superuser())
    LineFactory()
    link(HistoryItemFactory(), ContactFactory(is_lead=True))
    CategoryFactory()
    request = client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in owner_admin_site._registry.items():
        if model in (Group, User):
            continue  # superusers only (Django's own permissions)
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, name
        if model_admin.has_add_permission(request):
            assert client.get(reverse(f"{name}_add")).status_code == 200, name
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200, name
