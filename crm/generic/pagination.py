"""Pagination that stays fast deep into a large list.

A page is fetched in two steps (a "deferred join"): first the primary keys of
the page, which the database reads from the sort index alone, then the full
rows for just those keys. Skipping 50,000 index entries is cheap; skipping
50,000 full rows (plain OFFSET) is not.
"""
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

from .counts import cached_count
from .params import parse_page


class DeferredJoinPaginator(Paginator):
    """``object_list`` is the filtered, ordered queryset; ``rows_queryset`` (the
    same ordering without the filters) fetches the page's rows by id, so the
    second query never re-evaluates a filter's subqueries.

    ``one_query=True`` puts the ids' query inside the rows' query as a
    subquery (``id IN (SELECT id … LIMIT 50)``): one round trip instead of
    two, for a search on PostgreSQL, whose ids the database reads by sorting
    the matches anyway (``views.unindexed_ordering``). SQLite, with no round
    trips, keeps two queries, and so do lists that walk a sort index (an
    IN subquery's plan is less predictable there)."""

    def __init__(self, object_list, per_page, *, rows_queryset=None, one_query=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows_queryset = rows_queryset if rows_queryset is not None else object_list
        self.one_query = one_query

    @cached_property
    def count(self) -> int:
        """The number of matching records, cached until the data changes (see ``counts``)."""
        return cached_count(self.object_list)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.one_query:
            return self._get_page(self.rows_queryset.filter(pk__in=self.object_list.values("pk")[bottom:top]),
                                  number, self)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.rows_queryset.filter(pk__in=ids) if ids else self.rows_queryset.none()
        return self._get_page(rows, number, self)

    def get_page_or_last(self, number):
        """The requested page (``number`` as the request sent it), the first for
        rubbish, the last past the end, however far (``params.parse_page``)."""
        return self.page(parse_page(number, last=self.num_pages))


class WindowCountPaginator(Paginator):
    """Pages of a list short enough to count with every page (a record's
    History): the page's rows carry the total as ``COUNT(*) OVER ()``, so a
    page is one query instead of a ``COUNT`` and then the rows (one round trip
    less, which is what a PostgreSQL page pays most for).

    ``load(queryset)`` reads the page's rows (default ``list``); it must keep
    the ``TOTAL`` annotation on them (``light_instances(..., annotations=[TOTAL])``).
    """

    TOTAL = "paginator_total"

    def __init__(self, object_list, per_page, *, load=list, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.load = load

    def get_page(self, number):
        """The requested page, the first for rubbish, the last past the end
        (as ``Paginator.get_page``)."""
        number = parse_page(number)
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(**{self.TOTAL: Window(Count("pk"))})
        rows = self.load(counted[bottom:bottom + self.per_page])
        if rows:
            self.__dict__["count"] = getattr(rows[0], self.TOTAL)
            return self._get_page(rows, number, self)
        if number == 1:
            self.__dict__["count"] = 0
            return self._get_page(rows, 1, self)
        # Past the end (an old link): count, then the last page.
        last = self.num_pages
        return self.get_page(last) if last < number else self._get_page([], number, self)
