"""Base filterset: free-text search over the record type's search fields."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    """``q`` matches every word against any of ``search_fields`` (case-insensitive)."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        for word in value.split()[:8]:
            q = Q()
            for field in self.search_fields:
                q |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(q)
        return queryset
