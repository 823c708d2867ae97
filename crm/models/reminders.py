"""What each user did with their reminders, and the key of their calendar feed.

The reminders themselves are not stored: each app's source computes them from
its records (``crm.reminders``). Only the user's answer to one is kept here.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReminderState(models.Model):
    """A user's answer to one reminder: dismissed, or snoozed until a time.

    A reminder is named by its source (``crm.reminders`` key), the object it
    comes from and, for sources with several reminders per object (the sales
    activities of an opportunity), a detail id; ``due_at`` / ``due_on`` hold
    the due time (or day, for sources with due days) the answer was for. When
    the record's date changes, the stored due no longer matches and the
    reminder comes back. One row per reminder and user: a new answer replaces
    the old one.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    source = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object id"))
    detail_id = models.PositiveBigIntegerField(_("detail id"), default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    dismissed = models.BooleanField(_("dismissed"), default=False)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        verbose_name = _("reminder state")
        verbose_name_plural = _("reminder states")
        constraints = [
            # Also the index the reminder queries probe for every reminder they return.
            models.UniqueConstraint(fields=["user", "source", "object_id", "detail_id"], name="reminderstate_unique"),
            models.CheckConstraint(condition=Q(due_at__isnull=False, due_on__isnull=True)
                                   | Q(due_at__isnull=True, due_on__isnull=False),
                                   name="reminderstate_one_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.source} {self.object_id}/{self.detail_id}"


class ReminderFeed(models.Model):
    """The random part of a user's calendar feed address (``crm.reminders.feed_token``).

    A user without a row has a feed address all the same (made with an empty
    key), so showing it never writes; Regenerate stores a new random key,
    which changes the address and ends the old one.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="+")
    key = models.CharField(_("key"), max_length=64)
    created = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("reminder feed")
        verbose_name_plural = _("reminder feeds")

    def __str__(self) -> str:
        return str(self.user_id)
