from rest_framework import exceptions, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class PlanLimitReached(exceptions.PermissionDenied):
    """A 403 `forbidden` whose message names the plan's limit."""
