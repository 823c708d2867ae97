"""The shared CRM models: the record base, accounts, business contacts,
communication history, categories, customizable lists, marketing activities, lead scoring, the
change log and user preferences."""
from .base import Record, address_block, ContactDetails
from .categories import Category
from .lists import ListKind, ListValue, list_kind_choices, list_kind_label, register_list_kinds
from .accounts import Account
from .contacts import BusinessContact
from .marketing import MarketingActivity
from .scoring import CriterionMet, ScoringCriterion
from .history import HistoryItem, HistoryLink
from .changelog import ChangeLogEntry
from .deleted import DeletedItem
from .preferences import UserPreferences
from .reminders import ReminderFeed, ReminderState

__all__ = [
    "Record", "address_block", "ContactDetails", "Category", "ListKind", "ListValue",
    "list_kind_choices", "list_kind_label", "register_list_kinds",
    "Account", "BusinessContact", "MarketingActivity", "ScoringCriterion", "CriterionMet", "HistoryItem", "HistoryLink", "ChangeLogEntry",
    "DeletedItem", "UserPreferences", "ReminderFeed", "ReminderState",
]
