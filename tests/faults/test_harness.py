"""The harness itself: schedules are replayable from their seed, and the checker's verdicts."""

from __future__ import annotations

from collections import Counter

from tests.support.faults.checker import judge, receipt_keys
from tests.support.faults.schedule import Kind, Shape, schedule
from tests.support.faults.writers import Answer, Issued, contributor

SHAPE = Shape(("DE", "FR"), "RU-LIAISON", "INTL", full_disk="DE")
TOPIC = "domain.receipt:CashReceipt.Received"


def test_a_seed_always_draws_the_same_schedule_and_another_seed_another() -> None:
    assert schedule(4242, SHAPE) == schedule(4242, SHAPE)
    assert schedule(4242, SHAPE) != schedule(4243, SHAPE)


def test_every_schedule_holds_every_fault_and_kills_every_kind_of_node() -> None:
    for seed in range(50):
        steps = schedule(seed, SHAPE)
        assert {s.kind for s in steps} == set(Kind)
        killed = {s.target for s in steps if s.kind is Kind.KILL}
        assert {"RU-LIAISON", "INTL"} <= killed
        assert killed & {"DE", "FR"}


def test_without_a_small_disk_no_schedule_fills_one() -> None:
    shape = Shape(("DE", "FR"), "RU-LIAISON", "INTL", full_disk=None)
    assert all(s.kind is not Kind.DISK_FULL for s in schedule(7, shape))


def test_receipts_are_counted_by_the_key_written_into_them() -> None:
    rows = [
        (TOPIC, f'{{"contributor": "{contributor("s7-w0-c1")}"}}'.encode()),
        (TOPIC, f'{{"contributor": "{contributor("s7-w0-c1")}"}}'.encode()),
        (TOPIC, f'{{"contributor": "{contributor("s7-w1-c0")}"}}'.encode()),
        ("domain.campaign:Campaign.Opened", contributor("s7-w2-c0").encode()),
    ]
    assert receipt_keys(rows) == Counter({"s7-w0-c1": 2, "s7-w1-c0": 1})


def issued(key: str, answer: Answer) -> Issued:
    return Issued(key, "DE", answer, 201 if answer is Answer.ACKNOWLEDGED else None, 1)


def test_an_acknowledged_command_must_be_held_once_at_the_committee_and_at_the_international() -> (
    None
):
    ok = issued("s7-w0-c0", Answer.ACKNOWLEDGED)
    assert judge("DE", [ok], Counter({ok.key: 1}), Counter({ok.key: 1})) == []
    lost = judge("DE", [ok], Counter({ok.key: 1}), Counter())
    doubled = judge("DE", [ok], Counter({ok.key: 2}), Counter({ok.key: 2}))
    assert len(lost) == 1
    assert "(1, 0)" in lost[0]
    assert len(doubled) == 1
    assert "(2, 2)" in doubled[0]


def test_an_ambiguous_command_may_be_held_once_or_not_at_all_but_never_twice() -> None:
    timed_out = issued("s7-w0-c0", Answer.AMBIGUOUS)
    assert judge("DE", [timed_out], Counter(), Counter()) == []
    assert judge("DE", [timed_out], Counter({timed_out.key: 1}), Counter({timed_out.key: 1})) == []
    twice = judge("DE", [timed_out], Counter({timed_out.key: 2}), Counter({timed_out.key: 2}))
    not_synced = judge("DE", [timed_out], Counter({timed_out.key: 1}), Counter())
    assert len(twice) == 1
    assert len(not_synced) == 1


def test_a_receipt_no_writer_issued_is_reported() -> None:
    ok = issued("s7-w0-c0", Answer.ACKNOWLEDGED)
    held = Counter({ok.key: 1, "s7-w9-c9": 1, "s6-w0-c0": 1})  # s6: an earlier schedule's
    problems = judge("DE", [ok], held, Counter({ok.key: 1}))
    assert problems == ["DE holds receipts no writer issued there: ['s7-w9-c9']"]
