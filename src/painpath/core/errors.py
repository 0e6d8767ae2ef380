"""One error hierarchy for the shell, rendered once for JSON (API) and once for HTML.

PainpathError            code, HTTP status, message, field errors
├── InvalidInput         422 invalid      a field broke a rule (fields say which)
├── Unauthenticated      401 unauthenticated
├── Forbidden            403 forbidden    caller may see the record but not do this
├── NotFound             404 not_found    absent, or not visible to the caller
├── Conflict             409 conflict     clashes with stored data (e.g. a duplicate MRN)
├── PayloadTooLarge      413 too_large
├── UnsupportedMediaType 415 unsupported_media_type
├── RequestTimeout       408 timeout      the body did not arrive in time
└── TooManyRequests      429 throttled    slow down (retry_after says for how long)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Conflict",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PainpathError",
    "PayloadTooLarge",
    "RequestTimeout",
    "TooManyRequests",
    "Unauthenticated",
    "UnsupportedMediaType",
]


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class PainpathError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []

    def body(self) -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "fields": [{"field": f.field, "message": f.message} for f in self.fields],
            }
        }


class InvalidInput(PainpathError):
    status = 422
    code = "invalid"


class Unauthenticated(PainpathError):
    status = 401
    code = "unauthenticated"


class Forbidden(PainpathError):
    status = 403
    code = "forbidden"


class NotFound(PainpathError):
    status = 404
    code = "not_found"


class Conflict(PainpathError):
    status = 409
    code = "conflict"


class PayloadTooLarge(PainpathError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(PainpathError):
    status = 415
    code = "unsupported_media_type"


class RequestTimeout(PainpathError):
    status = 408
    code = "timeout"


class TooManyRequests(PainpathError):
    status = 429
    code = "throttled"

    def __init__(
        self, message: str, *, retry_after: int, fields: list[FieldError] | None = None
    ) -> None:
        super().__init__(message, fields=fields)
        self.retry_after = retry_after
