"""A new course version: what the catalogue announces before the import is what the import reports and
what learners then see; nobody's record is lost."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms import db
from lms.catalog import services
from lms.catalog.lint import lint
from lms.catalog.models import Course
from lms.db import utcnow
from lms.learning import pages
from lms.learning import services as learning
from lms.learning.models import Acknowledgement, Attempt, Completion, ModuleProgress
from tests.catalog.test_views import digest_of
from tests.catalog.tree import Tree
from tests.learning.factories import load_attempt


@pytest.fixture
def courses(app, tree: Tree) -> Tree:
    app.config["LMS_COURSES_DIR"] = str(tree.root)
    assert services.import_courses(tree.root).ok
    db.session.commit()
    return tree


def course() -> Course:
    return db.session.scalar(select(Course).where(Course.slug == "testkurs"))


def module(key: str):
    return next(m for m in course().current_version.modules if m.key == key)


def pass_quiz(user_id: int) -> None:
    attempt = load_attempt(learning.start_attempt(user_id, course().current_version).id)
    learning.submit(attempt, {i.id: [o.id for o in i.question.options if o.is_correct] for i in attempt.items})
    db.session.commit()


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (ModuleProgress, Acknowledgement, Attempt, Completion))


def new_version(tree: Tree, version: str, *, renewal: bool = False) -> None:
    tree.replace("testkurs/course.yml", re.search(r"version: \S+", tree.read("testkurs/course.yml"))[0],
                 f"version: {version}\nchanges:\n  \"{version}\": Die Leitlinie wurde überarbeitet."
                 + ("\nrequires_renewal: true" if renewal else ""))


def test_preview_import_and_learners_agree(client, login_as, make_user, courses: Tree) -> None:
    done, reader, started, _idle = (make_user() for _ in range(4))
    for m in course().current_version.modules:
        learning.acknowledge(done.id, m) if m.acknowledge else learning.mark_read(done.id, m)
    pass_quiz(done.id)
    learning.mark_read(reader.id, module("einfuehrung"))
    learning.acknowledge(started.id, module("leitlinie"))
    open_attempt = learning.start_attempt(started.id, course().current_version)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    before = counts()

    # 1.1.0: the guideline's text changes, a module is added, a question changes and one is added
    courses.replace("testkurs/02-leitlinie.md", "Die Leitlinie der Verwaltung.", "Die überarbeitete Leitlinie.")
    courses.write("testkurs/03-neu.md", "---\ntitle: Neues Modul\nminutes: 3\n---\n\nNeu.\n")
    courses.replace("testkurs/quiz.yml", "prompt: Wer ist Betreiber?", "prompt: Wer ist hier Betreiber?")
    new_version(courses, "1.1.0")

    (outcome,) = [o for o in services.plan(lint(courses.root).catalog)[0] if o.action == services.UPDATED]
    assert outcome.diff.step == services.MINOR and not outcome.diff.renewal
    assert [(m.key, m.change) for m in outcome.diff.modules] == [("leitlinie", "changed"), ("neu", "added")]
    assert outcome.diff.questions_changed == ("q-004",) and not outcome.diff.questions_added
    impact = outcome.impact
    assert (impact.completed, impact.renewing, impact.in_progress, impact.open_attempts) == (1, 0, 2, 1)
    assert impact.reacknowledge == {"leitlinie": 2}

    login_as("author")
    html = client.get("/katalog").get_data(as_text=True)
    assert "testkurs: Version 1.0.0 → 1.1.0" in html
    assert "1 Person mit gültigem Abschluss: der Abschluss bleibt gültig." in html
    assert "2 Personen in Bearbeitung behalten gelesene Module, Bestätigungen und Quizversuche." in html
    assert "„Leitlinie“: 2 Personen müssen die neue Fassung erneut bestätigen" in html
    assert "1 begonnener Quizversuch kann abgeschlossen werden" in html
    assert "Neue Module: Neues Modul" in html and "Fragen: 0 neu, 1 geändert, 0 entfernt" in html

    page = client.post("/katalog/import", data={"digest": digest_of(client)}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert ("testkurs 1.0.0 → 1.1.0: 1 mit gültigem Abschluss (davon 0 zur Erneuerung aufgefordert), "
            "2 in Bearbeitung, 2 erneute Bestätigungen, 1 offene Versuche.") in html
    assert counts() == before  # an import adds versions, never learners' records
    db.session.expire_all()  # the import ran in the request's session

    # what learners see now agrees with what was announced
    now = utcnow()
    done_page = pages.course_page(done, course(), now)
    assert done_page.completion_status == "valid" and done_page.percent == 100
    assert [ln.module.key for ln in done_page.reacknowledge] == ["leitlinie"]
    assert [ln.is_read for ln in done_page.modules] == [True, True, False]
    reader_page = pages.course_page(reader, course(), now)
    assert [ln.is_read for ln in reader_page.modules] == [True, False, False]
    assert reader_page.next_module.key == "leitlinie"
    assert reader_page.has_older_history  # read on 1.0.0 only: the change note is shown
    assert not pages.course_page(_idle, course(), now).has_older_history
    started_page = pages.course_page(started, course(), now)
    assert started_page.open_attempt is not None and started_page.open_attempt.id == open_attempt.id
    # the attempt begun on 1.0.0 is resumed, not replaced, and graded on its own draw
    assert learning.start_attempt(started.id, course().current_version).id == open_attempt.id
    attempt = load_attempt(open_attempt.id)
    learning.submit(attempt, {i.id: [o.id for o in i.question.options if o.is_correct] for i in attempt.items})
    db.session.commit()
    assert load_attempt(open_attempt.id).score == 100
    assert pages.course_page(started, course(), utcnow()).has_passed


def test_learner_pages_say_what_changed_and_ask_for_the_new_text(client, auth, make_user,
                                                                   courses: Tree) -> None:
    done = make_user()
    for m in course().current_version.modules:
        learning.acknowledge(done.id, m) if m.acknowledge else learning.mark_read(done.id, m)
    pass_quiz(done.id)
    courses.replace("testkurs/02-leitlinie.md", "Die Leitlinie der Verwaltung.", "Die überarbeitete Leitlinie.")
    new_version(courses, "1.1.0")
    assert services.import_courses(courses.root).ok
    db.session.commit()
    auth.login(done.email)
    html = client.get("/schulungen/testkurs").get_data(as_text=True)
    assert "Neu in Version 1.1.0" in html and "Die Leitlinie wurde überarbeitet." in html
    assert "Bitte erneut bestätigen" in html and "Text geändert: erneut bestätigen" in html
    assert "So schließen Sie die Schulung ab" not in html  # complete: no instructions
    module = client.get("/schulungen/testkurs/module/2").get_data(as_text=True)
    assert "Text geändert: bitte die neue Fassung bestätigen" in module
    before = db.session.scalar(select(func.count()).select_from(Acknowledgement))
    db.session.commit()  # end the test's read transaction before the request writes (SQLite)
    client.post("/schulungen/testkurs/module/2/bestaetigen", data={"confirm": "y"})
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == before + 1  # old one kept
    db.session.commit()
    html = client.get("/schulungen/testkurs").get_data(as_text=True)
    assert "Bitte erneut bestätigen" not in html
    client.post("/sprache", data={"lang": "en"})
    for path in ("/schulungen/testkurs", "/schulungen/testkurs/module/1"):
        assert "The content of this course is in German." in client.get(path).get_data(as_text=True)


def test_preview_points_out_a_version_without_a_change_note(client, login_as, courses: Tree) -> None:
    courses.replace("testkurs/course.yml", "version: 1.0.0", "version: 1.0.1")
    login_as("author")
    assert "Keine Änderungsnotiz (changes:) für diese Version." in client.get("/katalog").get_data(as_text=True)


def test_a_major_version_that_requires_renewal_is_announced_and_applied(client, login_as, make_user,
                                                                         courses: Tree) -> None:
    done = make_user()
    for m in course().current_version.modules:
        learning.acknowledge(done.id, m) if m.acknowledge else learning.mark_read(done.id, m)
    pass_quiz(done.id)
    before = counts()
    new_version(courses, "2.0.0", renewal=True)
    login_as("author")
    html = client.get("/katalog").get_data(as_text=True)
    assert "neue Hauptversion · Erneuerung erforderlich" in html
    assert "1 Person mit gültigem Abschluss muss die Schulung erneuern" in html
    client.post("/katalog/import", data={"digest": digest_of(client)})
    db.session.expire_all()
    assert counts() == before
    page = pages.course_page(done, course(), utcnow())
    assert page.completion_status == "renewal_due" and not page.has_passed
    assert page.next_module is None  # everything read and confirmed: only the quiz is due again
    pass_quiz(done.id)
    versions = sorted(c.course_version.version for c in
                      db.session.scalars(select(Completion).where(Completion.user_id == done.id)))
    assert versions == ["1.0.0", "2.0.0"]


def test_a_major_version_without_renewal_keeps_completions_valid(client, make_user, courses: Tree) -> None:
    done = make_user()
    for m in course().current_version.modules:
        learning.acknowledge(done.id, m) if m.acknowledge else learning.mark_read(done.id, m)
    pass_quiz(done.id)
    new_version(courses, "2.0.0")
    assert services.import_courses(courses.root).ok
    db.session.commit()
    assert pages.course_page(done, course(), utcnow()).completion_status == "valid"


def test_a_lower_version_or_a_moved_module_keeps_its_progress(client, make_user, courses: Tree) -> None:
    reader = make_user()
    learning.mark_read(reader.id, module("einfuehrung"))
    db.session.commit()
    # reorder: the guideline becomes module 1, the introduction module 2 (file numbers change, keys stay)
    intro, guideline = courses.read("testkurs/01-einfuehrung.md"), courses.read("testkurs/02-leitlinie.md")
    (courses.root / "testkurs/01-einfuehrung.md").unlink()
    (courses.root / "testkurs/02-leitlinie.md").unlink()
    courses.write("testkurs/01-leitlinie.md", guideline)
    courses.write("testkurs/02-einfuehrung.md", intro)
    new_version(courses, "1.0.1")
    (outcome,) = [o for o in services.plan(lint(courses.root).catalog)[0] if o.action == services.UPDATED]
    assert sorted((m.key, m.change) for m in outcome.diff.modules) == [("einfuehrung", "moved"),
                                                                      ("leitlinie", "moved")]
    assert services.import_courses(courses.root).ok
    db.session.commit()
    page = pages.course_page(reader, course(), utcnow())
    assert [(ln.module.position, ln.module.key, ln.is_read) for ln in page.modules] == [
        (1, "leitlinie", False), (2, "einfuehrung", True)]
    text = courses.read("testkurs/course.yml")
    courses.write("testkurs/course.yml", text[:text.index("version: 1.0.1")] + "version: 1.0.0\n"
                  + text[text.index("minutes:"):])
    courses.replace("testkurs/02-einfuehrung.md", "Ein Abschnitt", "Ein anderer Abschnitt")
    result = services.import_courses(courses.root)
    assert not result.ok and "nicht höher" in result.problems[0].message
