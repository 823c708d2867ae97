"""Project management URLs (the namespace is the registry's ``url_namespace``)."""
from django.urls import path  # noqa: F401

from projects import views  # noqa: F401

app_name = "projects"

# --- Projects and tasks
urlpatterns = [*views.ProjectViewSet.urls(), *views.ProjectTaskViewSet.urls()]

# --- Project templates and creating projects from opportunities
urlpatterns += []
