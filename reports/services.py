"""Writes of the reports app: saved reports."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.generic.services import DomainError
from crm.permissions import is_owner

from . import registry
from .models import SavedReport


class SavedReportRefused(DomainError):
    """Only a saved report's owner (or the database owner, to delete) may change it."""


def may_change(saved: SavedReport, user) -> bool:
    return saved.owner_id == user.pk


def may_delete(saved: SavedReport, user) -> bool:
    return may_change(saved, user) or (saved.shared and is_owner(user))


def _validated(saved: SavedReport) -> SavedReport:
    report = registry.get(saved.report)
    if report is None:
        raise ValidationError({"report": _("There is no such report.")})
    saved.workspace = report.workspace
    saved.name = (saved.name or "").strip()
    if saved.owner_id and SavedReport.objects.filter(owner_id=saved.owner_id, name__iexact=saved.name).exclude(
            pk=saved.pk).exists():
        raise ValidationError({"name": _("You already have a saved report with this name.")})
    saved.full_clean(exclude=["owner"] if not saved.owner_id else None)
    return saved


@transaction.atomic
def saved_report_create(*, user, report: str, name: str, options: dict, shared: bool = False) -> SavedReport:
    saved = _validated(SavedReport(owner=user, report=report, name=name, options=options, shared=shared))
    saved.save()
    return saved


@transaction.atomic
def saved_report_update(*, saved: SavedReport, user, name: str | None = None, options: dict | None = None,
                        shared: bool | None = None) -> SavedReport:
    """Rename it, share it or not, or keep new options: its owner only."""
    if not may_change(saved, user):
        raise SavedReportRefused(_("Only the person who saved this report may change it."))
    if name is not None:
        saved.name = name
    if options is not None:
        saved.options = options
    if shared is not None:
        saved.shared = shared
    _validated(saved).save()
    return saved


@transaction.atomic
def saved_report_delete(*, saved: SavedReport, user) -> None:
    if not may_delete(saved, user):
        raise SavedReportRefused(_("Only the person who saved this report may delete it."))
    saved.delete()
