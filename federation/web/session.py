"""Dashboard sessions: a login form checks the password, a random cookie names the session."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from federation.api.deps import SESSION_COOKIE
from federation.api.users import User

DASHBOARD_ROLES = ("supervisor", "auditor")


def open_session(request: Request, user: User) -> str:
    """A new session for ``user``; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    request.app.state.sessions[token] = user
    return token


def close_session(request: Request) -> None:
    """Forget the session of this request, if any."""
    request.app.state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)


def session_user(request: Request) -> User | None:
    """The logged-in user of this request, if any."""
    user: User | None = request.app.state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    return user


class LoginRequired(Exception):
    """The page needs a logged-in supervisor or auditor."""


def logged_in_as(roles: tuple[str, ...], place: str) -> Callable[[Request], User]:
    """A dependency: the logged-in user acting in one of ``roles``; others are sent to log in
    or refused, the refusal naming ``place`` and who it is for."""

    def user_in_role(request: Request) -> User:
        user = session_user(request)
        if user is None:
            raise LoginRequired
        if user.role not in roles:
            raise HTTPException(403, f"{place}; {user.person} is a {user.role}")
        return user

    return user_in_role


supervisor = logged_in_as(DASHBOARD_ROLES, "the dashboard is for supervisors and auditors")


SupervisorDep = Annotated[User, Depends(supervisor)]
