"""Saved reports: a report's options kept under a name, private or shared."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SavedReport(models.Model):
    """A named set of options of one report ("My Q4 pipeline"). Its owner
    alone renames, updates or deletes it; shared ones are listed for
    everyone under the report's workspace. ``options`` holds the options as
    the report's URL gives them ({name: [values]}); a relative date range
    stays relative ("this quarter" moves on with the calendar)."""

    name = models.CharField(_("name"), max_length=100)
    report = models.CharField(_("report"), max_length=60)
    workspace = models.CharField(_("workspace"), max_length=20, editable=False)
    options = models.JSONField(_("options"), default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="saved_reports")
    shared = models.BooleanField(_("shared with the team"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedreport_unique_name_per_owner")]
        indexes = [models.Index(fields=["workspace", "shared"], name="savedreport_workspace_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:saved", kwargs={"pk": self.pk})
