"""Journey: HR finds who is overdue in a unit and exports the list (CSV download checked), with axe."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect


@contextlib.contextmanager
def one_overdue(live_server):
    """The first browser employee's obligation is overdue for the length of the test."""
    from sqlalchemy import select

    from lms import db
    from lms.org.models import Employee
    from lms.org.services import today as berlin_today
    from lms.training.models import Assignment

    with live_server.app_context():
        assignment = db.session.scalars(
            select(Assignment).join(Employee, Employee.id == Assignment.employee_id)
            .where(Employee.personnel_no.like("BT%"), Assignment.is_current.is_(True),
                   Assignment.ended_at.is_(None), Assignment.completion_id.is_(None))
            .order_by(Employee.personnel_no)).first()
        original = assignment.due_on
        assignment.due_on = berlin_today() - timedelta(days=5)
        employee = db.session.get(Employee, assignment.employee_id)
        name = f"{employee.last_name}, {employee.first_name}"
        db.session.commit()
        try:
            yield name
        finally:
            assignment = db.session.merge(assignment)
            assignment.due_on = original
            db.session.commit()


def test_hr_finds_overdue_in_a_unit_and_exports_them(live_server, page_as, axe) -> None:
    with one_overdue(live_server) as name:
        page = page_as("hr")
        page.goto("/berichte/einheiten")
        expect(page.get_by_role("heading", level=1)).to_have_text("Schulungsstand nach Einheiten")
        axe(page, "training by unit")
        page.get_by_role("link", name="Liste der Pflichtschulungen").click()
        page.get_by_label("Einheit (mit Untereinheiten)").select_option("BT")
        page.get_by_label("Nur überfällige").check()
        page.get_by_role("button", name="Filtern").click()
        expect(page.get_by_role("status")).to_contain_text("1 Pflichtschulung gefunden.")
        rows = page.get_by_role("table", name="Pflichtschulungen nach Name").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(name)
        expect(rows.first).to_contain_text("überfällig")
        axe(page, "overdue obligations in a unit")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Als CSV herunterladen").click()
        download = download_info.value
        assert download.suggested_filename.startswith("pflichtschulungen-")
        content = Path(download.path()).read_text(encoding="utf-8")
        assert content.startswith("\ufeffPersonalnummer;Name;")
        lines = content.strip().splitlines()
        assert len(lines) == 2 and name in lines[1] and "überfällig" in lines[1]
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page, "employee page")
