"""What every request can depend on: the app's state, its store and its settings.

``create_app`` puts one :class:`AppState` on ``app.state.hiplab``; routes reach it
through the ``Annotated`` aliases below rather than through globals, so two apps (two
tests) never share anything.

The dependencies are ``async def``: they only read the app's state, and FastAPI runs
a plain ``def`` dependency in its thread pool — a thread hop per dependency per
request, which under load costs more than the lookup itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from jinja2 import Environment

from hiplab.settings import Settings
from hiplab.store import Store
from hiplab.web.security import Limits, SessionCodec


@dataclass(frozen=True)
class AppState:
    """Everything one app instance owns."""

    settings: Settings
    store: Store
    codec: SessionCodec
    limits: Limits
    templates: Environment


def app_state(request: Request) -> AppState:
    """Return the state of the app serving ``request``."""
    state: AppState = request.app.state.hiplab
    return state


async def state_dependency(request: Request) -> AppState:
    """Return the state of the app serving ``request`` (as a dependency)."""
    return app_state(request)


async def get_store(request: Request) -> Store:
    """Return the app's store (opened once by ``create_app``, shared by all requests)."""
    return app_state(request).store


async def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    return app_state(request).settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StateDep = Annotated[AppState, Depends(state_dependency)]
