"""API key permission levels: read = GET only, write = read + create/update, admin = all.

Set as the DRF default, so every endpoint is protected unless it says otherwise; a view
can only raise the bar with `required_permission = "admin"`.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

LEVELS = {"read": 1, "write": 2, "admin": 3}


def required_level(method: str, view) -> str:
    if getattr(view, "required_permission", None) == "admin" or method == "DELETE":
        return "admin"
    return "read" if method in SAFE_METHODS else "write"


class ApiKeyPermission(BasePermission):
    message = "This API key's permission does not allow this request."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return False  # DRF turns this into 401, since the request is unauthenticated
        need = required_level(request.method, view)
        self.message = f"This request needs an API key with '{need}' permission."
        return LEVELS[key.permission] >= LEVELS[need]
