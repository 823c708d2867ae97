"""Template filters of the lead workspace: a score as stars (``leads.stars``)."""
from django import template

from leads import stars

register = template.Library()

register.filter("star_glyphs", stars.star_glyphs)
register.filter("stars_label", stars.stars_label)
