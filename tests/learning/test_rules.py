"""Course state, validity and attempt limits: pure, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.learning.rules import (
    LatestCompletion,
    ModuleFacts,
    add_months,
    completion_status,
    course_state,
    format_code,
    next_attempt_at,
    normalise_code,
    progress,
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


MODULES = [ModuleFacts("a", False, "ha"), ModuleFacts("b", False, "hb"), ModuleFacts("c", True, "hc"),
           ModuleFacts("d", False, "hd")]
LATER = NOW + timedelta(days=30)


def prog(read=(), acked=(), passes=(), latest=None, renewal_major=1, modules=MODULES):
    return progress(modules, read, acked, passes, latest, renewal_major, NOW)


def test_course_state_sections():
    nothing = prog()
    valid = prog(latest=LatestCompletion(NOW - timedelta(days=1), LATER, 1))
    expired = prog(latest=LatestCompletion(NOW - timedelta(days=400), NOW - timedelta(days=1), 1))
    assert course_state(nothing, False, None, TODAY).section == "catalogue"
    assert course_state(prog(read={"a"}), True, None, TODAY).section == "in_progress"
    assert course_state(nothing, False, TODAY, TODAY).section == "mandatory"
    assert course_state(valid, True, TODAY, TODAY).section == "completed"
    assert course_state(expired, True, TODAY, TODAY).section == "mandatory"
    assert course_state(expired, False, None, TODAY).section == "completed"
    renewal = prog(latest=LatestCompletion(NOW - timedelta(days=1), LATER, 1), renewal_major=2)
    assert course_state(renewal, False, None, TODAY).completion == "renewal_due"
    assert course_state(expired, True, None, TODAY).section == "in_progress"


def test_overdue_only_while_not_completed():
    assert not course_state(prog(), False, TODAY, TODAY).is_overdue
    assert course_state(prog(), False, TODAY - timedelta(days=1), TODAY).is_overdue
    done = prog(latest=LatestCompletion(NOW, LATER, 1))
    assert not course_state(done, True, TODAY - timedelta(days=1), TODAY).is_overdue


def test_percent_counts_modules_done_and_the_quiz():
    assert prog().percent == 0
    assert prog(read={"a", "b"}).percent == 40
    # module c asks for a confirmation: read alone is not done
    assert prog(read={"a", "b", "c"}).percent == 40
    assert prog(read={"a", "b", "c", "d"}, acked={("c", "hc")}, passes=[(1, NOW)]).percent == 100
    assert prog(latest=LatestCompletion(NOW, LATER, 1)).percent == 100
    assert prog(read={"a", "b", "zz", "yy", "xx"}).percent == 40  # reads of removed modules do not count


def test_requirements_need_reads_current_confirmations_and_a_counting_pass():
    everything = {"read": {"a", "b", "c", "d"}, "acked": {("c", "hc")}, "passes": [(1, NOW)]}
    assert prog(**everything).requirements_met
    assert not prog(**{**everything, "passes": []}).requirements_met
    assert not prog(**{**everything, "read": {"a", "b", "c"}}).requirements_met
    assert not prog(**{**everything, "acked": set()}).requirements_met


def test_a_changed_text_asks_for_a_new_confirmation():
    state = prog(read={"a", "b", "c", "d"}, acked={("c", "old-text")}, passes=[(1, NOW)])
    assert state.reacknowledge == {"c"} and not state.acknowledged
    assert not state.requirements_met
    state = prog(read={"a", "b", "c", "d"}, acked={("c", "old-text"), ("c", "hc")}, passes=[(1, NOW)])
    assert state.acknowledged == {"c"} and not state.reacknowledge and state.requirements_met


def test_passes_of_a_major_that_requires_renewal_do_not_count():
    assert prog(passes=[(1, NOW)], renewal_major=1).has_passed
    assert not prog(passes=[(1, NOW)], renewal_major=2).has_passed
    assert prog(passes=[(1, NOW), (2, NOW)], renewal_major=2).has_passed


def test_after_an_expired_completion_only_a_later_pass_counts():
    completed = NOW - timedelta(days=400)
    latest = LatestCompletion(completed, NOW - timedelta(days=35), 1)
    assert not prog(passes=[(1, completed)], latest=latest).has_passed
    assert not prog(passes=[(1, completed - timedelta(days=1))], latest=latest).has_passed
    assert prog(passes=[(1, completed + timedelta(days=1))], latest=latest).has_passed
    # while the completion is valid, the course counts as passed
    assert prog(passes=[(1, NOW - timedelta(days=3))], latest=LatestCompletion(NOW, LATER, 1)).has_passed


def test_code_format_and_normalisation():
    code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert format_code(code) == "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ"
    assert normalise_code(format_code(code).lower()) == code
    assert normalise_code(" abcd efgh ") == "ABCDEFGH"
    assert normalise_code("0I1B8") == "OIIBB"
