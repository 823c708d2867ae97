"""One record's pages: detail (and reading pane), create/edit with conflict
detection, delete, change log and print."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .. import recycle, services
from ..forms import add_refusal
from ..params import parse_id, parse_version, safe_next
from ..pdf import pdf_response, render_pdf
from .base import ViewSetMixin


class ObjectDetailView(ViewSetMixin, View):
    """A record's page; the reading pane gets the ``pane`` partial of the same template."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        context = self.base_context(object=obj, sections=self.viewset.detail_sections,
                                    actions=[a for a in self.viewset.get_actions() if a.allowed(request.user)],
                                    **self.viewset.detail_context(request, obj))
        if request.htmx and request.htmx.target == "reading-pane":
            return render(request, self.viewset.template_pane, context)
        return render(request, self.viewset.template_detail, context)


class ObjectEditView(ViewSetMixin, View):
    """Create or edit a record: Save & Close, Save & New, Cancel.

    On a stale save (someone else saved first) the form is shown again with
    everything the user typed, plus what the other person changed; saving
    again then keeps the user's version on purpose.
    """

    def get_instance(self, request, pk):
        return self.viewset.get_object(request, pk) if pk else self.viewset.new_instance(request)

    def get_form(self, request, instance, data=None, files=None):
        initial = self.initial_from_query(request, instance) if not instance.pk and request.GET else None
        return self.viewset.form(data, files, instance=instance, user=request.user, initial=initial)

    def initial_from_query(self, request, instance) -> dict:
        """Values a link fills in on a new record's form (``?stage=3``,
        ``?full_name=…``), as given; a value its field refuses is left out, so
        the form opens as if it had not been given (an odd ``?stage=x`` made
        the stage's checklist query fail)."""
        fields = self.viewset.form(instance=instance, user=request.user).fields
        initial = {}
        for name in request.GET.keys() & fields.keys():
            field = fields[name]
            value = request.GET.getlist(name) if isinstance(field.widget, forms.SelectMultiple) else request.GET[name]
            try:
                field.clean(value)
            except ValidationError:
                continue
            initial[name] = value
        return initial

    def render_form(self, request, form, instance, **extra):
        context = self.base_context(
            form=form, object=instance, next=safe_next(request, ""),
            cancel_url=safe_next(request, instance.get_absolute_url() if instance.pk else self.viewset.url("list")), **extra)
        return render(request, self.viewset.template_edit, context)

    def get(self, request, pk=None):
        instance = self.get_instance(request, pk)
        lock = instance.lock_reason() if instance.pk else None
        if lock:
            messages.warning(request, lock)
            return redirect(instance.get_absolute_url())
        return self.render_form(request, self.get_form(request, instance), instance)

    def post(self, request, pk=None):
        instance = self.get_instance(request, pk)
        # Where to go afterwards is settled before anything is saved.
        next_url = safe_next(request, None)
        # A stale form is answered first: its errors (a line someone removed
        # meanwhile, …) would otherwise hide what actually happened.
        posted_version = parse_id(request.POST.get("version", ""))
        if instance.pk and posted_version is not None:
            conflict = services.edit_conflict(instance, posted_version)
            if conflict is not None:
                return self.render_conflict(request, pk, conflict)
        form = self.get_form(request, instance, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form, instance)
        obj = form.save(commit=False)
        try:
            with transaction.atomic():
                self.viewset.save_form(request, obj, form, creating=not pk)
        except services.EditConflict as conflict:
            return self.render_conflict(request, pk, conflict)
        except services.DomainError as error:
            form.add_error(None, error.message)
            return self.render_form(request, form, instance)
        except ValidationError as error:
            add_refusal(form, error)
            return self.render_form(request, form, instance)
        messages.success(request, _("“%(record)s” was saved.") % {"record": obj})
        if "_save_new" in request.POST:
            return redirect(self.viewset.url("add"))
        return HttpResponseRedirect(next_url or obj.get_absolute_url())

    def render_conflict(self, request, pk, conflict: services.EditConflict):
        """The form again with the new version, what the other person changed
        above it, and everything the user typed; a field only the other person
        changed shows their value, so saving again loses neither change."""
        instance = self.get_instance(request, pk)
        data = self.merged_data(request, instance, conflict)
        form = self.get_form(request, instance, data, request.FILES)
        form.is_valid()
        return self.render_form(request, form, instance, conflict=conflict)

    def merged_data(self, request, current, conflict: services.EditConflict):
        """The posted form with the stored values in the fields the other people
        changed and this user did not (the user's value is still the one the
        change log says they loaded)."""
        loaded = {}
        for entry in conflict.entries:
            for name, change in (entry.changes or {}).items():
                loaded.setdefault(name, change.get("old", ""))
        data = request.POST.copy()
        data["version"] = conflict.current.version
        typed = self.get_form(request, self.viewset.get_object(request, current.pk), request.POST, request.FILES)
        typed.is_valid()
        fields = {f.name for f in services.tracked_fields(type(current))}
        m2m = {name: typed.cleaned_data[name] for name in loaded
               if name in typed.cleaned_data and current._meta.get_field(name).many_to_many}
        yours = services.pending_snapshot(typed.instance, m2m)
        stored = self.get_form(request, current)
        for name, before in loaded.items():
            if name in fields and name in stored.fields and yours.get(name) == before:
                bound = stored[name]
                if isinstance(bound.field.widget, forms.CheckboxInput):
                    value = ["on"] if bound.value() else []
                else:
                    value = bound.field.widget.format_value(bound.value())
                    value = value if isinstance(value, list) else ([] if value is None else [value])
                data.setlist(stored.add_prefix(name), value)
        # A link to one record of several types (crm.generic.links) is one form
        # field over its keys: the stored link where the user left every key as loaded.
        for name, link in type(current).record_links.items():
            keys = [key for key in link.field_names if key in loaded]
            if keys and name in stored.fields and all(yours.get(key) == loaded[key] for key in keys):
                data.setlist(stored.add_prefix(name), [stored[name].value() or ""])
        return data


class ObjectDeleteView(ViewSetMixin, View):
    """Delete one record, after a confirmation that says what goes with it to
    Deleted items, what is cleared on other records, and what refuses it."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        effect = recycle.delete_effect(type(obj), [obj.pk])
        locked = obj.lock_reason()
        return render(request, "generic/delete.html", self.base_context(
            object=obj, sentences=effect.sentences(), refusals=[locked, *effect.refusals] if locked else effect.refusals))

    def post(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        try:
            services.record_delete(instance=obj, user=request.user,
                                   expected_version=parse_version(request.POST.get("version")))
        except services.DomainError as error:
            messages.error(request, error.message)
            return redirect(obj.get_absolute_url())
        messages.success(request, _("“%(record)s” was deleted; it can be restored from Deleted items.") % {"record": obj})
        return redirect(self.viewset.url("list"))


class ObjectChangeLogView(ViewSetMixin, View):
    """Who changed the record, when, and what (every save, bulk change and import)."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        entries = services.changelog_for(obj)[:200]
        return render(request, "generic/changelog.html", self.base_context(object=obj, entries=entries))


class ObjectPrintView(ViewSetMixin, View):
    """The record as a clean PDF (WeasyPrint)."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        context = self.base_context(object=obj, sections=self.viewset.detail_sections,
                                    **self.viewset.print_context(request, obj))
        return pdf_response(render_pdf(self.viewset.template_print, context, request), str(obj))
