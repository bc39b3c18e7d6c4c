"""Applying imports: all-or-nothing, idempotent, moved subtrees, --full, accounts, audit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms import db
from lms.audit.models import AuditEvent
from lms.org import services
from lms.org.models import Employee, OrgUnit

UNITS = ("Kennung;Bezeichnung;Übergeordnet\n"
         "OB;Oberbürgermeister;\nGB1;Geschäftsbereich 1;OB\nGB2;Geschäftsbereich 2;OB\n"
         "10;Hauptamt;GB1\n11;Personalamt;GB1\n50;Sozialamt;GB2\n")
STAFF_HEADER = "Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt;Austritt\n"
STAFF = STAFF_HEADER + ("1;Muster;Max;max@stadt.example;10;Sachbearbeitung;01.01.2020;\n"
                        "2;Beispiel;Erika;erika@stadt.example;11;;2019-05-01;\n"
                        "3;Schäfer;Jürgen;juergen@stadt.example;50;;;\n")


def load(units: str = UNITS, staff: str | None = STAFF) -> None:
    assert services.import_units(units.encode()).ok
    if staff is not None:
        assert services.import_staff(staff.encode(), on=date(2026, 11, 25)).ok
    db.session.commit()


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def employee(pn: str) -> Employee:
    return db.session.scalar(select(Employee).where(Employee.personnel_no == pn))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_units_are_created_with_paths_and_depths(app):
    result = services.import_units(UNITS.encode(), filename="units.csv")
    db.session.commit()
    assert result.counts == {"created": 6, "updated": 0, "unchanged": 0, "deactivated": 0}
    ob, gb1, amt = unit("OB"), unit("GB1"), unit("10")
    assert (ob.path, ob.depth) == (f"/{ob.id}/", 0)
    assert (amt.path, amt.depth) == (f"/{ob.id}/{gb1.id}/{amt.id}/", 2)
    assert amt.parent_id == gb1.id


def test_reimporting_the_same_units_changes_nothing(app):
    load(staff=None)
    result = services.import_units(UNITS.encode())
    assert result.counts == {"created": 0, "updated": 0, "unchanged": 6, "deactivated": 0}


def test_moving_a_unit_moves_its_subtree(app):
    load(units=UNITS + "10.1;Poststelle;10\n", staff=None)
    result = services.import_units(b"code;name;parent\n10;Hauptamt und Post;GB2\n")
    db.session.commit()
    assert [(c.key, c.kind, c.fields) for c in result.changes] == [("10", "updated", ("name", "parent"))]
    ob, gb2, amt, post = unit("OB"), unit("GB2"), unit("10"), unit("10.1")
    assert amt.path == f"/{ob.id}/{gb2.id}/{amt.id}/"
    assert (post.path, post.depth) == (f"/{ob.id}/{gb2.id}/{amt.id}/{post.id}/", 3)
    assert amt.name == "Hauptamt und Post"
    assert unit("11").path.startswith(unit("GB1").path)  # untouched units keep their place


def test_staff_created_then_reimport_is_unchanged(app):
    load(staff=None)
    first = services.import_staff(STAFF.encode(), on=date(2026, 11, 25))
    db.session.commit()
    assert first.counts == {"created": 3, "updated": 0, "unchanged": 0, "deactivated": 0}
    max_ = employee("1")
    assert (max_.email, max_.org_unit.code, max_.position, max_.hired_on) == (
        "max@stadt.example", "10", "Sachbearbeitung", date(2020, 1, 1))
    again = services.import_staff(STAFF.encode(), on=date(2026, 11, 25))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "deactivated": 0}


def test_updates_are_detected_per_field(app):
    load()
    changed = STAFF.replace("1;Muster;Max;max@stadt.example;10;Sachbearbeitung",
                            "1;Muster;Max;MAX.MUSTER@stadt.example;11;Teamleitung")
    result = services.import_staff(changed.encode(), on=date(2026, 11, 25))
    db.session.commit()
    assert [(c.key, c.fields) for c in result.changes if c.kind == "updated"] == [
        ("1", ("email", "org_unit_id", "position"))]
    assert employee("1").email == "max.muster@stadt.example"


def test_absent_optional_columns_leave_values_alone(app):
    load()
    minimal = "personnel_no,last_name,first_name,email,org_unit\n1,Muster,Max,max@stadt.example,10\n"
    result = services.import_staff(minimal.encode(), on=date(2026, 11, 25))
    assert result.counts["unchanged"] == 1
    assert employee("1").position == "Sachbearbeitung"


def test_addresses_can_be_swapped_in_one_file(app):
    load()
    swapped = STAFF.replace("max@stadt.example", "TMP").replace("erika@stadt.example", "max@stadt.example") \
        .replace("TMP", "erika@stadt.example")
    result = services.import_staff(swapped.encode(), on=date(2026, 11, 25))
    db.session.commit()
    assert result.counts["updated"] == 2
    assert (employee("1").email, employee("2").email) == ("erika@stadt.example", "max@stadt.example")


def test_left_on_in_the_past_makes_inactive_and_ends_the_account(app, make_user):
    load()
    user = make_user("employee", employee=employee("1"))
    version = user.session_version
    left = STAFF.replace("01.01.2020;", "01.01.2020;30.11.2025")
    result = services.import_staff(left.encode(), on=date(2026, 11, 25))
    db.session.commit()
    assert [(c.key, c.fields) for c in result.changes if c.kind == "updated"] == [("1", ("left_on", "is_active"))]
    assert employee("1").is_active is False
    assert result.accounts_deactivated == 1
    db.session.refresh(user)
    assert user.is_active is False and user.session_version == version + 1


def test_left_on_in_the_future_stays_active(app):
    load()
    future = STAFF.replace("01.01.2020;", "01.01.2020;31.12.2026")
    services.import_staff(future.encode(), on=date(2026, 11, 25))
    assert employee("1").is_active is True


def test_full_deactivates_missing_employees_and_their_accounts_never_deletes(app, make_user):
    load()
    user = make_user("employee", employee=employee("3"))
    hr = make_user("hr")  # accounts without an employee record are not touched
    partial = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;Sachbearbeitung;01.01.2020;\n"
    without_full = services.import_staff(partial.encode(), on=date(2026, 11, 25))
    assert without_full.counts["deactivated"] == 0
    result = services.import_staff(partial.encode(), full=True, on=date(2026, 11, 25), filename="s.csv")
    db.session.commit()
    assert result.counts == {"created": 0, "updated": 0, "unchanged": 1, "deactivated": 2}
    assert [c.key for c in result.changes if c.kind == "deactivated"] == ["2", "3"]
    assert count(Employee) == 3
    assert (employee("2").is_active, employee("3").is_active) == (False, False)
    assert result.accounts_deactivated == 1
    db.session.refresh(user)
    db.session.refresh(hr)
    assert (user.is_active, hr.is_active) == (False, True)
    # a second full run finds nothing more to do
    again = services.import_staff(partial.encode(), full=True, on=date(2026, 11, 25))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1, "deactivated": 0}


def test_reappearing_employee_is_reactivated(app):
    load()
    services.import_staff((STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;;;\n").encode(), full=True,
                          on=date(2026, 11, 25))
    result = services.import_staff(STAFF.encode(), on=date(2026, 11, 25))
    assert {c.key: c.kind for c in result.changes}["2"] == "updated"
    assert employee("2").is_active is True


def test_nothing_is_written_when_a_single_row_is_wrong(app):
    load()
    bad = STAFF + "4;Neu;Nina;nina@stadt.example;99;;;\n"
    before = (count(Employee), count(AuditEvent))
    result = services.import_staff(bad.replace("Sachbearbeitung", "Leitung").encode(), full=True)
    assert not result.ok and result.changes == []
    db.session.commit()
    assert (count(Employee), count(AuditEvent)) == before
    assert employee("1").position == "Sachbearbeitung"


def test_dry_run_writes_nothing(app):
    load(staff=None)
    result = services.import_staff(STAFF.encode(), dry_run=True)
    assert result.counts["created"] == 3 and not result.applied
    db.session.commit()
    assert count(Employee) == 0


def test_every_import_is_audited_with_its_counts(app):
    load()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("org.import%"))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["org.import_units", "org.import_staff"]
    assert events[1].detail["created"] == 3 and events[1].detail["full"] is False


# --- the preview: old → new, identity changes, logins, deactivations, digest ---------------------

ON = date(2026, 11, 25)


def staged_changes(result) -> dict[str, services.Change]:
    return {c.key: c for c in result.changes}


def audit_count() -> int:
    return count(AuditEvent)


def test_the_diff_holds_old_and_new_values(app):
    load()
    changed = STAFF.replace("1;Muster;Max;max@stadt.example;10;Sachbearbeitung;01.01.2020;",
                            "1;Muster;Max;max.muster@stadt.example;11;Teamleitung;01.02.2020;")
    result = services.import_staff(changed.encode(), dry_run=True, on=ON)
    diffs = {d.field: (d.old, d.new) for d in staged_changes(result)["1"].diffs}
    assert diffs == {
        "email": ("max@stadt.example", "max.muster@stadt.example"),
        "org_unit_id": ("10 Hauptamt", "11 Personalamt"),
        "position": ("Sachbearbeitung", "Teamleitung"),
        "hired_on": (date(2020, 1, 1), date(2020, 2, 1)),
    }
    assert staged_changes(result)["1"].identity_change is False
    units = services.import_units(b"code;name;parent\n10;Hauptamt und Post;GB2\n", dry_run=True)
    assert {d.field: (d.old, d.new) for d in units.changes[0].diffs} == {
        "name": ("Hauptamt", "Hauptamt und Post"), "parent": ("GB1 Geschäftsbereich 1", "GB2 Geschäftsbereich 2")}


def test_an_identity_change_is_refused_and_nothing_is_written(app, make_user):
    load()
    user = make_user("employee", employee=employee("1"))
    before = audit_count()
    other = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example") \
        .replace("Sachbearbeitung;01.01.2020", "Leitung;01.01.2020")
    result = services.import_staff(other.encode(), on=ON)
    db.session.commit()
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "Personalnummer", "identity_change")]
    assert "bisher Max Muster <max@stadt.example>, neu Berta Beispiel <berta@stadt.example>" in \
        result.problems[0].reason
    assert not result.applied and result.only_identity_problems
    change = staged_changes(result)["1"]
    assert change.identity_change and change.previous == ("Muster, Max", "max@stadt.example")
    assert (change.account, change.account_effect) == (user.email, "detached")
    assert (employee("1").first_name, employee("1").position) == ("Max", "Sachbearbeitung")
    assert audit_count() == before
    db.session.refresh(user)
    assert user.is_active and user.employee_id == employee("1").id


def test_an_allowed_identity_change_detaches_the_previous_persons_account(app, make_user):
    load()
    user = make_user("employee", employee=employee("1"))
    version = user.session_version
    other = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example")
    result = services.import_staff(other.encode(), on=ON, allow_identity_change={"1"})
    db.session.commit()
    assert result.ok and result.applied and result.accounts_detached == 1
    assert (employee("1").first_name, employee("1").email) == ("Berta", "berta@stadt.example")
    db.session.refresh(user)
    # the previous person keeps their login and records, switched off; the new person gets no account
    assert (user.email, user.employee_id, user.is_active) == ("max@stadt.example", None, False)
    assert user.session_version == version + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "org.import_staff")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.detail["identity_changes"] == ["1"] and event.detail["accounts_detached"] == 1


def test_only_the_confirmed_identity_changes_are_allowed(app):
    load()
    two = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example") \
        .replace("2;Beispiel;Erika;erika@stadt.example", "2;Neu;Nora;nora@stadt.example")
    result = services.import_staff(two.encode(), on=ON, allow_identity_change={"1"})
    assert [p.params["personnel_no"] for p in result.problems] == ["2"]
    assert not result.applied and employee("1").first_name == "Max"
    everything = services.import_staff(two.encode(), on=ON, allow_identity_change=True)
    assert everything.applied and employee("2").first_name == "Nora"


def test_a_marriage_name_with_a_new_address_is_no_identity_change_and_moves_the_login(app, make_user):
    load()
    user = make_user("employee", employee=employee("2"))
    married = STAFF.replace("2;Beispiel;Erika;erika@stadt.example", "2;Weber;Erika;erika.weber@stadt.example")
    preview = services.import_staff(married.encode(), on=ON, dry_run=True)
    change = staged_changes(preview)["2"]
    assert preview.ok and not change.identity_change
    assert change.login == ("erika@stadt.example", "erika.weber@stadt.example")
    result = services.import_staff(married.encode(), on=ON)
    db.session.commit()
    assert result.logins_changed == 1
    db.session.refresh(user)
    assert (user.email, user.is_active, user.employee_id) == ("erika.weber@stadt.example", True, employee("2").id)


def test_logins_follow_swapped_addresses(app, make_user):
    load()
    max_user = make_user("employee", employee=employee("1"))
    erika_user = make_user("employee", employee=employee("2"))
    swapped = STAFF.replace("max@stadt.example", "TMP").replace("erika@stadt.example", "max@stadt.example") \
        .replace("TMP", "erika@stadt.example")
    result = services.import_staff(swapped.encode(), on=ON)
    db.session.commit()
    assert result.ok and result.logins_changed == 2
    db.session.refresh(max_user)
    db.session.refresh(erika_user)
    assert (max_user.email, erika_user.email) == ("erika@stadt.example", "max@stadt.example")


def test_a_login_cannot_move_to_an_address_another_account_keeps(app, make_user):
    load()
    make_user("employee", employee=employee("1"))
    make_user("hr", email="max.neu@stadt.example")  # a function account, no employee record
    moved = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Muster;Max;max.neu@stadt.example")
    before = audit_count()
    result = services.import_staff(moved.encode(), on=ON)
    db.session.commit()
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "E-Mail", "login_taken")]
    assert not result.only_identity_problems
    assert employee("1").email == "max@stadt.example" and audit_count() == before


def test_a_leaving_persons_account_is_announced(app, make_user):
    load()
    user = make_user("employee", employee=employee("1"))
    left = STAFF.replace("01.01.2020;", "01.01.2020;30.11.2025")
    change = staged_changes(services.import_staff(left.encode(), on=ON, dry_run=True))["1"]
    assert (change.account, change.account_effect) == (user.email, "deactivated")
    assert services.FieldDiff("is_active", True, False) in change.diffs


def test_full_list_names_everyone_it_deactivates(app, make_user):
    load()
    user = make_user("employee", employee=employee("3"))
    partial = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;Sachbearbeitung;01.01.2020;\n"
    result = services.import_staff(partial.encode(), full=True, dry_run=True, on=ON)
    assert [(c.key, c.label, c.unit, c.account) for c in result.deactivations()] == [
        ("2", "Beispiel, Erika", "11 Personalamt", ""),
        ("3", "Schäfer, Jürgen", "50 Sozialamt", user.email)]
    assert result.active_employees == 3


def test_the_digest_follows_the_file_and_the_affected_rows(app, make_user):
    load()
    changed = STAFF.replace("Sachbearbeitung", "Teamleitung")
    first = services.import_staff(changed.encode(), dry_run=True, on=ON).digest
    assert services.import_staff(changed.encode(), dry_run=True, on=ON).digest == first
    assert services.import_staff(changed.encode(), dry_run=True, full=True, on=ON).digest != first
    assert services.import_staff(STAFF.encode(), dry_run=True, on=ON).digest != first
    # someone changes an affected row in between: the same file has another digest
    employee("3").position = "Amtsleitung"
    db.session.commit()
    assert services.import_staff(changed.encode(), dry_run=True, on=ON).digest != first
    # a new account for an affected person changes what the import does to it
    employee("3").position = None
    db.session.commit()
    assert services.import_staff(changed.encode(), dry_run=True, on=ON).digest == first
    left = changed.replace("01.01.2020;", "01.01.2020;30.11.2025")
    without_account = services.import_staff(left.encode(), dry_run=True, on=ON).digest
    make_user("employee", employee=employee("1"))
    assert services.import_staff(left.encode(), dry_run=True, on=ON).digest != without_account


def test_max_deactivations_plans_but_writes_nothing_above_it(app):
    load()
    partial = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;Teamleitung;01.01.2020;\n"
    before = audit_count()
    refused = services.import_staff(partial.encode(), full=True, on=ON, max_deactivations=1)
    db.session.commit()
    assert refused.ok and refused.deactivations_unconfirmed and not refused.applied
    assert len(refused.deactivations()) == 2
    assert (employee("1").position, employee("2").is_active, audit_count()) == ("Sachbearbeitung", True, before)
    allowed = services.import_staff(partial.encode(), full=True, on=ON, max_deactivations=2)
    assert allowed.applied and not allowed.deactivations_unconfirmed
    assert employee("2").is_active is False


def test_identity_changes_are_reported_with_the_other_problems_of_the_file(app):
    load()
    other = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example") \
        + "4;Neu;Nina;kaputt;10;;;\n"
    result = services.import_staff(other.encode(), on=ON)
    assert [(p.line, p.code) for p in result.problems] == [(2, "identity_change"), (5, "invalid_email")]
    assert not result.only_identity_problems and result.changes == []
    allowed = services.import_staff(other.encode(), on=ON, allow_identity_change=True)
    assert [p.code for p in allowed.problems] == ["invalid_email"]
