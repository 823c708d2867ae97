import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PayloadEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but times to the microsecond (it cuts them to
    milliseconds): a restored record keeps exactly its stored times."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class DeletedItem(models.Model):
    """A deleted record or history item, kept for a while so it can be
    restored (the Deleted items page of each workspace).

    A tombstone, not a "deleted" flag on the records: the record's row is
    really gone, so no query of the application has to leave deleted rows
    out. ``payload`` holds what a restore puts back, made with Django's
    serializers: the record with its many-to-many values, the rows that were
    deleted with it (opportunity lines, ticked activities, criteria met), its
    history links and the history items that went with it, and the
    references other records held to it (cleared on delete, see
    ``crm.generic.services``). The files of all these (attachments, a
    contact's photo) wait in ``MEDIA_ROOT/trash/`` (``files``). Rows older
    than ``CRM_DELETED_ITEMS_DAYS`` are removed for good by
    ``manage.py purge_deleted``.
    """

    # ``record_type`` of a history item deleted on its own (records carry their registry key).
    HISTORY_ITEM = "history"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("number"))
    record_type = models.CharField(_("type"), max_length=40)
    # The record types whose workspaces list it, as " key key ": a record's own
    # type; for a history item, the types of the records it was linked to.
    scope = models.CharField(max_length=200)
    text = models.CharField(_("name"), max_length=200)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deleted by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    deleted_by_name = models.CharField(_("deleted by"), max_length=150, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)
    # Who may restore it besides the database owner: the record's assignee
    # (for a history item, its assignee or else its author).
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(encoder=PayloadEncoder)
    # What went with it, for the list: counts of history items, attachments, rows; names of linked records.
    details = models.JSONField(default=dict, blank=True)
    # Stored names (relative to MEDIA_ROOT) of the files moved to MEDIA_ROOT/trash/.
    files = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = _("deleted item")
        verbose_name_plural = _("deleted items")
        indexes = [models.Index(fields=["-deleted_at", "-id"], name="deleteditem_newest_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def restorable_until(self):
        return self.deleted_at + datetime.timedelta(days=settings.CRM_DELETED_ITEMS_DAYS)
