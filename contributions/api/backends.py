"""The API's filter backend."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the filter set on the view: the contributions' paginator counts
    its rows without their state on the as-of date (ContributionFilter.rows_to_count)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset
