"""Helpers for tests that drive the Django admin as a person would: open a
change form, change a few values, and post the whole form back."""
from django import forms
from django.contrib.auth.models import User

from crm.tests.factories import OwnerFactory, UserFactory


def owner_not_superuser() -> User:
    """A staff member in the group "Database owners", not a superuser."""
    return OwnerFactory(username="admin-owner", is_staff=True)


def superuser() -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _put(data: dict, form: forms.BaseForm, name: str) -> None:
    """Post one field's current value the way its widget would."""
    bound = form[name]
    value = bound.value()
    widget = bound.field.widget
    key = form.add_prefix(name)
    if isinstance(widget, forms.MultiWidget):
        for index, part in enumerate(widget.decompress(value)):
            if part is not None:
                data[f"{key}_{index}"] = str(part)
    elif isinstance(value, (list, tuple)):
        data[key] = [str(v) for v in value]
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
    elif value is not None:
        data[key] = str(value)


def page_data(response) -> dict:
    """What the admin add/change page in ``response`` posts if nothing is
    changed: every field's shown value and the inline formsets' management forms."""
    data = {"_save": "Save"}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form, name)
    return data

