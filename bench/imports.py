"""Lead import and export speed: `python bench/imports.py [--rows 10000,100000]`.

Seeds nothing but users; writes a realistic CSV (Outlook-style headers, 14
columns, 5 % of rows repeating an e-mail), then times reading + preview
(validation and duplicate checks, storing the plan of the writes) and the
confirmed commit (loading the plan, checking again against the database,
writing), and the CSV
export of everything imported. Uses its own SQLite file in bench/data/ (or
DATABASE_URL when set).
"""
import argparse
import csv
import io
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
DATA.mkdir(parents=True, exist_ok=True)

FIRST = ["Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi", "Zoë"]
LAST = ["Hansen", "Dubois", "Kowalski", "Santoso", "Larsen", "Moreau", "Nowak", "Wijaya", "Berg", "Lefèvre"]
CITIES = [("Oslo", "Norway"), ("Lyon", "France"), ("Kraków", "Poland"), ("Bandung", "Indonesia")]
HEADER = ["First Name", "Last Name", "E-mail Address", "Business Phone", "Mobile Phone", "Company", "Job Title",
          "Business Street", "Business City", "Business Postal Code", "Business Country/Region", "Lead Source",
          "Notes", "Web Page"]


def make_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        n = i if rng.random() > 0.05 else rng.randrange(max(i, 1))
        city, country = rng.choice(CITIES)
        address = unicodedata.normalize("NFKD", f"{first}.{last}.{n}@example.com".lower()).encode("ascii", "ignore").decode()
        writer.writerow([first, last, address, f"+47 22 {n % 100:02d} {n % 97:02d}",
                         f"+47 9{n % 10}0 {n % 1000:03d}", f"{last} & Co {n % 500}", "Purchasing Manager",
                         f"{n % 200} Market Street", city, f"{n % 9000 + 1000}", country,
                         rng.choice(["Web", "Event", "Trade fair 2026", "Partner"]), "Met at the spring fair", ""])
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(DATA / "import.sqlite3")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from crm.generic.exports import export_chunks
    from crm.generic.imports import Plan
    from crm.generic.tabular import Limits, read_table
    from leads.imports import LeadImporter
    from leads.models import Lead
    from leads.resources import LeadResource

    print(f"database: {connection.vendor}")
    for rows in [int(r) for r in args.rows.split(",")]:
        if connection.vendor == "sqlite":
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(DATA / "import.sqlite3") + suffix).unlink(missing_ok=True)
        else:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        call_command("migrate", verbosity=0)
        user = User.objects.create_user("alice", "alice@example.com", "x", first_name="Alice")
        data = make_csv(rows)
        upload = DATA / "import.csv"
        upload.write_bytes(data)
        plan_file = DATA / "import.plan.json"
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
        result = importer.commit(plan, file_name="leads.csv")
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
        back_result = LeadImporter(user).commit(back_plan, file_name="export.csv")
        back_commit_s = time.perf_counter() - start
        assert back.counts["unchanged"] == exported and back_result == {
            "new": 0, "update": 0, "unchanged": exported, "skip": 0, "error": 0}, (back.counts, back_result)
        from leads.models import CriterionMet, ScoringCriterion
        from leads.services import lead_rescore_all

        criteria = list(ScoringCriterion.objects.all())
        ids = list(Lead.objects.values_list("pk", flat=True))
        CriterionMet.objects.bulk_create([CriterionMet(contact_id=pk, criterion=criteria[pk % len(criteria)]) for pk in ids],
                                         batch_size=5000)
        start = time.perf_counter()
        rescored = lead_rescore_all()
        rescore_s = time.perf_counter() - start
        counts = preview.counts
        print(f"{rows:>7,} rows ({len(data) / 1e6:.1f} MB): preview {preview_s:5.1f} s ({rows / preview_s:,.0f} rows/s) "
              f"[{counts['new']:,} new, {counts['skip']:,} duplicates in the file]; "
              f"commit {commit_s:5.1f} s ({rows / commit_s:,.0f} rows/s, {result['new']:,} written); "
              f"export of {exported:,} leads {export_s:4.1f} s; re-scoring {rescored:,} records {rescore_s:4.2f} s; "
              f"the export imported back: preview {back_preview_s:4.1f} s, commit {back_commit_s:4.1f} s "
              f"({exported:,} unchanged)")


if __name__ == "__main__":
    main()
