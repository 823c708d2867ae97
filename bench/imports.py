"""Lead import and export speed: `python bench/imports.py [--rows 10000,100000]`.

Seeds nothing but users; writes a realistic CSV (Outlook-style headers, 14
columns, 5 % of rows repeating an e-mail), then times reading + preview
(validation and duplicate checks, storing the plan of the writes) and the
confirmed commit (loading the plan, checking again against the database,
writing), and the CSV
export of everything imported. Uses its own SQLite file in bench/data/ (or,
when DATABASE_URL is set, that throw-away PostgreSQL database, whose public
schema is dropped before each row count, with the guard of bench/lib/database.py).
"""
import argparse
import csv
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "import.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000")
    args = parser.parse_args()
    db = cli.default_database()
    cli.setup_django(cli.django_environment(db, SQLITE_FILE, ALLOWED_HOSTS="testserver"))
    cli.DATA_DIR.mkdir(parents=True, exist_ok=True)
    from django.contrib.auth.models import User
    from django.db import connection

    from crm.generic.exports import export_chunks
    from crm.generic.imports import Plan
    from crm.generic.services import records_import
    from crm.generic.tabular import Limits, read_table
    from leads.imports import LeadImporter
    from leads.models import Lead
    from leads.resources import LeadResource

    print(f"database: {connection.vendor}")
    for rows in [int(r) for r in args.rows.split(",")]:
        database.reset_database(db, SQLITE_FILE)
        database.migrate()
        user = User.objects.create_user("alice", "alice@example.com", "x", first_name="Alice")
        content = data.leads_csv(rows)
        upload = cli.DATA_DIR / "import.csv"
        upload.write_bytes(content)
        plan_file = cli.DATA_DIR / "import.plan.json"
        # As ImportView does: the upload is read from disk as a stream, the preview
        # stores the plan of its writes next to it; the confirmation checks it
        # belongs to the file, then writes it.
        start = time.perf_counter()
        table = read_table("leads.csv", upload, limits=Limits.from_settings(size=10**9))
        importer = LeadImporter(user)
        mapping = importer.match_headers(table.header)
        preview = importer.preview(table, mapping)
        with plan_file.open("w") as out:
            out.writelines(importer.prepare(preview, importer.digest(upload, mapping, "update")).chunks())
        preview_s = time.perf_counter() - start
        start = time.perf_counter()
        importer = LeadImporter(user)
        plan = Plan.loads(plan_file.read_text())
        assert plan.digest == importer.digest(upload, mapping, "update")
        result = records_import(importer=importer, plan=plan, user=user, source="leads.csv")
        commit_s = time.perf_counter() - start
        start = time.perf_counter()
        exported = sum(len(chunk) for chunk in export_chunks(Lead.objects.all(), LeadResource)) - 1
        export_s = time.perf_counter() - start
        # The export imported back: every row an update of the lead it came from, each
        # checked against the record as it is (its rules, read-only records), and
        # nothing to write.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for chunk in export_chunks(Lead.objects.all(), LeadResource):
            writer.writerows(chunk)
        exported_csv = buffer.getvalue().encode()
        start = time.perf_counter()
        table = read_table("export.csv", exported_csv, limits=Limits.from_settings(size=10**9))
        importer = LeadImporter(user)
        mapping = importer.match_headers(table.header)
        back = importer.preview(table, mapping)
        back_plan = Plan.loads(importer.prepare(back, "round trip").dumps())
        back_preview_s = time.perf_counter() - start
        start = time.perf_counter()
        back_result = records_import(importer=LeadImporter(user), plan=back_plan, user=user, source="export.csv")
        back_commit_s = time.perf_counter() - start
        assert back.counts["unchanged"] == exported and back_result == {
            "new": 0, "update": 0, "unchanged": exported, "skip": 0, "error": 0}, (back.counts, back_result)
        from crm.models import CriterionMet, ScoringCriterion
        from crm.services import lead_rescore_all

        criteria = list(ScoringCriterion.objects.all())
        ids = list(Lead.objects.values_list("pk", flat=True))
        CriterionMet.objects.bulk_create([CriterionMet(contact_id=pk, criterion=criteria[pk % len(criteria)]) for pk in ids],
                                         batch_size=5000)
        start = time.perf_counter()
        rescored = lead_rescore_all()
        rescore_s = time.perf_counter() - start
        counts = preview.counts
        print(f"{rows:>7,} rows ({len(content) / 1e6:.1f} MB): preview {preview_s:5.1f} s ({rows / preview_s:,.0f} rows/s) "
              f"[{counts['new']:,} new, {counts['skip']:,} duplicates in the file]; "
              f"commit {commit_s:5.1f} s ({rows / commit_s:,.0f} rows/s, {result['new']:,} written); "
              f"export of {exported:,} leads {export_s:4.1f} s; re-scoring {rescored:,} records {rescore_s:4.2f} s; "
              f"the export imported back: preview {back_preview_s:4.1f} s, commit {back_commit_s:4.1f} s "
              f"({exported:,} unchanged)")


if __name__ == "__main__":
    main()
