"""The application every node kind builds on: persistence, transcodings, commands, idempotency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID, uuid4, uuid5

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoder,
)
from eventsourcing.postgres import PostgresDatastore

from domain.errors import NotFound, RuleBroken
from domain.ids import AIDFED_NAMESPACE
from domain.roles import Actor
from federation.node.idempotency import Idempotency, Result, previous_result
from federation.node.ingest import Ingestor, RemoteProjector
from federation.node.locks import NodeLocks
from federation.node.transcodings import VALUE_OBJECTS
from federation.persistence.database import Database
from federation.persistence.mapper import KnowingMapper
from federation.persistence.transcoder import OrjsonTranscoder
from federation.settings import Settings
from federation.signedlog.keys import node_signer
from federation.signedlog.log import SignedLog
from federation.sync.state import FollowerStates


@dataclass(frozen=True, slots=True)
class Context:
    """Who is acting, and the idempotency key their command came with."""

    actor: Actor
    idempotency: Idempotency | None = None

    def new_id(self, kind: str) -> UUID:
        """A fresh id; derived from the idempotency key when there is one, so retries agree."""
        if self.idempotency is None:
            return uuid4()
        return uuid5(AIDFED_NAMESPACE, f"{kind}/{self.idempotency.key}")


@dataclass(slots=True)
class Outcome:
    """What a command decided: the result to answer with and the aggregates to save."""

    result: Result
    aggregates: list[Aggregate] = field(default_factory=list)


A = TypeVar("A", bound="NodeApplication")
P = ParamSpec("P")
T = TypeVar("T", bound=Aggregate)


def command(
    method: Callable[Concatenate[A, Context, P], Outcome],
) -> Callable[Concatenate[A, Context, P], Result]:
    """Make an application method a command: idempotent by key, saved in one transaction."""

    @wraps(method)
    def run(self: A, ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> Result:
        if ctx.idempotency and (done := previous_result(self.db, ctx.idempotency)) is not None:
            return done
        return self.commit(method(self, ctx, *args, **kwargs), ctx)

    return run


class NodeApplication(Application[UUID]):
    """An eventsourcing Application configured from the node's settings."""

    name = "aidfed"
    is_snapshotting_enabled = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if settings.database == "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(env=settings.eventsourcing_env())
        datastore = self.factory.datastore  # type: ignore[attr-defined]
        self.db = Database(datastore)
        pg = datastore if isinstance(datastore, PostgresDatastore) else None
        folder = settings.data_dir / "locks" if settings.database == "sqlite" else None
        self.locks = NodeLocks(folder, pg)
        events_table = self.recorder.events_table_name  # type: ignore[attr-defined]
        signer = node_signer(settings)
        self.signed_log = SignedLog(self.db, self.locks, events_table, settings.node_id, signer)
        self.ingestor = Ingestor(self, self.db, self.remote_projectors())
        # Created once here: status pages, metrics and followers read it on every request.
        self.follower_states = FollowerStates(self.db)

    def remote_projectors(self) -> dict[str, RemoteProjector]:
        """The projections this kind of node keeps of other nodes' events (by name)."""
        return {}

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=KnowingMapper
        )

    def construct_transcoder(self) -> Transcoder:
        transcoder = OrjsonTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in VALUE_OBJECTS:
            transcoder.register(transcoding)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save aggregates' pending events; as the library's ``save``, minus its type probes.

        The library asks of every object saved whether it is a domain event or collects events
        through runtime-checkable Protocols; on Python 3.11 each such ``isinstance`` walks the
        Protocol's attributes and costs ~20 µs, more than validating and encoding a receipt.
        The node saves its own ``Aggregate`` objects, which a plain class check recognises.
        """
        if not all(isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(processing.events)  # the library's deprecated hook, called as it does
        return recordings

    def commit(self, outcome: Outcome, ctx: Context) -> Result:
        """Save the outcome's aggregates with the idempotency record, all or nothing."""
        record = ctx.idempotency.record(outcome.result) if ctx.idempotency else None
        try:
            self.save(*outcome.aggregates, idempotency=record)
        except IntegrityError as error:
            # Either the same key arrived twice at once (answer as the first did), or someone
            # changed the same aggregate concurrently (optimistic concurrency: one wins).
            if ctx.idempotency and (done := previous_result(self.db, ctx.idempotency)):
                return done
            raise RuleBroken(
                "concurrency.conflict",
                "someone else changed this at the same moment and nothing was recorded; "
                "reload and try again",
            ) from error
        return outcome.result

    def load(self, cls: type[T], aggregate_id: UUID, what: str) -> T:
        """The aggregate with this id, or a NotFound naming ``what`` was looked for."""
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(
                f"{cls.__name__.lower()}.not_found", f"no {what} {aggregate_id}"
            ) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"{cls.__name__.lower()}.not_found", f"{aggregate_id} is not a {what}")
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        """True if an aggregate with this id has been recorded."""
        return aggregate_id in self.repository

    def describe(self) -> dict[str, Any]:
        """The node's identity."""
        s = self.settings
        return {
            "node_id": s.node_id,
            "kind": s.kind.value,
            "name": s.name,
            **self.signed_log.identity(),
        }
