"""The site's URLs and the sample app's (the test suite's ROOT_URLCONF, see settings.py)."""
from django.urls import include, path

from crm.project_urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("", include("sample_records.urls"))]
