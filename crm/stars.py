"""A lead score drawn as stars: ★★★☆☆ and "3 of 5 stars", alike wherever it shows.

Templates include ``crm/includes/stars.html``; Python that writes HTML
itself (list cells, a record page's fields) calls ``stars_html``. Both take
the glyphs and the words from here and the number of stars from
``crm.scoring.MAX_STARS``; a test keeps their HTML the same.
"""
from django.utils.html import format_html
from django.utils.translation import ngettext

from crm.scoring import MAX_STARS


def clamp(stars) -> int:
    """A stored score as a number of stars (None is 0)."""
    return max(0, min(MAX_STARS, int(stars or 0)))


def star_glyphs(stars) -> str:
    """``stars`` filled stars, then empty ones up to MAX_STARS."""
    filled = clamp(stars)
    return "★" * filled + "☆" * (MAX_STARS - filled)


def stars_label(stars) -> str:
    """The score in words, for screen readers (or shown beside the stars)."""
    return ngettext("%(n)s of %(max)s star", "%(n)s of %(max)s stars", MAX_STARS) % {
        "n": clamp(stars), "max": MAX_STARS}


def stars_html(stars, *, label_shown: bool = False) -> str:
    """The stars as safe HTML (what ``crm/includes/stars.html`` draws): the
    glyphs hidden from screen readers, the words hidden from sight unless
    ``label_shown``."""
    label_class = "text-muted" if label_shown else "visually-hidden"
    return format_html('<span class="text-warning" aria-hidden="true">{}</span>{}<span class="{}">{}</span>',
                       star_glyphs(stars), " " if label_shown else "", label_class, stars_label(stars))
