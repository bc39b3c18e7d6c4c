"""The upload → preview → confirm flow, and the staff list's scoping, search, paging and filter."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms import db
from lms.org import services
from lms.org.models import Employee, OrgUnit, StagedImport

UNITS = "Kennung;Bezeichnung;Übergeordnet\nOB;Stadt;\n10;Hauptamt;OB\n"
STAFF = ("Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit\n"
         "1;Muster;Max;max@stadt.example;10\n2;Beispiel;Erika;erika@stadt.example;10\n")


def upload(client, content: bytes, kind: str = "staff", full: bool = False, name: str = "staff.csv"):
    data = {"kind": kind, "file": (io.BytesIO(content), name)}
    if full:
        data["full"] = "y"
    return client.post("/organisation/import", data=data, content_type="multipart/form-data")


def token_of(response) -> str:
    return hidden(response, "token")


def hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def confirm_data(response, **extra) -> dict[str, object]:
    """What the preview's confirm form sends: the token and the preview's digest (plus ``extra``)."""
    return {"token": token_of(response), "digest": hidden(response, "digest"), **extra}


def count(model) -> int:
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.commit()  # end the test's transaction before the next request needs the write lock
    return n


@pytest.fixture
def units(app):
    assert services.import_units(UNITS.encode()).ok
    db.session.commit()


def test_upload_page(client, login_as):
    login_as("hr")
    page = client.get("/organisation/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "Organisationseinheiten" in page and "Beschäftigte" in page
    assert 'type="file"' in page


def test_file_with_problems_lists_every_one_and_saves_nothing(client, login_as, units):
    login_as("hr")
    response = upload(client, (STAFF + "3;Neu;Nina;kaputt;99\n").encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Die Datei enthält 2 Probleme. Es wurde nichts gespeichert." in page
    assert "Ungültige E-Mail-Adresse: kaputt" in page
    assert "Unbekannte Organisationseinheit 99" in page
    assert "<td class=\"kern-table__cell kern-table__cell--numeric\">4</td>" in page
    assert "Import bestätigen" not in page
    assert count(Employee) == 0 and count(StagedImport) == 0


def test_valid_file_preview_then_confirm(client, login_as, units):
    login_as("hr")
    response = upload(client, STAFF.encode())
    page = response.get_data(as_text=True)
    assert "Import bestätigen" in page and "Muster, Max" in page
    assert count(Employee) == 0 and count(StagedImport) == 1
    confirm = client.post("/organisation/import/bestaetigen", data=confirm_data(response),
                          follow_redirects=True)
    page = confirm.get_data(as_text=True)
    assert "Import von staff.csv abgeschlossen: 2 angelegt, 0 geändert, 0 unverändert, 0 deaktiviert." in page
    assert count(Employee) == 2 and count(StagedImport) == 0
    # the token is used up
    assert client.post("/organisation/import/bestaetigen", data={"token": token_of(response)}).status_code == 404


def test_units_upload(client, login_as):
    login_as("admin")
    response = upload(client, UNITS.encode(), kind="units", name="einheiten.csv")
    client.post("/organisation/import/bestaetigen", data=confirm_data(response))
    assert count(OrgUnit) == 2


def test_full_upload_previews_deactivations(client, login_as, units):
    login_as("hr")
    assert services.import_staff(STAFF.encode()).ok
    db.session.commit()
    only_max = "\n".join(STAFF.splitlines()[:2]) + "\n"
    response = upload(client, only_max.encode(), full=True)
    page = response.get_data(as_text=True)
    assert "deaktiviert" in page and "Beispiel, Erika" in page
    client.post("/organisation/import/bestaetigen", data=confirm_data(response))
    assert db.session.scalar(select(Employee.is_active).where(Employee.personnel_no == "2")) is False


def test_someone_elses_token_is_404(client, auth, login_as, make_user, units):
    login_as("hr")
    token = token_of(upload(client, STAFF.encode()))
    auth.logout()
    login_as("hr")
    assert client.post("/organisation/import/bestaetigen", data={"token": token}).status_code == 404
    assert count(Employee) == 0


def test_expired_token(client, login_as, units):
    login_as("hr")
    token = token_of(upload(client, STAFF.encode()))
    staged = db.session.scalar(select(StagedImport).where(StagedImport.token == token))
    staged.created_at = datetime.now(UTC) - timedelta(hours=1, minutes=1)
    db.session.commit()
    response = client.post("/organisation/import/bestaetigen", data={"token": token}, follow_redirects=True)
    assert "Die Vorschau ist abgelaufen" in response.get_data(as_text=True)
    assert count(Employee) == 0


def test_file_changed_in_between_is_refused_at_confirmation(client, login_as, units):
    login_as("hr")
    token = token_of(upload(client, STAFF.encode()))
    # someone takes Max's address before the confirmation
    services.import_staff(STAFF.replace("1;Muster;Max", "9;Anders;Anna").replace(
        "2;Beispiel;Erika;erika@", "8;Anders;Bert;bert@").encode())
    db.session.commit()
    page = client.post("/organisation/import/bestaetigen", data={"token": token}).get_data(as_text=True)
    assert "gehört bereits zur Personalnummer 9" in page
    assert count(Employee) == 2 and count(StagedImport) == 0


def test_upload_without_file_shows_the_error(client, login_as):
    login_as("hr")
    response = client.post("/organisation/import", data={"kind": "staff"}, content_type="multipart/form-data")
    assert "Bitte wählen Sie eine Datei aus." in response.get_data(as_text=True)


def test_too_large_upload_gives_the_413_page(app, client, login_as):
    login_as("hr")
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    boundary = "grenze"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nstaff\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"x" * (5 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/organisation/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "Datei zu groß" in response.get_data(as_text=True)


def test_import_appears_in_the_navigation_for_hr(client, login_as):
    login_as("hr")
    assert 'href="/organisation/import"' in client.get("/organisation/einheiten").get_data(as_text=True)


# --- staff list ---------------------------------------------------------------------------------


@pytest.fixture
def tree(make_unit, make_employee):
    root = make_unit("OB", "Stadt")
    gb1 = make_unit("GB1", "Geschäftsbereich 1", root)
    amt = make_unit("10", "Hauptamt", gb1)
    gb2 = make_unit("GB2", "Geschäftsbereich 2", root)
    people = {
        "oben": make_employee(root, last_name="Oben"),
        "bereich": make_employee(gb1, last_name="Bereich"),
        "amtlich": make_employee(amt, last_name="Amtlich"),
        "anderswo": make_employee(gb2, last_name="Anderswo"),
        "ehemalig": make_employee(amt, last_name="Ehemalig", is_active=False),
    }
    return {"root": root, "gb1": gb1, "amt": amt, "gb2": gb2, **people}


def names(client, query: str = "") -> set[str]:
    page = client.get("/organisation/beschaeftigte" + query).get_data(as_text=True)
    return {n for n in ("Oben", "Bereich", "Amtlich", "Anderswo", "Ehemalig") if f"{n}," in page}


def test_coordinator_sees_only_their_subtree(client, login_as, tree):
    login_as("coordinator", units=[tree["gb1"]])
    assert names(client) == {"Bereich", "Amtlich"}
    assert names(client, "?q=Anderswo") == set()
    assert names(client, "?inaktive=1") == {"Bereich", "Amtlich"}  # no filter for coordinators


def test_coordinator_with_two_subtrees(client, login_as, tree):
    login_as("coordinator", units=[tree["amt"], tree["gb2"]])
    assert names(client) == {"Amtlich", "Anderswo"}


def test_hr_sees_everyone_and_may_include_inactive(client, login_as, tree):
    login_as("hr")
    assert names(client) == {"Oben", "Bereich", "Amtlich", "Anderswo"}
    assert names(client, "?inaktive=1") == {"Oben", "Bereich", "Amtlich", "Anderswo", "Ehemalig"}
    assert "inaktiv" in client.get("/organisation/beschaeftigte?inaktive=1").get_data(as_text=True)


def test_search_by_name_and_unit_code(client, login_as, tree):
    login_as("hr")
    assert names(client, "?q=amtl") == {"Amtlich"}
    assert names(client, "?q=GB2") == {"Anderswo"}


def test_pagination(client, login_as, make_unit, make_employee):
    unit = make_unit()
    for i in range(55):
        make_employee(unit, last_name=f"Person{i:02d}")
    login_as("hr")
    first = client.get("/organisation/beschaeftigte").get_data(as_text=True)
    assert "Seite 1 von 2" in first and "Person49," in first and "Person50," not in first
    second = client.get("/organisation/beschaeftigte?page=2").get_data(as_text=True)
    assert "Person50," in second and "Person00," not in second


def test_problems_in_english_for_an_english_user(client, login_as, units):
    login_as("hr")
    client.post("/sprache", data={"lang": "en"})
    page = upload(client, (STAFF + "3;Neu;Nina;kaputt;10\n").encode()).get_data(as_text=True)
    assert "Invalid e-mail address: kaputt" in page


# --- identity changes, stale previews, typed confirmation -----------------------------------------

IDENTITY = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example")
CONFIRM = "/organisation/import/bestaetigen"


@pytest.fixture
def staff(units):
    assert services.import_staff(STAFF.encode()).ok
    db.session.commit()


def person(pn: str) -> tuple[str, str]:
    row = db.session.execute(select(Employee.first_name, Employee.email).where(Employee.personnel_no == pn)).one()
    db.session.commit()
    return tuple(row)


def test_preview_shows_old_and_new_values_and_the_login_change(client, login_as, make_user, staff):
    login_as("hr")
    make_user("employee", employee=db.session.scalar(select(Employee).where(Employee.personnel_no == "2")))
    married = STAFF.replace("2;Beispiel;Erika;erika@", "2;Weber;Erika;erika.weber@")
    page = upload(client, married.encode()).get_data(as_text=True)
    assert "Änderungen, die der Import vornimmt" in page
    assert re.search(r"<strong>Nachname:</strong> <span class=\"import-old\">Beispiel</span>.*"
                     r"<span class=\"import-new\">Weber</span>", page)
    assert "Anmeldung ändert sich: erika@stadt.example → erika.weber@stadt.example" in page
    assert "Identitätswechsel" not in page
    client.post("/sprache", data={"lang": "en"})
    english = upload(client, married.encode()).get_data(as_text=True)
    assert "<strong>Last name:</strong>" in english
    assert "Login changes: erika@stadt.example → erika.weber@stadt.example" in english


def test_identity_change_needs_a_confirmation_per_row(client, login_as, staff):
    login_as("hr")
    response = upload(client, IDENTITY.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 Zeile ändert die Identität einer Person." in page
    assert "Zeilen mit Identitätswechsel" in page and "Muster, Max" in page and "berta@stadt.example" in page
    assert 'name="identity" value="1" id="identity-1"' in page
    assert count(StagedImport) == 1
    # confirm without the row's checkbox: nothing is written, the row is marked
    refused = client.post(CONFIRM, data=confirm_data(response)).get_data(as_text=True)
    assert "Der Import wurde nicht gespeichert." in refused
    assert "1 Identitätswechsel ist nicht bestätigt." in refused
    assert 'aria-invalid="true" aria-describedby="identity-1-error"' in refused
    assert person("1") == ("Max", "max@stadt.example") and count(StagedImport) == 1
    # confirmed: applied
    done = client.post(CONFIRM, data=confirm_data(response, identity="1"), follow_redirects=True)
    assert "Import von staff.csv abgeschlossen: 0 angelegt, 1 geändert" in done.get_data(as_text=True)
    assert person("1") == ("Berta", "berta@stadt.example") and count(StagedImport) == 0


def test_identity_change_with_other_problems_is_not_staged(client, login_as, staff):
    login_as("hr")
    page = upload(client, (IDENTITY + "3;Neu;Nina;kaputt;10\n").encode()).get_data(as_text=True)
    assert "Die Datei enthält 2 Probleme." in page and "Identitätswechsel: Unter der Personalnummer 1" in page
    assert "Import bestätigen" not in page and count(StagedImport) == 0


def test_stale_preview_is_refused_and_shows_the_current_one(client, login_as, staff):
    login_as("hr")
    changed = STAFF.replace("1;Muster;Max;max@", "1;Muster;Maximilian;max@")
    response = upload(client, changed.encode())
    old_digest = hidden(response, "digest")
    # someone else changes Max in between
    assert services.import_staff(STAFF.replace("1;Muster;Max;max@", "1;Muster;Moritz;max@").encode()).ok
    db.session.commit()
    stale = client.post(CONFIRM, data=confirm_data(response))
    page = stale.get_data(as_text=True)
    assert "Die Daten haben sich seit Ihrer Vorschau geändert" in page
    assert "<span class=\"import-old\">Moritz</span>" in page  # the preview as it is now
    assert person("1")[0] == "Moritz" and count(StagedImport) == 1
    new_digest = hidden(stale, "digest")
    assert new_digest != old_digest
    client.post(CONFIRM, data={"token": token_of(response), "digest": new_digest})
    assert person("1")[0] == "Maximilian"


def test_confirmation_without_a_preview_digest_writes_nothing(client, login_as, units):
    login_as("hr")
    response = upload(client, STAFF.encode())
    page = client.post(CONFIRM, data={"token": token_of(response)}).get_data(as_text=True)
    assert "Die Bestätigung gehört zu keiner Vorschau" in page
    assert count(Employee) == 0 and count(StagedImport) == 1
    tampered = client.post(CONFIRM, data=confirm_data(response, digest="0" * 64)).get_data(as_text=True)
    assert "Die Daten haben sich seit Ihrer Vorschau geändert" in tampered and count(Employee) == 0


@pytest.fixture
def eleven(units):
    rows = [f"{n};Person{n};Vorname{n};p{n}@stadt.example;10" for n in range(1, 13)]
    header = STAFF.splitlines()[0]
    assert services.import_staff(("\n".join([header, *rows]) + "\n").encode()).ok
    db.session.commit()
    return f"{header}\n{rows[0]}\n".encode()  # a full list that deactivates 11


def active() -> int:
    n = db.session.scalar(select(func.count()).select_from(Employee).where(Employee.is_active.is_(True)))
    db.session.commit()
    return n


def test_full_list_above_the_threshold_needs_the_typed_number(client, login_as, eleven):
    login_as("hr")
    response = upload(client, eleven, full=True)
    page = response.get_data(as_text=True)
    assert "11 von 12 aktiven Beschäftigten fehlen in der vollständigen Liste" in page
    assert "Zu deaktivierende Beschäftigte: die ersten 10" in page
    assert "Alle 11 zu deaktivierenden Beschäftigten anzeigen" in page
    assert "Mehr als 10 Personen würden deaktiviert." in page
    assert 'name="deactivations"' in page
    for typed in ("", "10", "elf"):
        refused = client.post(CONFIRM, data=confirm_data(response, deactivations=typed)).get_data(as_text=True)
        assert "Bitte geben Sie zur Bestätigung die Zahl 11 ein" in refused
        assert 'aria-invalid="true"' in refused
        assert active() == 12
    client.post(CONFIRM, data=confirm_data(response, deactivations="11"))
    assert active() == 1


def test_full_list_at_the_threshold_needs_no_typed_number(app, client, login_as, eleven):
    app.config["LMS_IMPORT_CONFIRM_DEACTIVATIONS"] = 11
    login_as("hr")
    response = upload(client, eleven, full=True)
    assert 'name="deactivations"' not in response.get_data(as_text=True)
    client.post(CONFIRM, data=confirm_data(response))
    assert active() == 1
