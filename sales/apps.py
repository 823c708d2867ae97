from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from crm import navigation
        from crm.generic import panes, registry
        from crm.models import Account, BusinessContact, register_list_kinds
        from sales.models import Opportunity, SalesListKind
        from sales.selectors import related_opportunities

        registry.register(registry.RecordType(
            key="opportunity", model=Opportunity, verbose_name=_("Opportunity"),
            verbose_name_plural=_("Opportunities"), url_namespace="sales",
        ))
        # An opportunity's history also shows on its account's or business contact's History page.
        registry.register_rollup(Account, Opportunity, "account")
        registry.register_rollup(BusinessContact, Opportunity, "contact")
        navigation.add_tab("sales", navigation.Tab(_("Opportunities"), "sales:opportunity_list", ("opportunity",)))
        navigation.add_customize_entry(_("Sales stages and activities"), "sales:stages",
                                       _("The steps of the sales process, what to do in each, and the default stage."))
        navigation.add_customize_entry(_("Products and services"), "sales:products",
                                       _("The catalogue offered on opportunity lines: names, prices and costs."))
        # Their opportunities on the pages of accounts and business contacts (not of leads).
        for key in ("account", "contact"):
            panes.register_pane_section(
                key, "sales/includes/related_opportunities.html",
                context=lambda request, obj, key=key: {"key": key, "related": related_opportunities(obj)})
        # Customize ▸ Lists: the lists of opportunities.
        register_list_kinds(SalesListKind)
        self.register_reminders()

    def register_reminders(self) -> None:
        """An opportunity's reminder time, and the due dates of its sales activities (crm.reminders)."""
        from crm import reminders
        from sales import selectors

        reminders.register_source("opportunity", _("Opportunity reminder"), rows=selectors.reminder_rows,
                                  describe=selectors.describe_reminder, order=10)
        reminders.register_source("sales_activity", _("Sales activity"), rows=selectors.activity_reminder_rows,
                                  describe=selectors.describe_activity_reminder, date_only=True, order=20)
