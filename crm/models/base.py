"""What every CRM record (account, contact, lead, opportunity, …) has in common."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.validators import validate_email


class Record(models.Model):
    """Abstract base of every record type.

    ``version`` grows by one with every save through the services; an edit
    form carries the version it was loaded at, so a second person's save on a
    stale copy is refused instead of silently overwriting (see
    ``crm.generic.services.record_update``).
    """

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    categories = models.ManyToManyField(
        "crm.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    comments = models.TextField(_("comments"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # What the search box of the type's list and the Link to dialog look in: every
    # word a substring of one of ``search_fields``, or, with a ``search_index``
    # (crm.generic.search.WordIndex), every word the start of a word of the record.
    search_fields: tuple[str, ...] = ()
    search_index = None
    # How a person names a record of the type in a file or a filter (an import's
    # "Account Name" column, a link's name filter): the name first.
    lookup_fields: tuple[str, ...] = ()
    # The record's links to one record of several types (crm.generic.links.LinkedRecord), by name.
    record_links: dict = {}

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        """The record's page, for the type it is now (crm.generic.registry.record_url:
        a lead and a business contact share a table but not their pages)."""
        from crm.generic.registry import record_url

        return record_url(self)

    # --- rules every record follows ---------------------------------------------
    def link_errors(self) -> dict[str, list]:
        """The broken rules of the record's links (``record_links``), by link name."""
        return {name: errors for name, link in self.record_links.items() if (errors := link.errors(self))}

    def clean(self) -> None:
        """Record-wide rules; a type that adds its own extends ``link_errors()``."""
        errors = self.link_errors()
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # A link's constraint is the rule ``clean()`` has checked already, with its
        # error on the link rather than above the form: not twice.
        exclude = set(exclude or ())
        for link in self.record_links.values():
            exclude.update(link.field_names)
        super().validate_constraints(exclude=exclude)

    # --- what the generic machinery asks of every record -------------------------
    def lock_reason(self) -> str | None:
        """Why the record is read-only now (shown to the user), or None if it may
        be changed. Every write path asks, on the row re-read inside its
        transaction (crm.generic.services)."""
        return None

    @classmethod
    def locked_q(cls) -> models.Q | None:
        """The records ``lock_reason`` refuses, as a filter (for writes to many
        records at once), or None if no record of the type is ever read-only."""
        return None

    # --- records whose stored figures follow this type's rows ----------------------
    @classmethod
    def write_dependents(cls, pks: list[int]) -> set:
        """The keys of other records whose stored figures are computed from the
        rows ``pks`` of this type, as the database has them now (a project task:
        its project, whose % complete follows its tasks). Every write path of
        ``crm.generic.services`` asks before and after it writes rows of the
        type, and then has ``refresh_dependents`` recompute them, in the same
        transaction; so a figure cannot be bypassed by a bulk edit, an import, a
        delete or a restore. None by default (and no query)."""
        return set()

    @classmethod
    def refresh_dependents(cls, keys: set) -> None:
        """Recompute the stored figures of the records ``keys`` (from ``write_dependents``)."""

    def clean_fields(self, exclude=None) -> None:
        """Django's field checks, and no text with a NUL character: PostgreSQL
        cannot store one. Forms refuse it already; this holds for every write
        through the services (a record made by name in the Link to dialog, …)."""
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.error_dict
        refuse_null_characters = ProhibitNullCharactersValidator()
        exclude = exclude or ()
        for field in self._meta.concrete_fields:
            if field.name in exclude:
                continue
            value = getattr(self, field.attname)
            # The validator's error for its message; the test first, as an import checks 100,000 records.
            if isinstance(value, str) and "\x00" in value and field.name not in errors:
                try:
                    refuse_null_characters(value)
                except ValidationError as error:
                    errors[field.name] = [error]
        if errors:
            raise ValidationError(errors)

    def primary_email(self) -> str:
        """The address that E-mail and Meeting request actions write to."""
        return getattr(self, "email", "") or ""

    def email_recipient_name(self) -> str:
        return str(self)


