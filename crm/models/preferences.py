from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreferences(models.Model):
    """Per-user settings; the chosen language applies on every page they open,
    and each list shows the columns the user chose for it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crm_preferences")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    # {record type: [column names]}; a list not in it shows its table's default columns.
    list_columns = models.JSONField(_("list columns"), default=dict, blank=True)

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return str(self.user)
