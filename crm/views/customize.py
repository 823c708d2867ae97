"""Customize (the database owner's pages): the customizable lists and their
values, categories, and sign-in locks. Other apps add their own Customize pages
on ``CustomizeListView`` and list them with ``crm.navigation.add_customize_entry``."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from crm import selectors, services
from crm.forms import CategoryForm, ListValueDeleteForm, ListValueForm
from crm.generic import services as record_services
from crm.generic.ordered import OrderedDeleteView, OrderedList, OrderedListView
from crm.models import Category, ListValue, list_kind_choices, list_kind_label
from crm.permissions import OwnerRequiredMixin


class CustomizeView(OwnerRequiredMixin, TemplateView):
    template_name = "crm/customize.html"

    def get_context_data(self, **kwargs):
        counts = dict(ListValue.objects.values_list("kind").annotate(n=Count("id")))
        from crm.navigation import CUSTOMIZE

        return {"lists": [(kind, label, counts.get(kind, 0)) for kind, label in list_kind_choices()],
                "entries": [(label, reverse(url_name), description) for label, url_name, description in CUSTOMIZE]}


class CustomizeListView(OwnerRequiredMixin, OrderedListView):
    """A Customize page of ordered lists: the database owner's alone."""

    breadcrumb = (gettext_lazy("Customize"), "crm:customize")


class ListValues(OrderedList):
    """The values of one customizable list; deleting one asks for a replacement."""

    key = "value"
    form_class = ListValueForm
    edit_label = gettext_lazy("Rename")
    empty_text = gettext_lazy("The list is empty.")
    delete_url_name = "crm:list_value_delete"

    def __init__(self, kind: str):
        self.kind = kind

    def get_queryset(self):
        return selectors.list_values(self.kind)

    def new_instance(self, parent):
        return ListValue(kind=self.kind)

    def save(self, form, *, creating):
        name = form.cleaned_data["name"]
        if creating:
            services.list_value_create(kind=self.kind, name=name)
            return _("“%(name)s” was added.") % {"name": name}
        services.list_value_rename(value=form.instance, name=name)
        return ""

    def move(self, item, offset):
        services.list_value_move(value=item, offset=offset)


class ListEditView(CustomizeListView):
    """"Edit this list": add, rename, move and delete the values of one list."""

    intro = gettext_lazy("Renaming a value changes it on every record that uses it. "
                         "Deleting a value that is in use asks for a replacement.")

    def dispatch(self, request, kind, *args, **kwargs):
        label = list_kind_label(kind)
        if label is None:
            raise Http404
        self.kind = kind
        self.title = f"{_('Edit this list')}: {label}"
        self.heading = _("Edit the list “%(name)s”") % {"name": label}
        return super().dispatch(request, *args, **kwargs)

    def get_lists(self):
        return [ListValues(self.kind)]


class ListValueDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Deleting a value in use asks for a replacement (or blank)."""

    queryset = ListValue.objects.all()
    template_name = "crm/list_value_delete.html"

    def get_form(self, item, data=None):
        return ListValueDeleteForm(data, value=item)

    def get_context_data(self, item):
        return {"usage": selectors.list_value_usage(item)}

    def list_url(self, item):
        return reverse("crm:list_edit", args=[item.kind])

    def delete(self, item, form, user):
        changed = services.list_value_delete(value=item, replacement=form.cleaned_data["replacement"], user=user)
        return ngettext("“%(name)s” was deleted; %(count)d record changed.",
                        "“%(name)s” was deleted; %(count)d records changed.", changed) % {"name": item.name, "count": changed}


class Categories(OrderedList):
    """Categories, in the order of their names; deleting one takes it off its records at once."""

    key = "category"
    form_class = CategoryForm
    queryset = Category.objects.all()
    movable = False
    column_classes = {"colour": "col-shrink"}   # a swatch
    empty_text = gettext_lazy("No categories yet.")
    add_heading = gettext_lazy("New category")

    def save(self, form, *, creating):
        services.category_save(category=form.save(commit=False))
        return _("“%(name)s” was saved.") % {"name": form.instance}

    def delete(self, item, user):
        services.category_delete(category=item, user=user)
        return _("“%(name)s” was deleted.") % {"name": item}


class CategoryListView(CustomizeListView):
    lists = [Categories()]
    title = gettext_lazy("Categories")


class SignInLocksView(OwnerRequiredMixin, View):
    """Customize ▸ Sign-in locks: the accounts and addresses locked out after
    too many failed sign-ins, each with an Unlock button."""

    def get(self, request):
        from crm.signin import lock_minutes

        return render(request, "crm/signin_locks.html", {
            "locks": selectors.signin_locks(), "limit": settings.AXES_FAILURE_LIMIT, "minutes": lock_minutes(),
        })

    def post(self, request):
        username, address = request.POST.get("username", "").strip(), request.POST.get("ip_address", "").strip()
        try:
            services.signin_unlock(username=username, ip_address=address)
        except record_services.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sign-in is unlocked for the account “%(name)s”.") % {"name": username} if username
                             else _("Sign-in is unlocked for the address %(address)s.") % {"address": address})
        return redirect("crm:signin_locks")
