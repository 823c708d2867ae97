"""Pagination that stays fast deep into a large list.

A page is fetched in two steps (a "deferred join"): first the primary keys of
the page, which the database reads from the sort index alone, then the full
rows for just those keys. Skipping 50,000 index entries is cheap; skipping
50,000 full rows (plain OFFSET) is not.
"""
from django.core.paginator import InvalidPage, Paginator


class DeferredJoinPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        queryset = self.object_list
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = queryset.filter(pk__in=ids) if ids else queryset.none()
        return self._get_page(rows, number, self)

    def get_page_or_last(self, number):
        """The requested page, the first for rubbish, the last past the end."""
        try:
            return self.page(number)
        except InvalidPage:
            try:
                number = int(number)
            except (TypeError, ValueError):
                return self.page(1)
            return self.page(self.num_pages if number > 1 else 1)
