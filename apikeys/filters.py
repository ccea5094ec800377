from statusapp.api.filters import FilterSet, SearchFilter

from .models import ApiKey


class ApiKeyFilterSet(FilterSet):
    search = SearchFilter("name", help_text="Only keys whose name contains this text, in any case.")

    class Meta:
        model = ApiKey
        fields = ()
