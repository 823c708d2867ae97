"""SQLite is set up for several concurrent users: WAL, a busy timeout, IMMEDIATE transactions."""
import threading

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def sqlite_connection(path) -> DatabaseWrapper:
    wrapper = DatabaseWrapper({
        "NAME": str(path), "OPTIONS": settings.SQLITE_OPTIONS, "TIME_ZONE": None, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "USER": "", "PASSWORD": "",
        "HOST": "", "PORT": "", "TEST": {},
    })
    wrapper.ensure_connection()
    return wrapper


import pytest


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    """These tests open their own SQLite files, outside the test database."""
    with django_db_blocker.unblock():
        yield


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    conn = sqlite_connection(tmp_path / "crm.sqlite3")
    with conn.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_concurrent_writers_wait_instead_of_failing(tmp_path):
    """Two threads each add 50 rows in their own transactions at the same time:
    with IMMEDIATE transactions and the busy timeout all 100 rows arrive."""
    path = tmp_path / "crm.sqlite3"
    setup = sqlite_connection(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    setup.close()
    errors = []

    def writer(name):
        conn = sqlite_connection(path)
        try:
            for _ in range(50):
                with conn.cursor() as cursor:
                    # What transaction.atomic() does on SQLite: BEGIN <transaction_mode>.
                    conn._start_transaction_under_autocommit()
                    cursor.execute("SELECT COUNT(*) FROM t")  # read, then write: fails under DEFERRED
                    cursor.execute("INSERT INTO t (who) VALUES (%s)", [name])
                    cursor.execute("COMMIT")
        except Exception as error:  # noqa: BLE001 - report any failure
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = sqlite_connection(path)
    with check.cursor() as cursor:
        assert cursor.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 100
    check.close()
    assert errors == []


def test_transaction_mode_is_immediate():
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
