from django.urls import path

from crm import scoring_views, views
from crm.generic.views import DeletedItemRestoreView, DeletedItemsView

app_name = "crm"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    *views.AccountViewSet.urls(),
    *views.ContactViewSet.urls(),
    path("contacts/<int:pk>/photo/", views.ContactPhotoView.as_view(), name="contact_photo"),
    path("history/<int:pk>/", views.HistoryItemDetailView.as_view(), name="history_detail"),
    path("history/<int:pk>/edit/", views.HistoryItemEditView.as_view(), name="history_edit"),
    path("history/<int:pk>/delete/", views.HistoryItemDeleteView.as_view(), name="history_delete"),
    path("history/<int:pk>/link/", views.HistoryItemLinkView.as_view(), name="history_link"),
    path("history/<int:pk>/file/", views.HistoryFileDownloadView.as_view(), name="history_file"),
    path("deleted-items/<str:workspace>/", DeletedItemsView.as_view(), name="deleted_items"),
    path("deleted-items/restore/<int:pk>/", DeletedItemRestoreView.as_view(), name="deleted_item_restore"),
    path("link-to/search/", views.LinkToSearchView.as_view(), name="link_to_search"),
    path("link-to/new/", views.LinkToCreateView.as_view(), name="link_to_create"),
    path("customize/", views.CustomizeView.as_view(), name="customize"),
    path("customize/lists/<str:kind>/", views.ListEditView.as_view(), name="list_edit"),
    path("customize/list-values/<int:pk>/delete/", views.ListValueDeleteView.as_view(), name="list_value_delete"),
    path("customize/categories/", views.CategoryListView.as_view(), name="categories"),
    path("customize/sign-in-locks/", views.SignInLocksView.as_view(), name="signin_locks"),
    # Lead scoring: the paths are those the leads app had (the criteria score business contacts too).
    path("leads/form/score/", scoring_views.ScoreView.as_view(), name="score"),
    path("customize/lead-scoring/", scoring_views.CriteriaView.as_view(), name="criteria"),
    path("customize/lead-scoring/<int:pk>/delete/", scoring_views.CriterionDeleteView.as_view(), name="criterion_delete"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
]
