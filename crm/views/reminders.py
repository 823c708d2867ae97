"""The Reminders page (due and overdue reminders by day, Dismiss and Snooze),
and each user's calendar feed of their reminders (crm.reminders)."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View

from crm import ical, reminders, services
from crm.forms import ReminderForm, ReminderSnoozeForm
from crm.generic.services import DomainError
from crm.models import UserPreferences

# A timed reminder's event in the feed lasts this long (a date-only one the whole day).
FEED_EVENT_LENGTH = datetime.timedelta(minutes=15)


def page_context(request) -> dict:
    """What the Reminders page shows: the due and overdue reminders by day."""
    now = timezone.now()
    listed = reminders.reminders_for(request.user, until=now, now=now)
    return {
        "days": reminders.by_day(listed, timezone.localdate(now)),
        "listed": len(listed),
        # Reversed and translated once for the page's many buttons.
        "snooze_choices": [(value, str(label)) for value, label in reminders.SNOOZE_CHOICES],
        "labels": {"dismiss": _("Dismiss"), "snooze": _("Snooze")},
        "dismiss_url": reverse("crm:reminder_dismiss"), "snooze_url": reverse("crm:reminder_snooze"),
    }


class RemindersView(View):
    """The signed-in user's reminders due now, overdue days first; their calendar feed's address."""

    def get(self, request):
        token = reminders.feed_token(request.user)
        feed_url = request.build_absolute_uri(reverse("crm:reminder_feed", args=[token]))
        return render(request, "crm/reminders.html", {
            **page_context(request), "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        })


class ReminderActionView(View):
    """Dismiss or snooze one reminder (POST only). With htmx the answer is the
    page's list and the navigation bar's count; without, back to the page.
    Subclasses define ``act(user, cleaned_data)``: it runs the service and
    returns the message to show."""

    http_method_names = ["post"]
    form_class = ReminderForm

    def post(self, request):
        form = self.form_class(request.POST)
        if not form.is_valid():
            # A bad duration says so; a tampered reminder is one the user does not have.
            errors = form.errors.get("duration") or [services.ReminderNotFound().message]
            messages.error(request, errors[0])
        else:
            try:
                messages.success(request, self.act(request.user, form.cleaned_data))
            except DomainError as error:
                messages.error(request, error.message)
        if request.htmx:
            return render(request, "crm/reminders.html#reminders-list", {**page_context(request), "oob_badge": True})
        return redirect("crm:reminders")


class ReminderDismissView(ReminderActionView):
    def act(self, user, data: dict) -> str:
        state = services.reminder_dismiss(user=user, source=data["source"], object_id=data["object_id"],
                                          detail_id=data["detail_id"], due=data["due"])
        return _("“%(title)s” dismissed.") % {"title": state.reminder.title}


class ReminderSnoozeView(ReminderActionView):
    form_class = ReminderSnoozeForm

    def act(self, user, data: dict) -> str:
        state = services.reminder_snooze(user=user, source=data["source"], object_id=data["object_id"],
                                         detail_id=data["detail_id"], due=data["due"], duration=data["duration"])
        until = timezone.localtime(state.snoozed_until)
        when = date_format(until, "TIME_FORMAT") if until.date() == timezone.localdate() else date_format(
            until, "DATETIME_FORMAT")
        return _("“%(title)s” snoozed until %(when)s.") % {"title": state.reminder.title, "when": when}


class ReminderFeedRegenerateView(View):
    """Give the user a new calendar feed address (POST only); the old one stops working."""

    http_method_names = ["post"]

    def post(self, request):
        services.reminder_feed_token_regenerate(user=request.user)
        messages.success(request, _("Your calendar feed has a new address. The old address no longer works: "
                                    "subscribe your calendar to the new one."))
        return redirect("crm:reminders")


@method_decorator(login_not_required, name="dispatch")
class ReminderFeedView(View):
    """A user's reminders as an iCalendar feed, for calendar apps to subscribe to.

    No session: the secret in the address is the key (README ▸ Security ▸
    Calendar feeds). A wrong, old or malformed one is a plain 404 that says
    nothing about whose it might be."""

    http_method_names = ["get", "head"]

    def get(self, request, token: str):
        user = reminders.feed_user(token)
        if user is None:
            raise Http404
        language = UserPreferences.objects.filter(user=user).values_list("language", flat=True).first()
        with translation.override(language or translation.get_language()):
            body = ical.calendar([self.event(request, r) for r in reminders.feed_reminders(user)],
                                 name=_("CRM reminders"))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="reminders.ics"'
        # Only the subscriber's own copy: no shared cache keeps someone's reminders.
        response["Cache-Control"] = "private, no-store"
        return response

    @staticmethod
    def event(request, reminder: reminders.Reminder) -> dict:
        if reminder.snoozed_until:
            start, end = reminder.snoozed_until, reminder.snoozed_until + FEED_EVENT_LENGTH
        elif reminder.date_only:
            start, end = reminder.due_value, reminder.due_value + datetime.timedelta(days=1)
        else:
            start, end = reminder.due_value, reminder.due_value + FEED_EVENT_LENGTH
        summary = f"{reminder.kind}: {reminder.title}"
        url = request.build_absolute_uri(reminder.url)
        return {"uid": reminder.uid, "start": start, "end": end, "summary": summary,
                "description": "\n".join(part for part in (reminder.record_label, url) if part), "url": url,
                "alarm": datetime.timedelta(0)}
