"""An import's files while it waits for the user: the uploaded file, the plan
of the writes its preview showed, and its progress — all on disk under
``MEDIA_ROOT/imports/``, so every server process (and machine sharing
MEDIA_ROOT) sees the same, and nothing is kept in one process's memory.
The job itself (file name, the user's choices) is kept in the session.

An upload is removed as soon as its import is committed, cancelled or
replaced by another upload of the same user for the same list;
``manage.py purge_imports`` removes what is left after an hour (abandoned
previews, a worker killed mid-way).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .files import remove_partial
from .imports import Plan
from .tabular import FileRejected, intcomma

FOLDER = "imports"
PROGRESS_FOLDER = f"{FOLDER}/progress"
# Leftovers older than this are removed (purge_imports, and on every upload).
KEEP_SECONDS = 3600
# A progress id is made by the browser (crm.js); only these characters, so it
# names a file in the progress folder and nothing else.
PROGRESS_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
# How often the progress file is rewritten, in seconds.
PROGRESS_INTERVAL = 0.25
SESSION_KEY = "crm_imports"
# Import jobs a session keeps at once (one per list; older ones are removed with their files).
KEPT = 3


def folder() -> Path:
    return Path(default_storage.path(FOLDER))


def upload_path(job: dict) -> Path:
    return folder() / job["file"]


def plan_path(job: dict) -> Path:
    """The validated rows of the latest preview, next to the upload."""
    return folder() / f"{Path(job['file']).stem}.plan.json"


def store_upload(upload, token: str) -> str:
    """Stream the uploaded file into the imports folder (a temporary upload
    file is moved, a small one written in chunks; never read into memory
    whole) and return its file name there. A full disk raises
    ``FileNotStored`` and leaves nothing behind."""
    upload.seek(0)
    suffix = ".xlsx" if upload.read(4) == b"PK\x03\x04" else ".csv"
    upload.seek(0)
    name = default_storage.save(f"{FOLDER}/{token}{suffix}", upload)
    return Path(name).name


def write_plan(job: dict, chunks) -> None:
    """Write the plan (an iterable of text chunks) next to the upload, replacing
    an earlier one; on a full disk nothing is left and ``FileNotStored`` is raised."""
    path = plan_path(job)
    path.unlink(missing_ok=True)
    default_storage.save(f"{FOLDER}/{path.name}", _Chunks(chunks))


class _Chunks:
    """Text chunks as the storage writes a file: ``chunks()`` gives bytes."""

    name = "plan.json"

    def __init__(self, chunks):
        self._chunks = chunks

    def chunks(self):
        for chunk in self._chunks:
            yield chunk.encode()


def read_plan(job: dict) -> Plan | None:
    """The plan the job's latest preview stored (None: none, or unreadable)."""
    try:
        return Plan.loads(plan_path(job).read_text())
    except (OSError, ValueError, TypeError):
        return None


def remove(job: dict | None) -> None:
    """Remove an import's upload and plan (committed, cancelled, replaced)."""
    if not job:
        return
    upload_path(job).unlink(missing_ok=True)
    plan_path(job).unlink(missing_ok=True)


def purge(older_than: float = KEEP_SECONDS) -> int:
    """Remove uploads, plans and progress files last written more than
    ``older_than`` seconds ago; the number removed."""
    cutoff = time.time() - older_than
    removed = 0
    for directory in (folder(), Path(default_storage.path(PROGRESS_FOLDER))):
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass  # removed meanwhile by another process
    return removed


# --- The session's jobs -------------------------------------------------------

def session_jobs(session) -> dict:
    """The import jobs waiting in this session, by token."""
    return session.get(SESSION_KEY, {})


def remember(session, token: str, job: dict) -> None:
    """Keep ``job`` in the session under ``token``; the oldest jobs past KEPT
    are removed with their files."""
    jobs = session_jobs(session)
    for old in list(jobs)[:-(KEPT - 1)]:
        remove(jobs.pop(old))
    jobs[token] = job
    session[SESSION_KEY] = jobs


def forget(session, token: str) -> None:
    """Drop a job from the session and remove its files."""
    jobs = session_jobs(session)
    remove(jobs.pop(token, None))
    session[SESSION_KEY] = jobs


def forget_list(session, record_type: str) -> None:
    """Drop the session's jobs for the list of ``record_type`` (a new upload
    replaces the user's earlier one for that list)."""
    for token, job in list(session_jobs(session).items()):
        if job.get("type") == record_type:
            forget(session, token)


# --- Progress -----------------------------------------------------------------

class TooSlow(FileRejected):
    """The preview went past CRM_IMPORT_TIME_LIMIT; nothing was saved."""


class ImportProgress:
    """Where a long import step is, written to a small file the import page
    polls (any server process can answer the poll), and the step's time limit.

    ``phase`` is one of PHASES; ``done`` and ``total`` count rows (total 0: not
    known yet). Without a progress id (a browser without JavaScript) nothing is
    written, but the time limit still holds."""

    def __init__(self, progress_id: str | None, user, *, time_limit: float | None = None):
        self.path = None
        if progress_id and PROGRESS_ID.fullmatch(progress_id):
            self.path = Path(default_storage.path(PROGRESS_FOLDER)) / f"{progress_id}.json"
        self.user_id = getattr(user, "pk", None)
        self.deadline = time.monotonic() + time_limit if time_limit else None
        self.time_limit = time_limit
        self.phase = ""
        self._written = 0.0

    def __call__(self, phase: str, done: int = 0, total: int = 0, *, force: bool = False) -> None:
        """Report where the step is; past the time limit, stop it (``TooSlow``)."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise TooSlow(_("Checking this file took more than %(seconds)s seconds, the limit; nothing was "
                            "saved. Split it into smaller files and import them one by one.")
                          % {"seconds": intcomma(int(self.time_limit))})
        if self.path is None or (not force and phase == self.phase and now - self._written < PROGRESS_INTERVAL):
            return
        self.phase, self._written = phase, now
        self._write({"user": self.user_id, "phase": phase, "done": done, "total": total})

    def reader(self, phase: str):
        """A callback (done, total) for one phase, as read_table takes it."""
        return lambda done, total: self(phase, done, total)

    def finish(self) -> None:
        """The step is over: the page the browser gets next tells the rest."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _write(self, data: dict) -> None:
        # Written beside and renamed over the old one, so a poll never reads half
        # a file. Progress is a courtesy: a full disk must not stop the import.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "w") as out:
                    json.dump(data, out)
                os.replace(temporary, self.path)
            except OSError:
                remove_partial(temporary)
        except OSError:
            pass


def read_progress(progress_id: str, user) -> dict | None:
    """The progress another request of ``user`` wrote (None: none, or not theirs)."""
    if not PROGRESS_ID.fullmatch(progress_id or ""):
        return None
    try:
        data = json.loads((Path(default_storage.path(PROGRESS_FOLDER)) / f"{progress_id}.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("user") == user.pk else None

