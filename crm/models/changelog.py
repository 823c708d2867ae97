from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeLogEntry(models.Model):
    """Who changed which record, when, and what (NetBox's ObjectChange, in small).

    ``changes`` maps a field name to ``{"label": …, "old": …, "new": …}`` with
    display values, so the log still reads right after a referenced record
    is renamed or deleted.

    The two references carry no database foreign-key constraint: the log is
    append-only, keeps the user's name as text, and Django still applies
    ``on_delete`` itself. A set-based change of 50,000 records (deleting a
    sales stage, an import) writes 50,000 entries, and PostgreSQL would check
    both keys of each entry at commit: 0.4 s of the stage deletion's 3 s
    budget, measured. ``changelog_object_idx`` serves the content type's
    lookups, so it has no index of its own.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        RESTORE = "restore", _("Restored")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+",
                                     db_constraint=False, db_index=False)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("record"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_constraint=False)
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    timestamp = models.DateTimeField(_("time"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id", "-version"], name="changelog_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.get_action_display()}"
