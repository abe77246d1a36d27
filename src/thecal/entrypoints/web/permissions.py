"""The web reads the one permission table the use cases enforce
(services/clinic/permissions.py): a route maps a request to its use case, and refuses
early only what the use case would refuse anyway."""

from __future__ import annotations

from thecal.services.clinic.permissions import (
    PERMISSIONS,
    ROLES,
    VERIFIERS,
    Permission,
    Role,
    allowed,
)

__all__ = ["PERMISSIONS", "ROLES", "VERIFIERS", "Permission", "Role", "allowed", "holders"]


def holders(permission: Permission) -> str:
    """Who holds `permission`, in words: "a physician", "a physician or a nurse"."""
    return " or ".join(f"a {role}" for role in PERMISSIONS[permission])
