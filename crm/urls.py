from django.urls import path

from crm.generic.views.deleted import DeletedItemRestoreView, DeletedItemsView
from crm.views import customize, history, home, link_to, records, reminders, scoring

app_name = "crm"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    *records.AccountViewSet.urls(),
    *records.ContactViewSet.urls(),
    path("contacts/<int:pk>/photo/", records.ContactPhotoView.as_view(), name="contact_photo"),
    path("history/<int:pk>/", history.HistoryItemDetailView.as_view(), name="history_detail"),
    path("history/<int:pk>/edit/", history.HistoryItemEditView.as_view(), name="history_edit"),
    path("history/<int:pk>/delete/", history.HistoryItemDeleteView.as_view(), name="history_delete"),
    path("history/<int:pk>/link/", history.HistoryItemLinkView.as_view(), name="history_link"),
    path("history/<int:pk>/file/", history.HistoryFileDownloadView.as_view(), name="history_file"),
    path("deleted-items/<str:workspace>/", DeletedItemsView.as_view(), name="deleted_items"),
    path("deleted-items/restore/<int:pk>/", DeletedItemRestoreView.as_view(), name="deleted_item_restore"),
    path("link-to/search/", link_to.LinkToSearchView.as_view(), name="link_to_search"),
    path("link-to/new/", link_to.LinkToCreateView.as_view(), name="link_to_create"),
    path("customize/", customize.CustomizeView.as_view(), name="customize"),
    path("customize/lists/<str:kind>/", customize.ListEditView.as_view(), name="list_edit"),
    path("customize/list-values/<int:pk>/delete/", customize.ListValueDeleteView.as_view(), name="list_value_delete"),
    path("customize/categories/", customize.CategoryListView.as_view(), name="categories"),
    path("customize/sign-in-locks/", customize.SignInLocksView.as_view(), name="signin_locks"),
    # Lead scoring (the criteria score business contacts too): the criteria pages keep the paths they had.
    path("contacts/form/score/", scoring.ScoreView.as_view(), name="score"),
    path("customize/lead-scoring/", scoring.CriteriaView.as_view(), name="criteria"),
    path("customize/lead-scoring/<int:pk>/delete/", scoring.CriterionDeleteView.as_view(), name="criterion_delete"),
    path("preferences/", home.PreferencesView.as_view(), name="preferences"),
    path("reminders/", reminders.RemindersView.as_view(), name="reminders"),
    path("reminders/dismiss/", reminders.ReminderDismissView.as_view(), name="reminder_dismiss"),
    path("reminders/snooze/", reminders.ReminderSnoozeView.as_view(), name="reminder_snooze"),
    path("reminders/feed/regenerate/", reminders.ReminderFeedRegenerateView.as_view(), name="reminder_feed_regenerate"),
    path("reminders/feed/<str:token>.ics", reminders.ReminderFeedView.as_view(), name="reminder_feed"),
]
