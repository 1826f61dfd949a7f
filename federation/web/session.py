"""Dashboard sessions: a login form checks the password, a random cookie names the session."""

from __future__ import annotations

import secrets
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


def supervisor(request: Request) -> User:
    """The logged-in supervisor or auditor; others are sent to log in or refused."""
    user = session_user(request)
    if user is None:
        raise LoginRequired
    if user.role not in DASHBOARD_ROLES:
        raise HTTPException(
            403, f"the dashboard is for supervisors and auditors; {user.person} is a {user.role}"
        )
    return user


SupervisorDep = Annotated[User, Depends(supervisor)]
