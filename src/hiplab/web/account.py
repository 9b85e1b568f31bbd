"""The viewer's own login: the account page and the password change (page and API).

A password change ends every session of the login, in every browser (its sessions
end and its ``session_epoch`` goes up, see :mod:`hiplab.web.security`); the browser
that made the change gets a new session at once, so it stays logged in.

Wrong current passwords are limited per login like failed logins of an account: after
``login_attempts`` of them each further one doubles the wait (HTTP 429, ``Retry-After``),
so a stolen session cannot be used to guess the password.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from hiplab.errors import InputError
from hiplab.services import clinic
from hiplab.services.passwords import MAX_LENGTH, MIN_LENGTH
from hiplab.store import Store, StoredUser
from hiplab.web.api import PREFIX
from hiplab.web.authz import AnyViewer, Denied, Viewer, begin_login
from hiplab.web.deps import StoreDep, app_state
from hiplab.web.pages import render, see_other
from hiplab.web.schemas import ApiModel
from hiplab.web.security import wait_in_words

router = APIRouter()
api_router = APIRouter(prefix=PREFIX)

PasswordField = Annotated[str, Form(max_length=2000)]


class PasswordChangeIn(ApiModel):
    """A password change: the current password and the new one."""

    current_password: str = Field(max_length=2000)
    new_password: str = Field(
        max_length=2000, description=f"{MIN_LENGTH} to {MAX_LENGTH} characters."
    )


def _account_page(
    request: Request, viewer: Viewer, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    changed = request.query_params.get("changed") == "1" and error is None
    return render(
        request,
        "account.html.j2",
        viewer=viewer,
        status=status,
        title="Account",
        error=error,
        changed=changed,
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
    )


@router.get("/account", name="account")
def account(request: Request, viewer: AnyViewer) -> HTMLResponse:
    """Show the login's details and the password form."""
    return _account_page(request, viewer)


async def _check_current(request: Request, store: Store, viewer: Viewer, current: str) -> None:
    """Refuse a wrong current password, counting it; refuse (429) while the login must wait.

    Raises
    ------
    Denied
        429 while the login waits after too many wrong current passwords.
    InputError
        If the current password is wrong.

    """
    limiter = app_state(request).limits.password
    key = f"login {viewer.id}"
    wait = limiter.retry_after(key)
    if wait is not None:
        message = f"too many wrong current passwords; try again in {wait_in_words(wait)}"
        raise Denied(429, message, retry_after=wait)
    # The only check of the current password: here, where a failure is counted.
    found = await run_in_threadpool(
        clinic.authenticate, store=store, email=viewer.user.email, password=current
    )
    if found is None:
        limiter.failed(key)
        raise InputError("the current password is wrong")
    limiter.succeeded(key)


async def _change(
    request: Request, store: Store, viewer: Viewer, current: str, new: str, confirm: str
) -> StoredUser:
    """Change the password (argon2 work off the event loop); give this browser a new session."""
    await _check_current(request, store, viewer, current)
    user = await run_in_threadpool(
        clinic.change_password,
        store=store,
        user=viewer.user,
        new=new,
        confirm=confirm,
    )
    await run_in_threadpool(begin_login, request, store, user)
    return user


@router.post("/account/password", name="account_password", response_model=None)
async def account_password(
    request: Request,
    viewer: AnyViewer,
    store: StoreDep,
    current_password: PasswordField,
    new_password: PasswordField,
    confirm_password: PasswordField,
) -> HTMLResponse | RedirectResponse:
    """Change the password; other browsers are logged out, this one stays."""
    try:
        await _change(request, store, viewer, current_password, new_password, confirm_password)
    except InputError as exc:
        return _account_page(request, viewer, error=str(exc), status=422)
    except Denied as exc:
        if exc.retry_after is None:
            raise
        page = _account_page(request, viewer, error=exc.message, status=exc.status)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return see_other("/account?changed=1")


@api_router.post("/me/password", tags=["session"], status_code=204)
async def api_password(
    request: Request, body: PasswordChangeIn, viewer: AnyViewer, store: StoreDep
) -> Response:
    """Change the caller's password: 204 and a new session cookie; 422 with the reason.

    429 with ``Retry-After`` after too many wrong current passwords.
    """
    new = body.new_password
    await _change(request, store, viewer, body.current_password, new, new)
    return Response(status_code=204)
