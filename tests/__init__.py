"""Site-wide tests: what spans the apps (every URL of the site, the demo data
of every app, links between record types, the generic machinery on each app's
lists). A test of one app lives in that app's ``tests/``; crm's tests use no
other app (crm/tests/test_architecture.py)."""
