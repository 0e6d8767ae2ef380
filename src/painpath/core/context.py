"""Who is acting, from where, under which request id: passed to every service call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from painpath.accounts.models import User

__all__ = ["Actor", "new_request_id"]


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """The caller of a service. ``user`` is None for system work (CLI, background tasks)."""

    user: User | None
    request_id: str = field(default_factory=new_request_id)
    client_ip: str | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user=None, label=f"system:{label}")

    @property
    def display(self) -> str:
        if self.user is not None:
            return str(self.user.get_username())
        return self.label or "system"
