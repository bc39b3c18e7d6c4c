"""Journey: an employee opens the competence profile from "Meine Schulungen" and sees chart and table."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import MANDATORY_COURSE, LiveServer, assert_no_horizontal_scroll, login


def new_employee(server: LiveServer) -> str:
    """An employee of the seeded unit with an account (a journey of its own: no other test sees it)."""
    import os

    from lms import db
    from lms.org.models import Employee, OrgUnit

    email = f"profil.{os.getpid()}@stadt.example"
    with server.app_context():
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "BT.1"))
        assert unit is not None
        db.session.add(Employee(personnel_no=f"BTP{os.getpid()}", first_name="Profil", last_name="Browser",
                                email=email, org_unit_id=unit.id, position="Sachbearbeitung"))
        db.session.commit()
    return server.create_account("employee", email)


def complete_course(server: LiveServer, email: str) -> dict[str, int]:
    """A valid completion of the mandatory course for ``email``; returns the awards."""
    from datetime import UTC, datetime, timedelta

    from lms import db
    from lms.auth.models import User
    from lms.catalog.models import Course
    from lms.learning import services
    from lms.learning.models import Completion

    with server.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        course = db.session.scalar(select(Course).where(Course.slug == MANDATORY_COURSE))
        assert user is not None and course is not None and course.current_version is not None
        now = datetime.now(UTC)
        awards = dict(course.current_version.awards)
        db.session.add(Completion(user_id=user.id, course_id=course.id, course_version_id=course.current_version_id,
                                  completed_at=now, valid_until=now + timedelta(days=700), awards=awards,
                                  certificate_code=services.new_certificate_code(), holder_name="Browser"))
        db.session.commit()
    return awards


def test_employee_sees_the_competence_profile_as_chart_and_table(live_server: LiveServer, new_context, axe, tmp_path: Path) -> None:
    email = new_employee(live_server)
    awards = complete_course(live_server, email)
    assert awards, f"{MANDATORY_COURSE} awards no level"
    page = new_context().new_page()
    login(page, email)
    page.goto("/schulungen")
    page.get_by_role("main").get_by_role("link", name="Mein Kompetenzprofil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Kompetenzprofil")

    chart = page.get_by_role("img", name="Meine Kompetenzstufen")
    expect(chart).to_be_visible()
    assert chart.evaluate("el => el.tagName") == "svg"
    description = chart.evaluate("el => document.getElementById(el.getAttribute('aria-labelledby')"
                                 ".split(' ')[1]).textContent")
    assert "mindestens „Anwenden“" in description
    expect(page.locator(".lms-chart-summary")).to_have_text(description)  # the same summary as text for all

    table = page.get_by_role("table", name="Kompetenzstufe je Bereich")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(6)  # every area of courses/competences.yml
    reached = [row for row in rows.all() if "nicht erreicht" not in row.inner_text()]
    assert len(reached) == len(awards)
    for row in reached:
        expect(row.locator("td").nth(1)).to_contain_text("KI")  # the course that gave the level
    # the bars are drawn in colour by the stylesheet (CSP: no inline style), and carry their value as text
    fill = page.locator("svg.lms-chart .bar rect").first.evaluate("el => getComputedStyle(el).fill")
    assert fill not in ("rgb(0, 0, 0)", "none"), fill
    assert page.locator("svg.lms-chart text.value").count() == 6
    axe(page, "competence profile")
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)

    page.set_viewport_size({"width": 320, "height": 720})
    assert_no_horizontal_scroll(page)
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 320
    font = page.locator("svg.lms-chart text.value").first.bounding_box()
    assert font is not None and font["height"] >= 10, font  # the values stay readable when scaled down
    axe(page, "competence profile at 320 px")

    page.emulate_media(media="print")
    expect(chart).to_be_visible()
    expect(table).to_be_visible()
    page.screenshot(path=str(tmp_path / "profile-320.png"), full_page=True)
