"""Peak memory of an import preview: `python bench/import_memory.py [--rows 220000]`.

Posts a large lead CSV (Outlook-style columns, as bench/imports.py writes
them, padded to about 40 MB for 220,000 rows) to the Import page the way a
browser does — a multipart body read from a file on disk by the WSGI
handler — and prints the server process's resident memory before the
request and at its peak (``resource.getrusage``), the time the preview
took and its counts. One request per process, so the peak is the preview's
own. Uses its own SQLite file in bench/data/ (or, when DATABASE_URL is set,
that throw-away PostgreSQL database, whose public schema is dropped first).
"""
import argparse
import gc
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "import-memory.sqlite3"


def rss_now_mb() -> float:
    """The process's resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def multipart_file(path: Path, csv_path: Path, fields: dict[str, str], boundary: str) -> int:
    """Write a multipart/form-data body with ``fields`` and the CSV file to ``path``; its size."""
    with path.open("wb") as body:
        for name, value in fields.items():
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n"
                   f"Content-Type: text/csv\r\n\r\n".encode())
        with csv_path.open("rb") as source:
            while chunk := source.read(1 << 20):
                body.write(chunk)
        body.write(f"\r\n--{boundary}--\r\n".encode())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=220_000)
    args = parser.parse_args()
    db = cli.default_database()
    cli.setup_django(cli.django_environment(db, SQLITE_FILE, ALLOWED_HOSTS="testserver",
                                            MEDIA_ROOT=str(cli.DATA_DIR / "media")))
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.client import ClientHandler

    database.reset_database(db, SQLITE_FILE)
    database.migrate()
    user = User.objects.create_user("alice", "alice@example.com", "x", first_name="Alice")
    csv_path = cli.DATA_DIR / f"leads-{args.rows}.csv"
    content = data.leads_csv(args.rows)
    # Longer notes, as real exports have: about 180 bytes a row.
    content = content.replace(b"Met at the spring fair", b"Met at the spring fair; asked for the catalogue and a visit")
    csv_path.write_bytes(content)
    del content
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    body_path = cli.DATA_DIR / "import-memory.body"
    length = multipart_file(body_path, csv_path, {"step": "upload", "on_duplicate": "update"}, boundary)
    handler = ClientHandler(enforce_csrf_checks=False)
    handler.load_middleware()
    gc.collect()
    before = rss_now_mb()
    with body_path.open("rb") as body:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/leads/import/", "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "testserver",
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}", "CONTENT_LENGTH": str(length),
            "HTTP_COOKIE": cookie, "wsgi.input": body, "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
        }
        start = time.perf_counter()
        response = handler(environ)
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    body_path.unlink()
    html = response.content.decode()
    counts = ", ".join(re.findall(r"badge[^>]*>([^<]+)<", html)) or re.sub(r"\s+", " ", html)[:300]
    print(f"{args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB): HTTP {response.status_code} ({counts}); "
          f"preview {elapsed:.1f} s; "
          f"RSS before {before:,.0f} MB, peak {peak:,.0f} MB (+{peak - before:,.0f} MB)")


if __name__ == "__main__":
    main()
