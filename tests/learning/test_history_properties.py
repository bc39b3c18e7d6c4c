"""Property: whatever sequence of course versions (patch, minor, major with or without renewal; modules
added, removed, reordered; texts and confirmed texts changed) is interleaved with whatever a learner does
(read, confirm, pass, fail, leave an attempt open and finish it later, let a completion expire), no read,
confirmation, attempt or completion is ever lost or altered, an import never completes anyone, and the
progress the course page shows equals the progress recomputed from the history by an independent model
of the rules.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms import db
from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.learning import pages, rules
from lms.learning import services as learning
from lms.learning.models import Acknowledgement, Attempt, Completion, ModuleProgress
from tests.catalog.tree import COMPETENCES
from tests.learning.factories import load_attempt

VALIDITY_MONTHS = 1
QUIZ = "questions:\n" + "".join(f"""
  - id: q-{n}
    type: single
    area: grundlagen
    prompt: Frage {n}?
    options:
      - text: Richtig {n}
        correct: true
      - text: Falsch {n}
    explanation: Weil.
    source: Modul 1
""" for n in range(1, 5))

_examples = itertools.count(1)


@dataclass
class Model:
    """The course files and what the learner did, kept independently of the database."""

    slug: str
    #: (key, acknowledge, text) in file order
    modules: list[tuple[str, bool, str]]
    version: tuple[int, int, int] = (1, 0, 0)
    renewal_major: int = 1
    next_key: int = 100
    reads: set[str] = field(default_factory=set)
    acks: set[tuple[str, str]] = field(default_factory=set)
    #: (major of the attempt's version, submitted at)
    passes: list[tuple[int, datetime]] = field(default_factory=list)
    #: (completed at, valid until, major)
    completions: list[tuple[datetime, datetime, int]] = field(default_factory=list)
    #: attempt id -> major of its version, for attempts left open
    open_attempts: dict[int, int] = field(default_factory=dict)

    def status(self, now: datetime) -> str | None:
        if not self.completions:
            return None
        _at, until, major = self.completions[-1]
        if until <= now:
            return "expired"
        return "renewal_due" if major < self.renewal_major else "valid"

    def has_passed(self, now: datetime) -> bool:
        status = self.status(now)
        start = self.completions[-1][0] if self.completions and status != "valid" else None
        return any(major >= self.renewal_major and (start is None or at > start) for major, at in self.passes)

    def done(self, key: str, ack: bool, text: str) -> bool:
        return key in self.reads and (not ack or (key, text) in self.acks)

    def percent(self, now: datetime) -> int:
        if self.status(now) == "valid":
            return 100
        done = sum(self.done(*m) for m in self.modules)
        return (done + self.has_passed(now)) * 100 // (len(self.modules) + 1)

    def complete_if_done(self, now: datetime) -> None:
        if self.status(now) == "valid" or not self.has_passed(now):
            return
        if all(self.done(*m) for m in self.modules):
            self.completions.append((now, rules.add_months(now, VALIDITY_MONTHS), self.version[0]))


def write(root: Path, model: Model, renewal: bool) -> None:
    folder = root / model.slug
    for old in folder.glob("*.md"):
        old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    version = ".".join(map(str, model.version))
    (folder / "course.yml").write_text(
        f"title: Kurs {model.slug}\nversion: {version}\nminutes: 10\nawards:\n  grundlagen: 1\n"
        f"validity_months: {VALIDITY_MONTHS}\npass_mark: 50\nquestions_per_attempt: 2\nattempts_per_day: 100\n"
        f"show_solutions: always\nrequires_renewal: {'true' if renewal else 'false'}\n"
        f"changes:\n  \"{version}\": Stand {version}.\n", "utf-8")
    (folder / "quiz.yml").write_text(QUIZ, "utf-8")
    for position, (key, ack, text) in enumerate(model.modules, 1):
        (folder / f"{position:02d}-{key}.md").write_text(
            f"---\ntitle: Modul {key}\nminutes: 2\nacknowledge: {'true' if ack else 'false'}\n---\n\n{text}\n", "utf-8")
    (root / "competences.yml").write_text(COMPETENCES, "utf-8")


ACTIONS = st.one_of(
    st.tuples(st.just("read"), st.integers(0, 6)),
    st.tuples(st.just("ack"), st.integers(0, 6)),
    st.tuples(st.just("quiz"), st.booleans()),
    st.tuples(st.just("open"), st.just(0)),
    st.tuples(st.just("finish"), st.booleans()),
    st.tuples(st.just("expire"), st.just(0)),
    st.tuples(st.just("version"), st.tuples(
        st.sampled_from(["none", "add", "remove", "reorder", "text", "acktext"]),
        st.sampled_from(["patch", "minor", "major", "renewal"]), st.integers(0, 6))),
)


def snapshot(user_id: int) -> dict[str, dict[int, tuple]]:
    def rows(model, *columns):
        return {r[0]: tuple(r[1:]) for r in db.session.execute(
            select(model.id, *columns).where(model.user_id == user_id))}

    return {
        "reads": rows(ModuleProgress, ModuleProgress.module_id, ModuleProgress.module_key, ModuleProgress.read_at),
        "acks": rows(Acknowledgement, Acknowledgement.module_id, Acknowledgement.text_hash,
                     Acknowledgement.acknowledged_at),
        "attempts": rows(Attempt, Attempt.course_version_id, Attempt.started_at, Attempt.submitted_at,
                         Attempt.score),
        "completions": rows(Completion, Completion.course_version_id, Completion.completed_at,
                            Completion.valid_until, Completion.certificate_code, Completion.holder_name),
    }


def assert_nothing_lost(before: dict, after: dict) -> None:
    for kind, rows in before.items():
        for row_id, values in rows.items():
            assert row_id in after[kind], f"{kind} {row_id} lost"
            if kind == "attempts" and values[2] is None:  # an open attempt may only be submitted
                assert after[kind][row_id][:2] == values[:2]
            else:
                assert after[kind][row_id] == values, f"{kind} {row_id} changed"


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=st.lists(ACTIONS, min_size=1, max_size=14))
def test_history_survives_every_change(app, make_user, tmp_path_factory, actions):
    root = tmp_path_factory.mktemp("courses")
    model = Model(slug=f"h-{next(_examples)}", modules=[("einleitung", False, "Einleitung."),
                                                        ("leitlinie", True, "Leitlinie, Fassung 1."),
                                                        ("praxis", False, "Praxis.")])
    write(root, model, renewal=False)
    assert catalog.import_courses(root).ok
    db.session.commit()
    user = make_user()
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    course = db.session.scalar(select(Course).where(Course.slug == model.slug))

    for action, arg in actions:
        now += timedelta(minutes=5)
        before = snapshot(user.id)
        completions_before = len(before["completions"])
        current = course.current_version
        if action in ("read", "ack"):
            candidates = [m for m in current.modules if m.acknowledge] if action == "ack" else []
            module = (candidates or current.modules)[arg % len(candidates or current.modules)]
            key, ack, text = model.modules[module.position - 1]
            assert module.key == key
            if action == "ack" and ack:
                learning.acknowledge(user.id, module, now)
                model.acks.add((key, text))
            else:
                learning.mark_read(user.id, module, now)
            model.reads.add(key)
            learning.complete_if_done(user.id, course, now=now)
            model.complete_if_done(now)
        elif action in ("quiz", "open", "finish"):
            if action == "finish" and not model.open_attempts:
                continue
            if action == "finish":
                attempt_id = max(model.open_attempts)
            else:
                attempt_id = learning.start_attempt(user.id, current, now=now).id
                model.open_attempts.setdefault(attempt_id, current.major)
            if action == "open":
                db.session.commit()
                continue
            attempt = load_attempt(attempt_id)
            good = arg if action == "quiz" else arg
            learning.submit(attempt, {i.id: [o.id for o in i.question.options if o.is_correct == good]
                                      for i in attempt.items}, now=now)
            major = model.open_attempts.pop(attempt_id)
            if good:
                model.passes.append((major, now))
                if course.current_version is not None:
                    model.complete_if_done(now)
        elif action == "expire":
            now += timedelta(days=40)
        else:
            change, bump, index = arg
            modules = model.modules
            i = index % len(modules)
            if change == "add":
                modules.insert(i, (f"neu-{model.next_key}", index % 3 == 0, f"Neu {model.next_key}."))
                model.next_key += 1
            elif change == "remove" and len(modules) > 1:
                modules.pop(i)
            elif change == "reorder":
                modules.append(modules.pop(i))
            elif change == "text":
                modules[i] = (modules[i][0], modules[i][1], modules[i][2] + " Ergänzt.")
            elif change == "acktext":
                for j, (key, ack, text) in enumerate(modules):
                    if ack:
                        modules[j] = (key, ack, text + " Geändert.")
            major, minor, patch = model.version
            model.version = {"patch": (major, minor, patch + 1), "minor": (major, minor + 1, 0)}.get(
                bump, (major + 1, 0, 0))
            if bump == "renewal":
                model.renewal_major = model.version[0]
            write(root, model, renewal=bump == "renewal")
            result = catalog.import_courses(root)
            assert result.ok, result.problems
        db.session.commit()
        after = snapshot(user.id)
        assert_nothing_lost(before, after)
        if action == "version" or action == "expire":
            assert len(after["completions"]) == completions_before  # an import completes nobody

        page = pages.course_page(user, course, now)
        assert [ln.module.key for ln in page.modules] == [m[0] for m in model.modules]
        assert [ln.is_read for ln in page.modules] == [m[0] in model.reads for m in model.modules]
        assert [ln.is_acknowledged for ln in page.modules if ln.module.acknowledge] == [
            (k, t) in model.acks for k, a, t in model.modules if a]
        assert page.completion_status == model.status(now)
        assert page.has_passed == model.has_passed(now)
        assert page.percent == model.percent(now)
        assert len(after["completions"]) == len(model.completions)
    db.session.commit()
