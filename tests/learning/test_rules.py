"""Course state, validity and attempt limits: pure, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.learning.rules import (
    CourseFacts,
    add_months,
    completion_status,
    course_state,
    format_code,
    is_complete,
    next_attempt_at,
    normalise_code,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("start", "months", "end"), [
    (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2028, 1, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
    (datetime(2026, 11, 25, 9, 30, tzinfo=UTC), 24, datetime(2028, 11, 25, 9, 30, tzinfo=UTC)),
    (datetime(2026, 11, 30, tzinfo=UTC), 3, datetime(2027, 2, 28, tzinfo=UTC)),
    (datetime(2026, 12, 15, tzinfo=UTC), 12, datetime(2027, 12, 15, tzinfo=UTC)),
])
def test_add_months(start, months, end):
    assert add_months(start, months) == end


def test_add_months_never_goes_back():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(366):
        moment = start + timedelta(days=day)
        for months in (1, 6, 12, 13, 24):
            result = add_months(moment, months)
            assert result > moment
            assert (result.year - moment.year) * 12 + result.month - moment.month == months


def test_completion_status():
    later = NOW + timedelta(days=1)
    assert completion_status(later, 1, 1, NOW) == "valid"
    assert completion_status(later, 1, 2, NOW) == "renewal_due"
    assert completion_status(NOW, 1, 1, NOW) == "expired"
    assert completion_status(NOW - timedelta(days=1), 1, 2, NOW) == "expired"
    assert completion_status(later, 2, 1, NOW) == "valid"


def test_next_attempt_at():
    t = [NOW - timedelta(hours=h) for h in (30, 20, 5, 1)]
    assert next_attempt_at([], 3, NOW) is None
    assert next_attempt_at(t[:2], 3, NOW) is None  # only one in the window
    assert next_attempt_at(t, 4, NOW) is None  # three in the window, four allowed
    assert next_attempt_at(t, 3, NOW) == t[1] + timedelta(hours=24)  # the oldest in the window leaves
    assert next_attempt_at(t, 1, NOW) == t[3] + timedelta(hours=24)  # all three must leave
    assert next_attempt_at(t, 2, NOW) == t[2] + timedelta(hours=24)


def test_next_attempt_at_is_always_in_the_future_or_none():
    for n in range(1, 8):
        starts = [NOW - timedelta(hours=3 * i) for i in range(n)]
        for limit in range(1, 10):
            at = next_attempt_at(starts, limit, NOW)
            recent = sum(1 for s in starts if s > NOW - timedelta(hours=24))
            assert (at is None) == (recent < limit)
            if at is not None:
                assert NOW < at <= NOW + timedelta(hours=24)
                assert next_attempt_at(starts, limit, at) is None


def facts(**kw) -> CourseFacts:
    base = {"modules_total": 4, "modules_read": 0, "has_passed": False, "is_started": False,
            "current_major": 1}
    base.update(kw)
    return CourseFacts(**base)


def test_course_state_sections():
    valid = (NOW + timedelta(days=30), 1)
    expired = (NOW - timedelta(days=1), 1)
    assert course_state(facts(), NOW, TODAY).section == "catalogue"
    assert course_state(facts(is_started=True, modules_read=1), NOW, TODAY).section == "in_progress"
    assert course_state(facts(due_on=TODAY), NOW, TODAY).section == "mandatory"
    assert course_state(facts(due_on=TODAY, completion=valid), NOW, TODAY).section == "completed"
    assert course_state(facts(due_on=TODAY, completion=expired), NOW, TODAY).section == "mandatory"
    assert course_state(facts(completion=expired), NOW, TODAY).section == "completed"
    state = course_state(facts(completion=(NOW + timedelta(days=30), 1), current_major=2), NOW, TODAY)
    assert (state.section, state.completion) == ("completed", "renewal_due")
    assert course_state(facts(completion=expired, is_started=True), NOW, TODAY).section == "in_progress"


def test_overdue_only_after_the_due_day():
    assert not course_state(facts(due_on=TODAY), NOW, TODAY).is_overdue
    assert course_state(facts(due_on=TODAY - timedelta(days=1)), NOW, TODAY).is_overdue
    done = facts(due_on=TODAY - timedelta(days=1), completion=(NOW + timedelta(days=3), 1))
    assert not course_state(done, NOW, TODAY).is_overdue


def test_progress_percent():
    assert course_state(facts(), NOW, TODAY).percent == 0
    assert course_state(facts(modules_read=2), NOW, TODAY).percent == 40
    assert course_state(facts(modules_read=4, has_passed=True), NOW, TODAY).percent == 100
    assert course_state(facts(completion=(NOW + timedelta(days=1), 1)), NOW, TODAY).percent == 100
    assert course_state(facts(modules_read=9), NOW, TODAY).percent == 80


def test_is_complete_needs_all_three():
    assert is_complete({1, 2}, {1, 2}, {2}, {2}, True)
    assert not is_complete({1, 2}, {1, 2}, {2}, {2}, False)
    assert not is_complete({1, 2}, {1}, {2}, {2}, True)
    assert not is_complete({1, 2}, {1, 2}, {2}, set(), True)
    assert is_complete({1, 2}, {1, 2, 9}, set(), set(), True)


def test_code_format_and_normalisation():
    code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert format_code(code) == "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ"
    assert normalise_code(format_code(code).lower()) == code
    assert normalise_code(" abcd efgh ") == "ABCDEFGH"
    assert normalise_code("0I1B8") == "OIIBB"
