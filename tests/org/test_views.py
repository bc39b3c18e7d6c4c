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
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


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
    confirm = client.post("/organisation/import/bestaetigen", data={"token": token_of(response)},
                          follow_redirects=True)
    page = confirm.get_data(as_text=True)
    assert "Import von staff.csv abgeschlossen: 2 angelegt, 0 geändert, 0 unverändert, 0 deaktiviert." in page
    assert count(Employee) == 2 and count(StagedImport) == 0
    # the token is used up
    assert client.post("/organisation/import/bestaetigen", data={"token": token_of(response)}).status_code == 404


def test_units_upload(client, login_as):
    login_as("admin")
    response = upload(client, UNITS.encode(), kind="units", name="einheiten.csv")
    client.post("/organisation/import/bestaetigen", data={"token": token_of(response)})
    assert count(OrgUnit) == 2


def test_full_upload_previews_deactivations(client, login_as, units):
    login_as("hr")
    assert services.import_staff(STAFF.encode()).ok
    db.session.commit()
    only_max = "\n".join(STAFF.splitlines()[:2]) + "\n"
    response = upload(client, only_max.encode(), full=True)
    page = response.get_data(as_text=True)
    assert "deaktiviert" in page and "Beispiel, Erika" in page
    client.post("/organisation/import/bestaetigen", data={"token": token_of(response)})
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
