from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    *views.LeadViewSet.urls(),
    path("leads/form/score/", views.ScoreView.as_view(), name="lead_score"),
    path("customize/lead-scoring/", views.CriteriaView.as_view(), name="criteria"),
    path("customize/lead-scoring/<int:pk>/delete/", views.CriterionDeleteView.as_view(), name="criterion_delete"),
]
