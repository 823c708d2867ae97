"""Project management URLs (the namespace is the registry's ``url_namespace``)."""
from django.urls import path  # noqa: F401

from projects import views  # noqa: F401

app_name = "projects"

# --- Projects and tasks
urlpatterns = [*views.ProjectViewSet.urls(), *views.ProjectTaskViewSet.urls()]

# --- Project templates and creating projects from opportunities
urlpatterns += [
    path("customize/project-templates/", views.TemplatesView.as_view(), name="templates"),
    path("customize/project-templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template_delete"),
    path("opportunities/<int:pk>/create-project/", views.CreateProjectView.as_view(),
         name="opportunity_create_project"),
]
