"""Bulk actions: small objects listed on a record list (NetBox style).

Each action has a name, a label, who may run it, an optional form, and
``run(queryset, user, form)`` which calls one service in one transaction and
returns the message shown afterwards. The list template renders them; the
same actions serve a single record's Assign to / Categorize / Delete buttons.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _, ngettext

from crm.names import person_name
from . import recycle, services
from .forms import BulkEditForm


class BulkAction:
    name: str = ""
    label = ""
    icon = "lightning"
    danger = False
    form_class: type[forms.Form] | None = None

    def allowed(self, user) -> bool:
        return True

    def get_form(self, viewset, data=None, user=None, initial=None):
        if self.form_class is None:
            return None
        return self.form_class(data, user=user, initial=initial)

    def run(self, queryset, user, form) -> str:
        raise NotImplementedError

    def effect(self, queryset):
        """What the action would do beyond the selected records, for its
        confirmation page (``recycle.DeleteEffect`` or None)."""
        return None


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, label=_("Assign to"), empty_label=_("(nobody)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from crm.selectors import active_users

        self.fields["assignee"].queryset = active_users()
        self.fields["assignee"].label_from_instance = person_name


class AssignTo(BulkAction):
    name = "assign"
    label = _("Assign to")
    icon = "person-check"
    form_class = AssignForm

    def run(self, queryset, user, form) -> str:
        count = services.records_assign(queryset=queryset, user=user, assignee=form.cleaned_data["assignee"])
        return ngettext("%(count)d record assigned.", "%(count)d records assigned.", count) % {"count": count}


class BulkEdit(BulkAction):
    name = "edit"
    label = _("Edit several at once")
    icon = "pencil-square"

    def get_form(self, viewset, data=None, user=None, initial=None):
        return BulkEditForm(data, record_form=viewset.form, field_names=viewset.get_bulk_edit_fields(), user=user,
                            initial=initial)

    def run(self, queryset, user, form) -> str:
        data = form.cleaned_data
        count = services.records_bulk_update(
            queryset=queryset, user=user, field_name=data["field"], value=data.get("value"), clear=data.get("clear", False)
        )
        return ngettext("%(count)d record changed.", "%(count)d records changed.", count) % {"count": count}


class CategorizeForm(forms.Form):
    add = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_("Add categories"), widget=forms.CheckboxSelectMultiple)
    remove = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_("Remove categories"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from crm.models import Category

        self.fields["add"].queryset = self.fields["remove"].queryset = Category.objects.all()

    def clean(self):
        data = super().clean()
        if not data.get("add") and not data.get("remove"):
            raise forms.ValidationError(_("Tick at least one category to add or remove."))
        return data


class Categorize(BulkAction):
    name = "categorize"
    label = _("Categorize")
    icon = "tags"
    form_class = CategorizeForm

    def run(self, queryset, user, form) -> str:
        count = services.records_categorize(
            queryset=queryset, user=user, add=form.cleaned_data["add"], remove=form.cleaned_data["remove"]
        )
        return ngettext("%(count)d record categorized.", "%(count)d records categorized.", count) % {"count": count}


class Delete(BulkAction):
    name = "delete"
    label = _("Delete")
    icon = "trash"
    danger = True

    def run(self, queryset, user, form) -> str:
        count = services.records_delete(queryset=queryset, user=user)
        return ngettext("%(count)d record deleted; it can be restored from Deleted items.",
                        "%(count)d records deleted; they can be restored from Deleted items.", count) % {"count": count}

    def effect(self, queryset):
        """The totals of what goes with the selected records, and what refuses their delete."""
        return recycle.delete_effect(queryset.model, queryset.values("pk"))


DEFAULT_ACTIONS = [AssignTo(), BulkEdit(), Categorize(), Delete()]


# --- Actions other apps add to a record type's list ----------------------------------------
# An app built on a record type adds a bulk action to its list without the type's
# app knowing it (the projects app's "Create project" on the opportunities), in
# its ``AppConfig.ready``: ``register_action("opportunity", CreateProjects(), before="delete")``.
# ``RecordViewSet.get_actions()`` lists them with the type's own ``actions``.

_registered: dict[str, list[tuple[BulkAction, str | None]]] = {}


def register_action(record_type: str, action: BulkAction, *, before: str | None = None) -> BulkAction:
    """Add ``action`` to the list of the record type ``record_type`` (a
    ``crm.generic.registry`` key), placed before the type's action named
    ``before`` (at the end without one, or if the type has none of that name).
    Registering an action of the same name again replaces it."""
    actions = [(a, b) for a, b in _registered.get(record_type, []) if a.name != action.name]
    _registered[record_type] = [*actions, (action, before)]
    return action


def with_registered(record_type: str, own: list[BulkAction]) -> list[BulkAction]:
    """A record type's own ``actions`` with those other apps registered for it."""
    actions = list(own)
    for action, before in _registered.get(record_type, ()):
        names = [a.name for a in actions]
        actions.insert(names.index(before) if before in names else len(actions), action)
    return actions
