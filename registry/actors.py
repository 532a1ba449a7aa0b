"""Who acts: built by `api/` from a token or a web session, or by the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from registry.errors import Forbidden, Unauthenticated
from registry.models.enums import Role


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the domain sees them (DESIGN.md section 6, roles)."""

    username: str
    role: Role
    user_id: int | None = None
    partner_id: int | None = None
    provinces: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_agency(self) -> bool:
        return self.role is Role.AGENCY

    @property
    def is_partner(self) -> bool:
        return self.role is Role.PARTNER

    def ensure_role(self, *roles: Role) -> None:
        """Forbidden unless the actor has one of `roles` (admins always may)."""
        if not self.is_admin and self.role not in roles:
            wanted = " or ".join(r.value for r in roles)
            raise Forbidden(f"this needs the role {wanted}; {self.username} is {self.role.value}")

    def ensure_acts_for(self, partner_id: int) -> None:
        """A partner user acts only as its own partner; admins and agencies act for any."""
        if self.is_partner and self.partner_id != partner_id:
            raise Forbidden(f"{self.username} acts only for partner {self.partner_id}, "
                            f"not for partner {partner_id}")

    def covers_province(self, province_code_current: str) -> bool:
        """Whether an agency's jurisdiction includes this current province (admins: all)."""
        return self.is_admin or (self.is_agency and province_code_current in self.provinces)

    def ensure_province(self, province_code_current: str, what: str = "this record") -> None:
        """Agencies write only within their provinces (by the current unit)."""
        if not self.covers_province(province_code_current):
            mine = ", ".join(sorted(self.provinces)) or "none"
            raise Forbidden(f"{what} lies in province {province_code_current}; "
                            f"{self.username} acts for provinces {mine}")

    def ensure_issuer(self, province_code_current: str, what: str) -> None:
        """Codes, registrations and certificates are issued by agencies of the province."""
        self.ensure_role(Role.AGENCY)
        self.ensure_province(province_code_current, what)


SYSTEM = Actor(username="system", role=Role.ADMIN)
"""The actor of CLI jobs and the demo loader."""


def anonymous_guard(actor: Actor | None) -> Actor:
    """The actor, or Unauthenticated when nobody signed in."""
    if actor is None:
        raise Unauthenticated("sign in or send an API token (Authorization: Bearer ...)")
    return actor


def provinces_of(values: Iterable[str]) -> frozenset[str]:
    """Province codes as a frozen set of two-digit strings."""
    return frozenset(v.strip().zfill(2) for v in values if v.strip())