def address_block(prefix: str, label: str, model_name: str) -> type[models.Model]:
    """Build an abstract model holding one postal address (street, city, …).

    Accounts and business contacts carry several addresses (business, home,
    billing, …) with the same five parts; one builder keeps them identical.
    """
    def field(part: str, max_length: int = 100) -> models.Field:
        # format_lazy keeps the label translatable in the user's language.
        return models.CharField(format_lazy("{} {}", label, part), max_length=max_length, blank=True)

    attrs = {
        "__module__": __name__,
        f"{prefix}_street": models.TextField(format_lazy("{} {}", label, _("street")), blank=True),
        f"{prefix}_city": field(_("city")),
        f"{prefix}_state": field(_("state/province")),
        f"{prefix}_postal_code": field(_("postal code"), max_length=20),
        f"{prefix}_country": field(_("country/region")),
        "Meta": type("Meta", (), {"abstract": True}),
    }
    return type(model_name, (models.Model,), attrs)


ADDRESS_PARTS = ("street", "city", "state", "postal_code", "country")


class EmailFormField(forms.EmailField):
    """The form field of ``EmailField``: the same check as the model and the import."""

    default_validators = [validate_email]


class EmailField(models.EmailField):
    """An e-mail address, internationalised addresses included (françois@…,
    …@bücher.example): ``crm.validators.validate_email`` replaces Django's
    ASCII-only check, in the model and in its forms alike."""

    default_validators = [validate_email]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailFormField, **kwargs})

    def deconstruct(self):
        # Migrations see Django's EmailField: the column is the same and a
        # validator is no part of the schema, so changing the check needs no
        # migration (one would rebuild the tables on SQLite for nothing).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.EmailField", args, kwargs


class ContactDetails(models.Model):
    """E-mail addresses, phone numbers and web page shared by accounts and contacts."""

    email = EmailField(_("e-mail"), blank=True)
    email2 = EmailField(_("e-mail 2"), blank=True)
    email3 = EmailField(_("e-mail 3"), blank=True)
    business_phone = models.CharField(_("business phone"), max_length=40, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=40, blank=True)
    fax = models.CharField(_("business fax"), max_length=40, blank=True)
    other_phone = models.CharField(_("other phone"), max_length=40, blank=True)
    web_page = models.URLField(_("web page"), blank=True)

    class Meta:
        abstract = True

    def address_lines(self, prefix: str) -> list[str]:
        """The non-empty lines of one address, in postal order."""
        street = getattr(self, f"{prefix}_street", "")
        city_line = " ".join(
            p for p in (getattr(self, f"{prefix}_postal_code", ""), getattr(self, f"{prefix}_city", "")) if p
        )
        parts = [*street.splitlines(), city_line, getattr(self, f"{prefix}_state", ""), getattr(self, f"{prefix}_country", "")]
        return [p for p in parts if p]

    def has_address(self, prefix: str) -> bool:
        return any(getattr(self, f"{prefix}_{part}", "") for part in ADDRESS_PARTS)

    @property
    def mailing_address_lines(self) -> list[str]:
        return self.address_lines(self.mailing_address) if self.mailing_address else []

    def clean_mailing_address(self) -> dict:
        """Choose the mailing address when only one address is filled in, and
        refuse one that points at an empty address."""
        prefixes = [value for value, _label in self._meta.get_field("mailing_address").choices]
        filled = [p for p in prefixes if self.has_address(p)]
        if not self.mailing_address and len(filled) == 1:
            self.mailing_address = filled[0]
        if self.mailing_address and not self.has_address(self.mailing_address):
            label = dict(self._meta.get_field("mailing_address").choices).get(self.mailing_address)
            return {"mailing_address": _("The %(address)s address is empty, so it cannot be the mailing address.") % {"address": label}}
        return {}
