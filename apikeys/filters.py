import django_filters

from statusapp.api.filters import SearchFilter

from .models import ApiKey


class ApiKeyFilterSet(django_filters.FilterSet):
    search = SearchFilter("name", help_text="Only keys whose name contains this text, in any case.")

    class Meta:
        model = ApiKey
        fields = ()
