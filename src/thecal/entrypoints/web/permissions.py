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

__all__ = ["PERMISSIONS", "ROLES", "VERIFIERS", "Permission", "Role", "allowed"]
