"""Settings of the test suite: the site's settings plus the sample record type.

``pytest.ini`` selects this module. The production settings (crm.settings, used
by ``manage.py``, ``make run`` and WSGI) do not know the app: its two lines —
the entry in INSTALLED_APPS and the URL include (``project_urls.py``) — are
the two lines a real record-type app adds to crm/settings.py and crm/project_urls.py.
"""
from crm.settings import *  # noqa: F401,F403 (every setting of the site)
from crm.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "sample_records.apps.SampleRecordsConfig"]
ROOT_URLCONF = "sample_records.project_urls"

# The suite's amounts are written in dollars ("$2,500.00"), whatever currency
# the developer's own environment sets (CRM_CURRENCY).
CRM_CURRENCY = "USD"
