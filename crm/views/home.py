"""The home page (dashboard) and each user's preferences."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from crm.forms import PreferencesForm
from crm.models import BusinessContact, HistoryItem, UserPreferences


class HomeView(TemplateView):
    """The dashboard: my open tasks, my newest contacts, recent history."""

    template_name = "crm/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        tasks = (HistoryItem.objects.filter(kind=HistoryItem.Kind.TASK, assigned_to=user)
                 .exclude(status=HistoryItem.TaskStatus.COMPLETED).order_by("due_date", "id")[:10])
        return {
            "today": today,
            "tasks": tasks,
            "contacts": BusinessContact.objects.filter(is_lead=False).order_by("-created", "-id")[:8],
            "recent": HistoryItem.objects.select_related("author").order_by("-occurred_at", "-id")[:10],
        }


class PreferencesView(View):
    def get(self, request):
        # Reading never writes: a user without saved preferences sees the defaults.
        prefs = UserPreferences.objects.filter(user=request.user).first() or UserPreferences(user=request.user)
        return render(request, "crm/preferences.html", {"form": PreferencesForm(instance=prefs)})

    def post(self, request):
        prefs, _created = UserPreferences.objects.get_or_create(user=request.user)
        form = PreferencesForm(request.POST, instance=prefs)
        if not form.is_valid():
            return render(request, "crm/preferences.html", {"form": form})
        form.save()
        # The language middleware reads the choice from the session.
        request.session["crm_language"] = prefs.language
        if prefs.language:
            translation.activate(prefs.language)
        messages.success(request, _("Your preferences were saved."))
        return redirect("crm:preferences")
