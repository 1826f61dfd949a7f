"""Dependencies shared by the routers: the acting person, idempotency, the node's application."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Request
from pydantic import BaseModel

from domain.errors import InvalidInput
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.idempotency import Idempotency


def current_actor(
    x_actor: Annotated[
        str, Header(description="the person acting, percent-encoded UTF-8, e.g. Clara%20Zetkin")
    ],
    x_role: Annotated[str, Header(description="the role they act in, e.g. 'treasurer'")],
) -> Actor:
    """The person and role acting on this request."""
    # Until authentication lands (issue 8) the acting person is declared in headers; this
    # dependency is the one place that will change.
    try:
        role = Role(x_role.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(
            "actor.unknown_role", f"unknown role {x_role!r}; use one of {roles}"
        ) from None
    return Actor(person=unquote(x_actor).strip(), role=role)


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
