"""The refusals the domain raises; `api/` maps each kind to an HTTP status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One value at fault: `field` is a dotted path into the request body."""

    field: str
    message: str


class DomainError(Exception):
    """A request the registry refuses."""

    slug = "refused"

    def __init__(self, detail: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class NotFound(DomainError):
    """The thing asked for is not registered."""

    slug = "not-found"


class Unauthenticated(DomainError):
    """Nobody we know is asking."""

    slug = "unauthenticated"


class Forbidden(DomainError):
    """The actor may not do this."""

    slug = "forbidden"


class Conflict(DomainError):
    """The current state forbids it (duplicates, mass balance, held or recalled lots)."""

    slug = "conflict"


class Duplicate(Conflict):
    """A code or number that must be unique is already registered."""

    slug = "duplicate"

    def __init__(self, field: str, value: str, what: str) -> None:
        super().__init__(
            f"{what} {value!r} is already registered",
            errors=[FieldError(field, f"{value!r} is already registered")],
        )


class Invalid(DomainError):
    """A value breaks a rule."""

    slug = "invalid"

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        """A refusal naming one field."""
        return cls(f"{field}: {message}", errors=[FieldError(field, message)])
