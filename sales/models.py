"""Opportunities and the sales process: the product catalogue, opportunity
lines, sales stages with their activities, and the sales settings."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from crm.models import ListKind
from crm.models.contacts import INITIATED_BY_ONE
from crm.generic.links import LinkedRecord
from crm.models.base import Record
from sales import pricing

MONEY = {"max_digits": 14, "decimal_places": 2}


class Product(models.Model):
    """An item of the product and service catalogue."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY, default=Decimal("0.00"),
                                     validators=[MinValueValidator(Decimal(0))])
    unit_cost = models.DecimalField(_("unit cost"), **MONEY, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal(0))])
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Inactive items stay on existing opportunities but are not offered for new lines."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")

    def __str__(self) -> str:
        return self.name


class SalesStage(models.Model):
    """One step of the sales process ("Qualification", "Proposal", …).

    Closed Won and Closed Lost are built in (``kind``): they close the
    opportunity, set its probability, and cannot be renamed or deleted. An
    open stage may have a default ``probability``, which an opportunity takes
    when it enters the stage (``probability_after_change``).
    """

    class Kind(models.TextChoices):
        OPEN = "open", pgettext_lazy("opportunity status", "Open")
        WON = "won", _("Closed Won")
        LOST = "lost", _("Closed Lost")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.OPEN, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_default = models.BooleanField(_("default stage"), default=False)
    probability = models.PositiveSmallIntegerField(
        _("default probability (%)"), null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text=_("An opportunity that enters this stage gets this probability, unless the same change sets "
                    "another. Leave empty to keep the opportunity's probability."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("sales stage")
        verbose_name_plural = _("sales stages")
        constraints = [
            # Closed Won / Closed Lost set 100 % / 0 % (closing_probability), not a default.
            models.CheckConstraint(condition=Q(probability__isnull=True) | Q(kind="open", probability__lte=100),
                                   name="salesstage_probability_open_range"),
            models.UniqueConstraint(fields=["kind"], condition=~Q(kind="open"), name="salesstage_one_per_closed_kind"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="salesstage_one_default"),
            models.CheckConstraint(condition=Q(kind="open") | Q(is_default=False), name="salesstage_default_is_open"),
        ]

    def __str__(self) -> str:
        # The built-in stages read in the user's language.
        return str(self.Kind(self.kind).label) if self.is_closed else self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN

    @property
    def closing_probability(self) -> int | None:
        return {self.Kind.WON: 100, self.Kind.LOST: 0}.get(self.kind)

    def clean(self) -> None:
        if self.is_closed and self.probability is not None:
            raise ValidationError({"probability": _("Closed Won and Closed Lost set the probability themselves.")})


def due_offsets(durations: list[int]) -> list[int | None]:
    """Days from entering a stage to the due date of each of its activities,
    given their durations in the stage's order: an activity is due when it and
    every activity before it have had their days (a running sum); one without
    a duration has no due date (None). ``due_offset_sql`` is the same rule in
    SQL (a test checks they agree)."""
    offsets, running = [], 0
    for days in durations:
        running += days
        offsets.append(running if days else None)
    return offsets


def due_offset_sql(path: str = ""):
    """``due_offsets`` in SQL: for the activity at ``path`` of the outer query
    ("" when it is a query of activities; "stage__activities" from
    opportunities), the sum of the durations of its stage's activities up to
    it in the stage's order (position, then id)."""
    from django.db.models import OuterRef, Subquery

    def outer(name: str) -> OuterRef:
        return OuterRef(f"{path}__{name}" if path else name)

    earlier = Q(position__lt=outer("position")) | Q(position=outer("position"), pk__lte=outer("id"))
    # SUM as a plain function, not Django's aggregate: one sum over the rows, no GROUP BY.
    running = (SalesActivity.objects.filter(earlier, stage=outer("stage")).order_by()
               .annotate(days=models.Func(F("duration_days"), function="SUM")).values("days"))
    return Subquery(running, output_field=models.IntegerField())


class SalesActivity(models.Model):
    """Something to do in a stage ("Send the proposal", 5 days)."""

    stage = models.ForeignKey(SalesStage, verbose_name=_("sales stage"), on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(_("name"), max_length=200)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=0,
                                                     validators=[MaxValueValidator(3650)])
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["stage__position", "position", "id"]
        verbose_name = _("sales activity")
        verbose_name_plural = _("sales activities")

    def __str__(self) -> str:
        return self.name


class SalesSettings(models.Model):
    """Settings of the sales process (one row)."""

    activity_reminders = models.BooleanField(
        _("Create reminders for each sales activity that has a duration"), default=False)

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))

    @classmethod
    def load(cls) -> "SalesSettings":
        """The settings (the defaults until the owner first saves them; reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class SalesListKind(models.TextChoices):
    """The customizable lists of opportunities (Customize ▸ Lists; registered
    with ``crm.models.register_list_kinds`` in ``SalesConfig.ready``)."""

    OPPORTUNITY_TYPE = "opportunity_type", _("Opportunity type")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")


def _list_value(kind: str, label):
    # Indexed by a partial index in Opportunity.Meta (only rows that have a value).
    return models.ForeignKey("crm.ListValue", verbose_name=label, null=True, blank=True, on_delete=models.PROTECT,
                             limit_choices_to={"kind": kind}, related_name="+", db_index=False)


def status_q(status: str) -> Q:
    """Opportunities by status — "open" (an open stage or none), "won", "lost",
    "closed" — through the stages' kind, without joining every row to its
    stage: the few stage ids go in as a subquery, so a count walks the stage
    index. The Opportunities list's Status filter and the reports use it."""
    if status == "open":
        return Q(stage__isnull=True) | Q(stage__in=SalesStage.objects.filter(kind=SalesStage.Kind.OPEN))
    kinds = [SalesStage.Kind.WON, SalesStage.Kind.LOST] if status == "closed" else [status]
    return Q(stage__in=SalesStage.objects.filter(kind__in=kinds))


