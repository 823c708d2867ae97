from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.names import derive_names
from crm.scoring import effective_score
from crm.validators import validate_photo

from crm.generic.links import LinkedRecord
from crm.generic.search import WordIndex

from .base import ContactDetails, Record, address_block
from .lists import ListKind

INITIATED_BY_ONE = _("A record is initiated by one account, one business contact or one marketing activity.")

ContactBusinessAddress = address_block("business", _("Business"), "ContactBusinessAddress")
HomeAddress = address_block("home", _("Home"), "HomeAddress")
OtherAddress = address_block("other", _("Other"), "OtherAddress")


def photo_path(instance, filename: str) -> str:
    """Store photos under a random name: the uploaded name never reaches the disk."""
    import uuid
    from pathlib import Path

    return f"photos/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


# Word search over names, company and e-mail (crm migration 0009, crm.generic.search).
CONTACT_SEARCH_INDEX = WordIndex(source="crm_businesscontact", table="crm_businesscontact_words",
                                 columns=("full_name", "company_name", "email"), pg_function="crm_contact_words",
                                 pg_partitions=("NOT is_lead", "is_lead"), pg_filter_columns=("assigned_to_id",))


class BusinessContact(ContactDetails, ContactBusinessAddress, HomeAddress, OtherAddress, Record):
    """A person the team deals with. Leads are business contacts with ``is_lead`` set
    (``leads.models.Lead`` is a proxy), so converting a lead keeps every link."""

    class MailingAddress(models.TextChoices):
        BUSINESS = "business", _("Business")
        HOME = "home", _("Home")
        OTHER = "other", _("Other")

    class ScoreType(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        MANUAL = "manual", _("Manual")

    is_lead = models.BooleanField(_("is a lead"), default=False, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    file_as = models.CharField(_("file as"), max_length=200, blank=True, help_text=_("Leave empty for “Last, First”."))
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    account = models.ForeignKey(
        "crm.Account", verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True, validators=[validate_photo])
    home_phone = models.CharField(_("home phone"), max_length=40, blank=True)
    mailing_address = models.CharField(
        _("mailing address"), max_length=10, choices=MailingAddress.choices, blank=True
    )
    # Source information (SPEC 4): where the contact or lead came from.
    source = models.ForeignKey(
        "crm.ListValue",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": ListKind.SOURCE},
        related_name="+",
        db_index=False,  # contact_source_idx starts with it
    )
    initiated_by_account = models.ForeignKey(
        "crm.Account", verbose_name=_("initiated by account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiated_by_contact = models.ForeignKey(
        "self", verbose_name=_("initiated by business contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiated_by_activity = models.ForeignKey(
        "crm.MarketingActivity", verbose_name=_("initiated by marketing activity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False)
    initiated_by = LinkedRecord("initiated_by_account", "initiated_by_contact", "initiated_by_activity",
                                verbose_name=_("Initiated by"), message=INITIATED_BY_ONE)
    # When the lead became a business contact (leads.services.lead_convert);
    # a marketing activity's tracking page counts its converted leads by it.
    converted_on = models.DateField(_("converted on"), null=True, blank=True, editable=False)
    # Lead score (SPEC 4; the criteria apply to business contacts too).
    # ``auto_score`` is kept by crm.services from the ticked criteria;
    # ``score`` is the stars shown (manual or automatic), stored so lists can
    # sort and filter by it.
    score_type = models.CharField(_("score type"), max_length=9, choices=ScoreType.choices, default=ScoreType.AUTOMATIC)
    manual_score = models.PositiveSmallIntegerField(
        _("manual score"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    auto_score = models.PositiveSmallIntegerField(_("automatic score"), default=0, editable=False)
    score = models.PositiveSmallIntegerField(_("lead score"), default=0, editable=False)
    # Details page.
    department = models.CharField(_("department"), max_length=100, blank=True)
    office = models.CharField(_("office"), max_length=100, blank=True)
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    manager_name = models.CharField(_("manager's name"), max_length=100, blank=True)
    assistant_name = models.CharField(_("assistant's name"), max_length=100, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    anniversary = models.DateField(_("anniversary"), null=True, blank=True)

    lookup_fields = ("full_name", "email")
    search_fields = ("full_name", "company_name", "email")
    search_index = CONTACT_SEARCH_INDEX

    class Meta:
        ordering = ["file_as", "id"]
        verbose_name = _("business contact")
        verbose_name_plural = _("business contacts")
        indexes = [
            # Lists always filter on is_lead first, then sort text
            # case-insensitively (ORDER BY LOWER(col), id); one index per
            # sortable column keeps every sorted page an index walk. The plain
            # column at the end lets PostgreSQL answer a page's ids from the
            # index alone (an index-only scan), deep pages included.
            models.Index(F("is_lead"), Lower("file_as"), F("id"), F("file_as"), name="contact_file_as_idx"),
            models.Index(F("is_lead"), Lower("company_name"), F("id"), F("company_name"), name="contact_company_idx"),
            models.Index(F("is_lead"), Lower("job_title"), F("id"), F("job_title"), name="contact_job_title_idx"),
            models.Index(F("is_lead"), Lower("business_phone"), F("id"), F("business_phone"), name="contact_phone_idx"),
            models.Index(F("is_lead"), Lower("email"), F("id"), F("email"), name="contact_email_idx"),
            models.Index(F("is_lead"), Lower("business_city"), F("id"), F("business_city"), name="contact_city_idx"),
            models.Index(F("is_lead"), F("created"), F("id"), name="contact_created_idx"),
            models.Index(F("is_lead"), F("assigned_to"), Lower("file_as"), F("id"), F("file_as"), name="contact_assigned_idx"),
            models.Index(F("account"), F("is_lead"), name="contact_account_idx"),
            models.Index(F("is_lead"), F("score"), F("id"), name="contact_score_idx"),
            # Imports find duplicates by e-mail among leads and contacts alike.
            models.Index(Lower("email"), name="contact_email_lookup_idx"),
            # A marketing activity's tracking page: the few records it initiated.
            models.Index(F("initiated_by_activity"), F("is_lead"), condition=Q(initiated_by_activity__isnull=False),
                         name="contact_init_activity_idx"),
            # The reports (reports/definitions): each source's leads or contacts
            # counted from the index alone, in its order (SQLite groups by
            # sorting, unless an index has the order: 180 -> 23 ms of CPU at
            # 200,000 leads); deleting a source value looks its records up here too.
            models.Index(F("source"), F("is_lead"), name="contact_source_idx"),
            # The lead reports' groupings and filters in one narrow index:
            # counted by person, rating, source or marketing activity, filtered
            # by person and created date, without reading the wide rows
            # (Leads by Assigned To and Rating: 350 -> 20 ms of CPU on SQLite).
            # The id too: PostgreSQL answers from an index alone only if it
            # holds every column the query names (SQLite's hold the row id anyway).
            models.Index(F("is_lead"), F("assigned_to"), F("score"), F("source"), F("initiated_by_activity"),
                         F("created"), F("id"), name="contact_report_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # The stored values that the rules in clean() compare with (a rename, a new manual score).
    COMPARED_ON_SAVE = ("full_name", "first_name", "last_name", "file_as", "score_type", "manual_score")

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        if all(name in field_names for name in cls.COMPARED_ON_SAVE):
            instance._stored = {name: values[field_names.index(name)] for name in cls.COMPARED_ON_SAVE}
        return instance

    @property
    def stored_names(self) -> tuple[str, str, str, str] | None:
        """(full name, first, last, file as) as loaded from the database, for
        ``derive_names`` to tell a rename; None for a new record."""
        stored = getattr(self, "_stored", None)
        return None if stored is None else tuple(stored[n] for n in ("full_name", "first_name", "last_name", "file_as"))

    def clean(self) -> None:
        # Names: first/last come from the full name unless typed, "File as"
        # defaults to "Last, First", and both follow a rename (crm.names).
        self.full_name, self.first_name, self.last_name, self.file_as = derive_names(
            self.full_name, self.first_name, self.last_name, self.file_as, before=self.stored_names)
        errors = {**self.link_errors(), **self.clean_mailing_address()}
        # Giving stars is choosing a manual score (a form's stars, a bulk edit of
        # "Manual score", an import), unless the score type is chosen in the same change.
        stored = getattr(self, "_stored", None)
        if self.manual_score is not None and self.score_type == self.ScoreType.AUTOMATIC and (
                stored is None or (self.manual_score != stored["manual_score"]
                                   and stored["score_type"] == self.ScoreType.AUTOMATIC)):
            self.score_type = self.ScoreType.MANUAL
        if self.score_type == self.ScoreType.MANUAL and self.manual_score is None:
            self.manual_score = 0
        self.score = effective_score(self.score_type, self.manual_score, self.auto_score)
        if self.pk and self.initiated_by_contact_id == self.pk:
            errors.setdefault("initiated_by", []).append(_("A contact cannot initiate itself."))
        if errors:
            raise ValidationError(errors)

