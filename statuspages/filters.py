import django_filters

from statusapp.api.filters import SearchFilter

from .models import StatusPage


class StatusPageFilterSet(django_filters.FilterSet):
    search = SearchFilter("name", help_text="Only status pages whose name contains this text, in any case.")

    class Meta:
        model = StatusPage
        fields = ()
