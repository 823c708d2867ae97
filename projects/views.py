"""Project Management ▸ Business Projects and Project Tasks, project templates
(Customize) and Create project from an opportunity."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


# --- Project templates and creating projects from opportunities --------------------------
