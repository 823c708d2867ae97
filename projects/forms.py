"""Forms of business projects, project tasks, project templates and Create project."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


# --- Project templates and creating projects from opportunities --------------------------
