"""Communication history: notes, phone logs, tasks, e-mails, appointments, files."""
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.generic.registry import pk_url
from crm.validators import normalize_upload_name, validate_attachment


def attachment_path(instance, filename: str) -> str:
    """Attachments are stored under a random name; the original name is kept
    in ``file_name`` for display and download only."""
    suffix = Path(normalize_upload_name(filename)).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The display of a choice, or the stored value if it is not one (as Django does)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class HistoryItem(models.Model):
    """One item of communication history.

    All six kinds live in one table (type-specific columns are empty for the
    other kinds): a History page is then one indexed query, not six.
    An item is linked to any number of records through ``HistoryLink``.
    """

    class Kind(models.TextChoices):
        NOTE = "note", _("Business Note")
        PHONE = "phone", _("Phone Log")
        TASK = "task", _("Task")
        EMAIL = "email", _("E-mail")
        APPOINTMENT = "appointment", _("Appointment")
        FILE = "file", _("File")

    class Direction(models.TextChoices):
        INCOMING = "in", _("Incoming")
        OUTGOING = "out", _("Outgoing")

    class TaskStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on someone else")
        DEFERRED = "deferred", _("Deferred")
        COMPLETED = "completed", _("Completed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    occurred_at = models.DateTimeField(_("date and time"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("notes"), blank=True)
    # Phone log
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, blank=True)
    phone_number = models.CharField(_("phone number"), max_length=40, blank=True)
    # Task
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("% complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Appointment (start is ``occurred_at``)
    end_at = models.DateTimeField(_("end"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    # E-mail (sent date is ``occurred_at``)
    email_from = models.CharField(_("from"), max_length=255, blank=True)
    email_to = models.TextField(_("to"), blank=True)
    # File
    file = models.FileField(_("file"), upload_to=attachment_path, blank=True, max_length=255, validators=[validate_attachment])
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)

    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    # As on records: an edit form carries the version it was loaded at, so a
    # save over someone else's change is refused (crm.services.history_item_update).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("modified by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("history item")
        verbose_name_plural = _("history items")
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="history_newest_idx"),
            models.Index(fields=["assigned_to", "kind", "status", "due_date"], name="history_task_idx"),
            # Each person's open tasks by due date: their reminders (crm.reminders), an
            # index range however many completed tasks pile up behind them.
            models.Index(fields=["assigned_to", "due_date"], condition=models.Q(kind="task") & ~models.Q(status="completed"),
                         name="history_open_task_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return pk_url("crm:history_detail", self.pk)

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.APPOINTMENT and self.end_at and self.occurred_at and self.end_at < self.occurred_at:
            errors["end_at"] = _("The end is before the start.")
        if self.kind == self.Kind.FILE and not self.file:
            errors["file"] = _("Choose a file to attach.")
        if self.kind == self.Kind.TASK and not self.status:
            self.status = self.TaskStatus.NOT_STARTED
        if errors:
            raise ValidationError(errors)

    # Django's get_FOO_display() builds a hashable copy of the field's choices,
    # translating every label, on each call; a History page makes 50-100 calls.
    def get_kind_display(self) -> str:
        return _label(self.Kind, self.kind)

    def get_direction_display(self) -> str:
        return _label(self.Direction, self.direction)

    def get_status_display(self) -> str:
        return _label(self.TaskStatus, self.status)

    def get_priority_display(self) -> str:
        return _label(self.Priority, self.priority)

    @property
    def icon(self) -> str:
        return {
            "note": "journal-text", "phone": "telephone", "task": "check2-square",
            "email": "envelope", "appointment": "calendar-event", "file": "paperclip",
        }[self.kind]


class HistoryLink(models.Model):
    """Links a history item to one record of any type (many-to-many, generic)."""

    item = models.ForeignKey(HistoryItem, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("history link")
        verbose_name_plural = _("history links")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "item"], name="historylink_unique"),
        ]
        indexes = [models.Index(fields=["item", "content_type"], name="historylink_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.content_type_id}:{self.object_id}"
