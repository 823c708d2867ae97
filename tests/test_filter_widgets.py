"""The list filters are drawn in Python (crm.generic.widgets), not through Django's
widget templates: the HTML must be the same, escaping included."""
import pytest
from django.http import QueryDict

from crm.filtersets import AccountFilterSet, ContactFilterSet
from crm.generic.widgets import render_choice, render_field
from crm.models import Category, ListKind, ListValue
from crm.tests.factories import AccountFactory
from leads.filtersets import LeadFilterSet


@pytest.fixture
def choices(staff, other_staff):
    Category.objects.create(name='Key "<customer>"', colour="#112233")
    Category.objects.create(name="Partner & co", colour="#445566")
    ListValue.objects.create(kind=ListKind.SOURCE, name="<b>Web</b>")
    return Category.objects.order_by("pk")


@pytest.mark.parametrize("filterset", [ContactFilterSet, LeadFilterSet, AccountFilterSet])
@pytest.mark.parametrize("query", ["", 'q=<script>"x"&created_after=2025-01-02&city=O\'slo&rating=4&score_type=hot',
                                   "created_after=not-a-date&assigned_to=999&account=abc"])
def test_fast_filter_widgets_match_django_templates(db, choices, staff, filterset, query):
    account = AccountFactory()
    data = QueryDict(f"{query}&category={choices[0].pk}&account={account.pk}&assigned_to={staff.pk}"
                     if query.startswith("q") else query)
    form = filterset(data, queryset=filterset.Meta.model.objects.all()).form
    form.is_valid()
    checked = 0
    for field in form:
        assert render_field(field) == field.as_widget(), field.name
        if field.widget_type == "checkboxselectmultiple":
            for option in field:
                assert render_choice(option) == option.tag(), option
                checked += ' checked' in render_choice(option)
    assert checked == (1 if query.startswith("q") else 0)
