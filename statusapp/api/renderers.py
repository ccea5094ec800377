import orjson
from django.utils.encoding import force_str
from rest_framework.renderers import BaseRenderer


def _default(value):
    return force_str(value)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_default)