class OpportunityQuerySet(models.QuerySet):
    def with_status(self, status: str):
        return self.filter(status_q(status))

    def with_totals(self):
        """Annotate ``lines_total``: the sum of the stored line totals, in SQL.
        Reports and checks use it; it always equals the stored ``total``
        (both come from ``pricing``), which a test pins."""
        from django.db.models import OuterRef, Subquery, Sum, Value
        from django.db.models.functions import Coalesce

        sums = (OpportunityLine.objects.filter(opportunity=OuterRef("pk")).order_by().values("opportunity")
                .annotate(s=Sum("line_total")).values("s"))
        return self.annotate(lines_total=Coalesce(Subquery(sums, output_field=models.DecimalField(**MONEY)),
                                                  Value(Decimal("0.00")), output_field=models.DecimalField(**MONEY)))


class Opportunity(Record):
    """A potential sales order to one account or business contact.

    ``total`` and ``expected_revenue`` are stored so lists sort and filter by
    them on an index; ``sales.services`` keeps them equal to
    ``pricing.opportunity_total`` of the lines and ``pricing.expected_revenue``
    (``clean()`` recomputes the latter whenever the probability changes).
    """

    title = models.CharField(_("opportunity title"), max_length=200)
    opportunity_type = _list_value(SalesListKind.OPPORTUNITY_TYPE, _("type"))
    account = models.ForeignKey("crm.Account", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="opportunities", db_index=False)
    contact = models.ForeignKey("crm.BusinessContact", verbose_name=_("business contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="opportunities", db_index=False)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0, validators=[MaxValueValidator(100)])
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0.00"))
    expected_revenue = models.DecimalField(_("expected revenue"), **MONEY, default=Decimal("0.00"))
    close_date = models.DateField(_("close date"), null=True, blank=True)
    payment_terms = _list_value(SalesListKind.PAYMENT_TERMS, _("payment terms"))
    expiration_date = models.DateField(_("expiration date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    source = _list_value(ListKind.SOURCE, _("source"))
    initiated_by_account = models.ForeignKey("crm.Account", verbose_name=_("initiated by account"), null=True,
                                             blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    initiated_by_contact = models.ForeignKey("crm.BusinessContact", verbose_name=_("initiated by business contact"),
                                             null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                             db_index=False)
    initiated_by_activity = models.ForeignKey("crm.MarketingActivity", verbose_name=_("initiated by marketing activity"),
                                              null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                              db_index=False)
    linked = LinkedRecord("account", "contact", required=True, constraint_name="opportunity_links_one_record",
                          verbose_name=_("Link to"), help_text=_("The account or business contact this opportunity is for."),
                          message=_("Link the opportunity to one account or one business contact."))
    initiated_by = LinkedRecord("initiated_by_account", "initiated_by_contact", "initiated_by_activity",
                                verbose_name=_("Initiated by"), message=INITIATED_BY_ONE)
    competitors = models.TextField(_("competitors"), blank=True)
    # No single-column index: opportunity_stage_idx starts with the stage. Every
    # index is one more entry to write when a stage's 50,000 opportunities move.
    stage = models.ForeignKey(SalesStage, verbose_name=_("sales stage"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="opportunities", db_index=False)
    stage_entered_on = models.DateField(_("in this stage since"), null=True, blank=True)
    reminder = models.BooleanField(_("reminder"), default=False)
    reminder_at = models.DateTimeField(_("reminder time"), null=True, blank=True)
    # As on every record, without the single-column index (opportunity_assigned_idx starts with it).
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    # Not indexed: only deleting a user looks it up (users are deactivated, rarely deleted).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+", db_index=False)

    objects = OpportunityQuerySet.as_manager()

    lookup_fields = ("title",)
    search_fields = ("title",)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            # (and opportunity_links_one_record, from ``linked``)
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_range"),
        ]
        # Every sortable column is an index walk (see crm.generic.views.lists.list_ordering);
        # nothing more: each index is one more entry to write per changed row.
        indexes = [
            models.Index(Lower("title"), F("id"), F("title"), name="opportunity_title_idx"),
            models.Index(F("expected_revenue"), F("id"), name="opportunity_expected_idx"),
            models.Index(F("total"), F("id"), name="opportunity_total_idx"),
            # The list indexes by close date, stage and person also hold what the
            # reports add up (stage for won/lost, total, expected revenue): a
            # report grouped or filtered by them reads the index alone, in its
            # order (SQLite groups by sorting otherwise). At 100,000: Pipeline by
            # Sales Stage 73 -> 16 ms of CPU, by Assigned To 122 -> 27 ms.
            models.Index(F("close_date"), F("id"), F("stage"), F("total"), F("expected_revenue"),
                         name="opportunity_close_idx"),
            models.Index(F("stage"), Lower("title"), F("id"), F("total"), F("expected_revenue"), F("close_date"),
                         F("assigned_to"), name="opportunity_stage_idx"),
            models.Index(F("assigned_to"), Lower("title"), F("id"), F("stage"), F("total"), F("expected_revenue"),
                         name="opportunity_assigned_idx"),
            # Opportunities by Account/Contact: every account's and contact's figures
            # from the index (147 -> 23 ms), and an account's opportunities (the
            # account field's own index, which this one replaces). With the id, as
            # PostgreSQL reads an index alone only if it holds every column named.
            models.Index(F("account"), F("contact"), F("stage"), F("total"), F("expected_revenue"), F("id"),
                         name="opportunity_account_idx"),
            # Links that most opportunities leave empty: partial indexes hold only
            # the rows that have one (fewer entries to write when many rows change).
            *[models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"opportunity_{short}_idx")
              for name, short in [("contact", "contact"), ("initiated_by_account", "init_account"),
                                  ("initiated_by_contact", "init_contact"), ("initiated_by_activity", "init_activity"),
                                  ("opportunity_type", "type")]],
            # Most opportunities have a source: a whole index, which also holds what
            # Opportunities by Source adds up (98 -> 24 ms of CPU at 100,000).
            models.Index(F("source"), F("stage"), F("total"), F("expected_revenue"), F("id"),
                         name="opportunity_source_idx"),
            # Payment terms: no index; no list filters by them, and only deleting
            # a payment-terms value looks them up (a scan is fine for that).
            # Reminders (crm.reminders): each person's ticked reminders by time, and
            # their opportunities of a stage by the day they entered it (sales
            # activities fall due that many days later).
            models.Index(F("assigned_to"), F("stage"), F("reminder_at"), condition=Q(reminder=True),
                         name="opportunity_reminder_idx"),
            models.Index(F("assigned_to"), F("stage"), F("stage_entered_on"), name="opportunity_assigned_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # What the stage, close date and probability were when loaded: clean()
        # tells a move to another stage (and a closing) from an unchanged one,
        # and a probability this change sets from the one it had.
        instance._loaded = (instance.__dict__.get("stage_id"), instance.__dict__.get("close_date"),
                            instance.__dict__.get("probability"))
        return instance

    def loaded_state(self) -> tuple[int | None, datetime.date | None, int | None]:
        """(stage id, close date, probability) as loaded from the database; a
        new opportunity's are no stage, no date and the default probability."""
        return getattr(self, "_loaded", (None, None, self._meta.get_field("probability").default))

    # --- what the generic machinery asks ---------------------------------
    def lock_reason(self) -> str | None:
        """Closed opportunities are read-only until reopened."""
        if self.stage_id and self.stage.is_closed:
            return _("“%(title)s” is closed (%(stage)s) and cannot be changed. Reopen it first.") % {
                "title": self.title, "stage": self.stage}
        return None

    @classmethod
    def locked_q(cls) -> Q:
        return Q(stage__kind__in=[SalesStage.Kind.WON, SalesStage.Kind.LOST])

    def primary_email(self) -> str:
        linked = self.linked
        return linked.primary_email() if linked else ""

    def email_recipient_name(self) -> str:
        return str(self.linked or "")

    @property
    def is_closed(self) -> bool:
        return bool(self.stage_id and self.stage.is_closed)

    # --- rules of one opportunity -------------------------------------------
    def clean(self) -> None:
        errors = self.link_errors()
        if self.reminder and not self.reminder_at:
            errors["reminder_at"] = _("Choose when to be reminded.")
        if errors:
            raise ValidationError(errors)
        loaded_stage, loaded_close_date, loaded_probability = self.loaded_state()
        today = timezone.localdate()
        entering = self.stage_id != loaded_stage
        if entering or (self.stage_id and not self.stage_entered_on):
            self.stage_entered_on = today
        self.probability = probability_after_change(self.stage if self.stage_id else None, entering=entering,
                                                    probability=self.probability, loaded_probability=loaded_probability)
        if self.stage_id and self.stage.is_closed:
            if not self.close_date or (entering and self.close_date == loaded_close_date and self.pk):
                # Closing: the close date is today unless the real date was entered.
                self.close_date = today
        if self.probability is not None and 0 <= self.probability <= 100:  # else the field's own error
            self.expected_revenue = pricing.expected_revenue(self.total, self.probability)

    def activity_checklist(self) -> list["ChecklistItem"]:
        """The current stage's activities, each with its due date and done mark."""
        if not self.stage_id:
            return []
        done = {} if self.pk is None else dict(
            self.activities_done.values_list("activity_id", "done_on"))
        start = self.stage_entered_on or timezone.localdate()
        activities = list(self.stage.activities.all())
        offsets = due_offsets([activity.duration_days for activity in activities])
        return [ChecklistItem(activity, None if offset is None else start + datetime.timedelta(days=offset),
                              activity.pk in done, done.get(activity.pk))
                for activity, offset in zip(activities, offsets)]


def probability_after_change(stage: SalesStage | None, *, entering: bool, probability: int | None,
                             loaded_probability: int | None) -> int | None:
    """The probability an opportunity has after a change (the rule of
    ``Opportunity.clean``, which every write path runs; the form's live
    totals show it too).

    In Closed Won or Closed Lost it is 100 % or 0 %. When it *enters* an open
    stage that has a default probability, it takes the stage's, unless the
    same change also set the probability (``probability`` differs from
    ``loaded_probability``, what it had before: the user's value wins).
    Otherwise it is ``probability`` as given."""
    if stage is None:
        return probability
    if stage.is_closed:
        return stage.closing_probability
    if entering and stage.probability is not None and probability == loaded_probability:
        return stage.probability
    return probability


class ChecklistItem:
    """One line of an opportunity's sales activity checklist."""

    def __init__(self, activity: SalesActivity, due: datetime.date | None, done: bool, done_on: datetime.date | None):
        self.activity, self.due, self.done, self.done_on = activity, due, done, done_on

    @property
    def overdue(self) -> bool:
        return bool(self.due and not self.done and self.due < timezone.localdate())


class ActivityDone(models.Model):
    """A sales activity ticked as done on one opportunity. Deleting the
    activity removes these marks everywhere (cascade)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="activities_done")
    activity = models.ForeignKey(SalesActivity, on_delete=models.CASCADE, related_name="done_on_opportunities")
    done_on = models.DateField(_("done on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("sales activity done")
        verbose_name_plural = _("sales activities done")
        constraints = [models.UniqueConstraint(fields=["opportunity", "activity"], name="activitydone_unique")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.activity}"


class OpportunityLine(models.Model):
    """One product or service on an opportunity: a catalogue item or free text."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product or service"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=Decimal(1),
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal(0),
                                           validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    line_total = models.DecimalField(_("line total"), **MONEY, default=Decimal("0.00"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("opportunity line")
        verbose_name_plural = _("products and services")
        constraints = [
            models.CheckConstraint(condition=Q(product__isnull=False) | ~Q(description=""), name="line_product_or_text"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="line_discount_range"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.description or (self.product.name if self.product_id else "")

    def restore_without(self, field_name: str, label: str) -> None:
        """Restored from Deleted items after its catalogue item was deleted
        (``crm.generic.services``): the line keeps the item's name."""
        if field_name == "product" and not self.description.strip():
            self.description = label[:500]

    def clean(self) -> None:
        if not self.product_id and not self.description.strip():
            raise ValidationError({"description": _("Choose a catalogue item or describe the line.")})
        if self.quantity is None or self.unit_price is None:
            return  # not a number: the field's own error says so
        total = pricing.line_total(self.quantity, self.unit_price, self.discount_percent or 0)
        if not pricing.is_storable(total):
            raise ValidationError({"unit_price": _("The line total (quantity × unit price) is too large.")})
        self.line_total = total
