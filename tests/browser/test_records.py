"""Journeys of records that survive change: the catalogue shows what a new version does to learners
before the import, a quiz with unanswered questions asks before it is submitted, and a module with a
table reads on a phone."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import MANDATORY_COURSE, LiveServer, assert_no_horizontal_scroll, login
from tests.browser.test_learning import answers, attempt_id_of
from tests.catalog.tree import Tree

SLUG = "browser-testkurs"


def _learners_in_the_new_course(server: LiveServer) -> None:
    """reader.browser read module 1; confirmer.browser confirmed the guideline and passed the quiz."""
    from lms import db
    from lms.auth.models import User
    from lms.catalog.models import Course
    from lms.learning import services
    from tests.learning.factories import load_attempt

    with server.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        version = course.current_version
        reader, confirmer = (db.session.scalar(select(User).where(User.email == f"{n}@stadt.example"))
                             for n in ("reader.browser", "confirmer.browser"))
        services.mark_read(reader.id, version.modules[0])
        for module in version.modules:
            services.acknowledge(confirmer.id, module) if module.acknowledge else services.mark_read(
                confirmer.id, module)
        attempt = load_attempt(services.start_attempt(confirmer.id, version).id)
        services.submit(attempt, {i.id: [o.id for o in i.question.options if o.is_correct] for i in attempt.items})
        db.session.commit()


def test_author_sees_what_a_new_version_does_before_importing(live_server: LiveServer, page_as, new_context,
                                                               axe, tmp_path: Path) -> None:
    courses = Path(live_server.env["LMS_COURSES_DIR"])
    source = Tree(tmp_path)
    (source.course).rename(courses / SLUG)
    live_server.lms("courses", "import")
    _learners_in_the_new_course(live_server)

    # 1.1.0: the guideline's text changes, a module is added
    guideline = courses / SLUG / "02-leitlinie.md"
    guideline.write_text(guideline.read_text("utf-8").replace("Die Leitlinie der Verwaltung.",
                                                              "Die überarbeitete Leitlinie."), "utf-8")
    (courses / SLUG / "03-praxis.md").write_text("---\ntitle: Praxis\nminutes: 4\n---\n\nÜbungen.\n", "utf-8")
    course_yml = courses / SLUG / "course.yml"
    course_yml.write_text(course_yml.read_text("utf-8").replace(
        "version: 1.0.0", 'version: 1.1.0\nchanges:\n  "1.1.0": Die Leitlinie ist überarbeitet; neu ist ein '
        "Praxismodul."), "utf-8")

    page = page_as("author")
    page.goto("/katalog")
    impact = page.locator("section.impact", has=page.get_by_role("heading", name=re.compile(SLUG)))
    expect(impact).to_contain_text("Version 1.0.0 → 1.1.0")
    expect(impact).to_contain_text("Ergänzung")
    expect(impact).to_contain_text("Neue Module: Praxis")
    expect(impact).to_contain_text("1 Person mit gültigem Abschluss: der Abschluss bleibt gültig.")
    expect(impact).to_contain_text("1 Person in Bearbeitung behält gelesene Module")
    expect(impact).to_contain_text("„Leitlinie“: 1 Person muss die neue Fassung erneut bestätigen")
    axe(page, "catalogue: impact of a new version")

    page.get_by_role("button", name="Kurse importieren").click()
    expect(page.get_by_role("status")).to_contain_text("Import abgeschlossen")
    expect(page.get_by_role("status")).to_contain_text(
        f"{SLUG} 1.0.0 → 1.1.0: 1 mit gültigem Abschluss (davon 0 zur Erneuerung aufgefordert), "
        "1 in Bearbeitung, 1 erneute Bestätigungen")
    axe(page, "catalogue: after the import")

    # the learner who confirmed the old text is asked again, and keeps the completion
    learner = new_context().new_page()
    login(learner, "confirmer.browser@stadt.example")
    learner.goto(f"/schulungen/{SLUG}")
    expect(learner.get_by_role("heading", name="Neu in Version 1.1.0")).to_be_visible()
    expect(learner.locator("main")).to_contain_text("Bitte erneut bestätigen")
    expect(learner.locator("main")).to_contain_text("Abgeschlossen, gültig")
    axe(learner, "course page: text changed since the confirmation")


def test_unanswered_questions_are_named_before_submitting(new_context, axe, live_server) -> None:
    page = new_context().new_page()
    login(page, "unanswered.browser@stadt.example")
    page.goto(f"/schulungen/{MANDATORY_COURSE}")
    page.get_by_role("button", name=re.compile("Quiz (jetzt )?starten")).first.click()
    attempt_id = attempt_id_of(page)
    for item in answers(live_server, attempt_id)[:3]:
        for option in item["options"]:
            page.locator(f"#item-{item['item']}-{option}").check()
    page.get_by_role("button", name="Antworten abgeben").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("7 Fragen sind noch nicht beantwortet.")
    expect(warning).to_contain_text("Offen: 4, 5, 6, 7, 8, 9, 10.")
    expect(page.locator("#item-{}-{}".format(*[(i["item"], i["options"][0])
                                                for i in answers(live_server, attempt_id)][0]))).to_be_checked()
    axe(page, "quiz: unanswered questions")
    warning.get_by_role("link", name="Frage 4").click()
    expect(page).to_have_url(re.compile("#frage-4$"))
    page.get_by_role("button", name="Trotzdem abgeben").click()
    expect(page).to_have_url(re.compile(r"/ergebnis$"))
    expect(page.get_by_role("status")).to_contain_text("Nicht bestanden")


def test_module_pages_with_tables_read_on_a_phone(page_as, axe) -> None:
    """Every module page of the mandatory course at 320 px: no sideways scrolling of the page; a wide
    table scrolls in its own focusable, named region."""
    page = page_as("employee", viewport={"width": 320, "height": 640})
    page.goto(f"/schulungen/{MANDATORY_COURSE}")
    count = page.locator("main table tbody tr").count()
    tables_seen = 0
    for position in range(1, count + 1):
        page.goto(f"/schulungen/{MANDATORY_COURSE}/module/{position}")
        assert_no_horizontal_scroll(page)
        for region in page.locator("article.module-content [role=region]").all():
            tables_seen += 1
            expect(region).to_have_attribute("tabindex", "0")
            expect(region).to_have_attribute("aria-labelledby", re.compile(".+"))
            label_id = region.get_attribute("aria-labelledby")
            expect(page.locator(f"#{label_id}")).not_to_be_empty()
        if position == 1:
            axe(page, "module page at 320 px")
    assert tables_seen >= 1, "the mandatory course has a table somewhere"
