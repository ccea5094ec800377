from statusapp.api.filters import FilterSet, SearchFilter

from .models import StatusPage


class StatusPageFilterSet(FilterSet):
    search = SearchFilter("name", help_text="Only status pages whose name contains this text, in any case.")

    class Meta:
        model = StatusPage
        fields = ()
