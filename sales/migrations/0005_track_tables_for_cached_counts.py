"""Opportunity list counts are cached like the others (crm.generic.counts):
the database bumps the data version on every write to the tables the
opportunity filters read. Keep it after every migration that rebuilds these
tables on SQLite (an altered column recreates the table without its triggers;
counts over a table without triggers are simply not cached)."""
from django.db import migrations

from crm.generic import counts


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_partial_link_indexes"), ("crm", "0007_data_version_for_cached_counts")]
    operations = [counts.track_tables("sales_opportunity", "sales_opportunity_categories", "sales_salesstage")]
