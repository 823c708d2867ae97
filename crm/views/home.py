"""The home page (dashboard) and each user's preferences."""
from __future__ import annotations

from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from crm import dashboard
from crm.forms import PreferencesForm
from crm.generic.counts import one_version
from crm.models import HistoryItem, UserPreferences


class HomeView(View):
    """The dashboard: the panels the apps register (crm.dashboard), drawn under
    one read of the data version (their filter choices come from the cache)."""

    def get(self, request):
        with one_version():
            return render(request, "crm/home.html", {"panels": dashboard.draw(request)})


def my_open_tasks(request) -> dict:
    """The signed-in user's open history tasks, overdue first."""
    tasks = (HistoryItem.objects.filter(kind=HistoryItem.Kind.TASK, assigned_to=request.user)
             .exclude(status=HistoryItem.TaskStatus.COMPLETED).order_by(F("due_date").asc(nulls_last=True), "id")[:8])
    return {"tasks": tasks, "today": timezone.localdate()}


def recent_communication(request) -> dict:
    return {"recent": HistoryItem.objects.select_related("author").order_by("-occurred_at", "-id")[:8]}


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
