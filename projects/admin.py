"""Projects, tasks and project templates in the owner's admin: saved and deleted through the services."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


# --- Project templates -------------------------------------------------------------------
