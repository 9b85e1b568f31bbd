"""The roles of a login, named once for the store, the web app and the command line."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["coach", "client"]
"""A coach (or physical therapist) looks after clients; a client sees their own records."""
ROLES: tuple[Role, ...] = get_args(Role)
"""Every role, in the order messages list them."""
