from django.urls import path

from crm import navigation as nav

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportIndexView.as_view(), name="index"),
    path("reports/saved/<int:pk>/", views.SavedReportView.as_view(), name="saved"),
    path("reports/saved/<int:pk>/change/", views.SavedReportChangeView.as_view(), name="saved_change"),
    path("reports/saved/<int:pk>/delete/", views.SavedReportDeleteView.as_view(), name="saved_delete"),
    # One URL name per workspace for its Reports tab (crm.navigation tabs take a URL name).
    *[path(f"reports/{w.key}/", views.ReportIndexView.as_view(), {"workspace": w.key}, name=w.key) for w in nav.WORKSPACES],
    path("reports/<slug:workspace>/<slug:code>/", views.ReportView.as_view(), name="report"),
    path("reports/<slug:workspace>/<slug:code>/save/", views.SaveReportView.as_view(), name="save"),
    path("reports/<slug:workspace>/<slug:code>/pdf/", views.ReportFileView.as_view(), {"output": "pdf"}, name="pdf"),
    path("reports/<slug:workspace>/<slug:code>/csv/", views.ReportFileView.as_view(), {"output": "csv"}, name="csv"),
    path("reports/<slug:workspace>/<slug:code>/xlsx/", views.ReportFileView.as_view(), {"output": "xlsx"}, name="xlsx"),
]
