"""The ordered-list editor (crm/generic/ordered.py) on each of the five lists
it serves: customizable list values, categories, lead scoring criteria, sales
stages and their activities. The pages are read as a browser submits them
(``submitted_form``): every button is a form that says its list, op and item."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.generic.testing import submitted_form
from crm.models import Category, ListValue, ScoringCriterion
from crm.tests.factories import CategoryFactory, ContactFactory, ListValueFactory
from sales.models import SalesActivity, SalesStage
from sales.tests.factories import ActivityFactory, StageFactory, stage

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    """One list as its page shows it."""

    name: str
    url: Callable[[], str]
    key: str
    model: type
    field: str                                  # the field a row is named by
    item: Callable[[], object]                  # an item the list has
    parent: Callable[[], object] | None = None  # the outer item of a nested list
    movable: bool = True

    def add_form_id(self) -> str:
        return f"{self.key}-add" + (f"-{self.parent().pk}" if self.parent else "")

    @property
    def max_length(self) -> int:
        return self.model._meta.get_field(self.field).max_length


def source_list() -> str:
    return reverse("crm:list_edit", args=["source"])


CASES = [
    Case("list values", source_list, "value", ListValue, "name",
         lambda: ListValue.objects.filter(kind="source").order_by("position").first()),
    Case("categories", lambda: reverse("crm:categories"), "category", Category, "name",
         lambda: Category.objects.first() or CategoryFactory(name="Key customer"), movable=False),
    Case("criteria", lambda: reverse("crm:criteria"), "criterion", ScoringCriterion, "description",
         lambda: ScoringCriterion.objects.order_by("position").first()),
    Case("stages", lambda: reverse("sales:stages"), "stage", SalesStage, "name", lambda: stage()),
    Case("activities", lambda: reverse("sales:stages"), "activity", SalesActivity, "name",
         lambda: stage().activities.order_by("position").first(), parent=lambda: stage()),
]
ids = [case.name for case in CASES]


def page(client, case: Case) -> str:
    response = client.get(case.url())
    assert response.status_code == 200
    return response.content.decode()


def snapshot(case: Case) -> list:
    return list(case.model.objects.order_by("pk").values_list("pk", case.field))


def input_tag(html: str, element_id: str) -> str:
    return re.search(rf'<input[^>]*id="{re.escape(element_id)}"[^>]*>', html).group(0)


# --- The limits are the model's -------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_name_is_limited_to_the_model_field(owner_client, case):
    item = case.item()
    html = page(owner_client, case)
    for form_id in (case.add_form_id(), f"{case.key}-edit-{item.pk}"):
        assert f'maxlength="{case.max_length}"' in input_tag(html, f"{form_id}-{case.field}"), form_id


@pytest.mark.parametrize("op", ["add", "edit"])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_too_long_name_is_a_field_error_and_nothing_is_written(owner_client, case, op):
    item = case.item()
    form_id = case.add_form_id() if op == "add" else f"{case.key}-edit-{item.pk}"
    data = submitted_form(page(owner_client, case), id=form_id)
    assert data["op"] == [op]
    typed = "x" * (case.max_length + 1)
    data[case.field] = [typed]
    before = snapshot(case)
    response = owner_client.post(case.url(), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f"Ensure this value has at most {case.max_length} characters (it has {case.max_length + 1})." in body
    # Shown where it was typed, with what was typed.
    tag = input_tag(body, f"{form_id}-{case.field}")
    assert f'value="{typed}"' in tag and "is-invalid" in tag
    assert snapshot(case) == before


def test_a_number_is_limited_by_the_model_validators(owner_client):
    activity = stage().activities.first()
    tag = input_tag(page(owner_client, CASES[4]), f"activity-edit-{activity.pk}-duration_days")
    assert 'min="0"' in tag and 'max="3650"' in tag


# --- Who and what may be posted ---------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=ids)
def test_staff_get_403_and_change_nothing(owner_client, staff, case):
    item = case.item()
    html = page(owner_client, case)
    before = snapshot(case)
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(case.url()).status_code == 403
    for form_id in (case.add_form_id(), f"{case.key}-edit-{item.pk}", f"{case.key}-delete-{item.pk}"):
        if f'id="{form_id}"' in html:
            data = submitted_form(html, id=form_id)
            data[case.field] = ["Hacked"]
            assert staff_client.post(case.url(), data).status_code == 403, form_id
    assert snapshot(case) == before


@pytest.mark.parametrize("pk", ["", "abc", "²", "-1", "0", "99999999999999999999", "\x00", "1e3"])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_an_odd_item_is_not_found(owner_client, case, pk):
    case.item()
    before = snapshot(case)
    for op in ("edit", "delete", *(("up", "down") if case.movable else ())):
        response = owner_client.post(case.url(), {"list": case.key, "op": op, "pk": pk, case.field: "Odd"})
        assert response.status_code == 404, (op, pk)
    assert snapshot(case) == before


def test_an_odd_parent_is_not_found(owner_client):
    before = snapshot(CASES[4])
    for parent in ("", "abc", "99999999999999999999"):
        response = owner_client.post(reverse("sales:stages"), {"list": "activity", "op": "add", "parent": parent,
                                                               "name": "Odd", "duration_days": "1"})
        assert response.status_code == 404, parent
    assert snapshot(CASES[4]) == before


def test_an_item_of_another_list_is_not_found(owner_client):
    other = ListValue.objects.filter(kind="payment_terms").first() or ListValueFactory(kind="payment_terms")
    for op in ("edit", "up", "delete"):
        response = owner_client.post(source_list(), {"list": "value", "op": op, "pk": other.pk, "name": "Moved"})
        assert response.status_code == 404, op
    assert ListValue.objects.get(pk=other.pk).name == other.name


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_an_unknown_list_or_op_is_a_bad_request(owner_client, case):
    item = case.item()
    before = snapshot(case)
    odd = [{"list": case.key, "op": "explode"}, {"list": case.key, "op": ""}, {"list": case.key},
           {"list": "nothing", "op": "edit"}, {"op": "edit"}]
    if case.key not in ("stage", "activity"):   # the stages page's settings form posts op=settings
        odd.append({"list": case.key, "op": "settings"})
    if not case.movable:
        odd.append({"list": case.key, "op": "up"})
    if case.key != "stage":
        odd.append({"list": case.key, "op": "default"})
    for data in odd:
        response = owner_client.post(case.url(), {**data, "pk": item.pk, case.field: "Odd"})
        assert response.status_code == 400, data
    assert snapshot(case) == before


# --- Add, rename, move, delete as the page offers them --------------------------------------

def test_add_rename_move_and_delete_a_value_through_the_page(owner_client):
    url = source_list()
    count = ListValue.objects.filter(kind="source").count()

    add = submitted_form(owner_client.get(url).content.decode(), id="value-add")
    add["name"] = ["  Trade   show "]
    response = owner_client.post(url, add, follow=True)
    assert "“Trade show” was added." in response.content.decode()
    values = list(ListValue.objects.filter(kind="source").order_by("position"))
    assert len(values) == count + 1 and values[-1].name == "Trade show"
    value = values[-1]

    html = response.content.decode()
    assert re.search(r'<button[^>]*aria-label="Move Trade show down"[^>]*disabled', html)
    edit = submitted_form(html, id=f"value-edit-{value.pk}")
    assert edit["name"] == ["Trade show"]
    edit["name"] = ["Trade fair"]
    owner_client.post(url, edit)
    value.refresh_from_db()
    assert value.name == "Trade fair"

    up = submitted_form(owner_client.get(url).content.decode(), id=f"value-up-{value.pk}")
    owner_client.post(url, up)
    order = list(ListValue.objects.filter(kind="source").order_by("position").values_list("name", flat=True))
    assert order[-2:] == ["Trade fair", values[-2].name]

    html = owner_client.get(url).content.decode()
    delete_url = reverse("crm:list_value_delete", args=[value.pk])
    assert f'href="{delete_url}" aria-label="Delete Trade fair"' in html
    confirm = owner_client.get(delete_url).content.decode()
    assert "Delete “Trade fair”?" in confirm and "No record uses this value." in confirm
    response = owner_client.post(delete_url, submitted_form(confirm, class_="delete-form"), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "“Trade fair” was deleted; 0 records changed." in response.content.decode()
    assert not ListValue.objects.filter(pk=value.pk).exists()


def test_a_value_in_use_is_replaced_through_its_confirmation(owner_client):
    web, event = (ListValue.objects.get(kind="source", name=name) for name in ("Web", "Event"))
    contact = ContactFactory(source=web)
    delete_url = reverse("crm:list_value_delete", args=[web.pk])
    form = submitted_form(owner_client.get(delete_url).content.decode(), class_="delete-form")
    form["replacement"] = [str(event.pk)]
    owner_client.post(delete_url, form)
    contact.refresh_from_db()
    assert contact.source == event and not ListValue.objects.filter(pk=web.pk).exists()


def test_a_category_is_deleted_on_the_page(owner_client):
    category = CategoryFactory(name="Key customer")
    contact = ContactFactory()
    contact.categories.add(category)
    url = reverse("crm:categories")
    data = submitted_form(owner_client.get(url).content.decode(), id=f"category-delete-{category.pk}")
    response = owner_client.post(url, data, follow=True)
    assert "“Key customer” was deleted." in response.content.decode()
    assert not Category.objects.exists() and not contact.categories.exists()


def test_a_criterion_is_saved_with_its_weight(owner_client):
    criterion = ScoringCriterion.objects.order_by("position").first()
    url = reverse("crm:criteria")
    data = submitted_form(owner_client.get(url).content.decode(), id=f"criterion-edit-{criterion.pk}")
    assert data["weight"] == [str(criterion.weight)]
    data["weight"] = [str(ScoringCriterion.Weight.LOW)]
    response = owner_client.post(url, data, follow=True)
    assert f"“{criterion.description}” was saved; scores were recalculated." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.weight == ScoringCriterion.Weight.LOW


def test_an_activity_is_added_to_its_own_stage(owner_client):
    proposal = stage(name="Proposal")
    url = reverse("sales:stages")
    html = owner_client.get(url).content.decode()
    assert 'placeholder="New sales activity"' in input_tag(html, f"activity-add-{proposal.pk}-name")
    data = submitted_form(html, id=f"activity-add-{proposal.pk}")
    assert data["parent"] == [str(proposal.pk)] and data["duration_days"] == ["0"]
    data.update(name=["Book the demo"], duration_days=["4"])
    response = owner_client.post(url, data, follow=True)
    assert "“Book the demo” was saved." in response.content.decode()
    last = proposal.activities.order_by("position").last()
    assert (last.name, last.duration_days) == ("Book the demo", 4)


def test_an_activity_error_shows_in_its_stage(owner_client):
    proposal = stage(name="Proposal")
    url = reverse("sales:stages")
    data = submitted_form(owner_client.get(url).content.decode(), id=f"activity-add-{proposal.pk}")
    data.update(name=["Too long"], duration_days=["4000"])
    response = owner_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 3650." in body
    assert "is-invalid" in input_tag(body, f"activity-add-{proposal.pk}-duration_days")
    assert not SalesActivity.objects.filter(name="Too long").exists()


def test_the_default_stage_is_chosen_on_the_page(owner_client):
    proposal = stage(name="Proposal")
    url = reverse("sales:stages")
    data = submitted_form(owner_client.get(url).content.decode(), id=f"stage-default-{proposal.pk}")
    response = owner_client.post(url, data, follow=True)
    assert "New opportunities start in “Proposal”." in response.content.decode()
    assert stage() == proposal
    data = submitted_form(response.content.decode(), id=f"stage-default-{proposal.pk}")
    assert data["op"] == ["clear_default"]
    owner_client.post(url, data)
    assert not SalesStage.objects.filter(is_default=True).exists()


def test_built_in_stages_have_no_controls(owner_client):
    html = owner_client.get(reverse("sales:stages")).content.decode()
    for built_in in SalesStage.objects.exclude(kind="open"):
        assert f'id="stage-edit-{built_in.pk}"' not in html and f'id="activity-add-{built_in.pk}"' not in html


def test_the_back_link_survives_a_change(owner_client):
    url = f"{source_list()}?next=/contacts/add/"
    html = owner_client.get(url).content.decode()
    assert '<a href="/contacts/add/">Back</a>' in html
    data = submitted_form(html, id="value-add")
    data["name"] = ["Fair"]
    assert owner_client.post(url, data)["Location"] == url


# --- Speed ----------------------------------------------------------------------------

def test_the_stages_page_does_not_query_per_stage(owner_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("sales:stages")).status_code == 200
        return len(captured)

    owner_client.get(reverse("sales:stages"))   # the session and the user, once
    before = queries()
    for position in range(10, 13):
        ActivityFactory.create_batch(2, stage=StageFactory(position=position))
    assert queries() == before
