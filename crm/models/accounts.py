from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .base import ContactDetails, Record, address_block

BusinessAddress = address_block("business", _("Business"), "BusinessAddress")
BillingAddress = address_block("billing", _("Billing"), "BillingAddress")
ShippingAddress = address_block("shipping", _("Shipping"), "ShippingAddress")


class Account(ContactDetails, BusinessAddress, BillingAddress, ShippingAddress, Record):
    """A company or organisation the team sells to."""

    class MailingAddress(models.TextChoices):
        BUSINESS = "business", _("Business")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")

    name = models.CharField(_("account name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=50, blank=True)
    office = models.CharField(_("office"), max_length=100, blank=True)
    mailing_address = models.CharField(
        _("mailing address"), max_length=10, choices=MailingAddress.choices, blank=True
    )

    lookup_fields = ("name",)
    search_fields = ("name", "email", "business_phone", "account_number")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        # Lists sort text case-insensitively (ORDER BY LOWER(col), id): one
        # index per sortable column keeps every sorted page an index walk.
        indexes = [
            models.Index(Lower("name"), F("id"), F("name"), name="account_name_idx"),
            models.Index(F("created"), F("id"), name="account_created_idx"),
            models.Index(Lower("business_city"), F("id"), F("business_city"), name="account_city_idx"),
            models.Index(Lower("business_phone"), F("id"), F("business_phone"), name="account_phone_idx"),
            models.Index(Lower("email"), F("id"), F("email"), name="account_email_idx"),
            models.Index(F("assigned_to"), Lower("name"), F("id"), F("name"), name="account_assigned_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = self.clean_mailing_address()
        if errors:
            raise ValidationError(errors)
