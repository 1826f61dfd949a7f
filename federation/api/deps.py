"""Dependencies shared by the routers: the acting person, idempotency, the node's application."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request
from pydantic import BaseModel

from domain.errors import InvalidInput
from domain.roles import Actor, Role
from federation.api.users import UserBook
from federation.node.base import Context
from federation.node.idempotency import Idempotency


def current_actor(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="'Bearer <your API token>' (see 'aidfed user add')")
    ] = None,
    x_actor: Annotated[
        str | None, Header(description="test mode only: the person acting, percent-encoded")
    ] = None,
    x_role: Annotated[
        str | None, Header(description="test mode only: the role they act in")
    ] = None,
) -> Actor:
    """The person and role acting on this request: from their API token or dashboard session."""
    node = request.app.state.node
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = UserBook(node.settings.data_dir).by_token(token.strip())
        if user is None:
            raise HTTPException(
                401,
                "this API token belongs to no user of this node",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user.actor
    session = request.cookies.get(SESSION_COOKIE)
    if session and (user := request.app.state.sessions.get(session)) is not None:
        return user.actor  # type: ignore[no-any-return]
    if node.settings.mode == "test" and x_actor and x_role:
        return _declared_actor(x_actor, x_role)
    raise HTTPException(
        401,
        "log in first: send 'Authorization: Bearer <your API token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _declared_actor(x_actor: str, x_role: str) -> Actor:
    """An actor declared in headers, which only a node in test mode believes."""
    try:
        role = Role(x_role.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(
            "actor.unknown_role", f"unknown role {x_role!r}; use one of {roles}"
        ) from None
    return Actor(person=unquote(x_actor).strip(), role=role)


SESSION_COOKIE = "aidfed_session"
ActorDep = Annotated[Actor, Depends(current_actor)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="a key unique to this command: repeating it with the same body repeats the "
        "answer and records nothing twice",
    ),
]


def context(
    actor: Actor, key: str | None, command: str, body: BaseModel | None, **path: Any
) -> Context:
    """The command context: who acts, and the fingerprint of what they asked."""
    if key is None:
        return Context(actor)
    payload = {"body": body.model_dump(mode="json") if body else None, "path": path}
    return Context(actor, Idempotency.of(key, command, payload))


def get_app(request: Request) -> Any:
    """The node's application, built in the lifespan."""
    return request.app.state.node
