"""The author's catalogue page, the import button and the course image route."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms import db
from lms.catalog import services
from lms.catalog.models import CourseVersion
from tests.catalog.tree import PNG, Tree


@pytest.fixture
def courses(app, tree: Tree) -> Tree:
    app.config["LMS_COURSES_DIR"] = str(tree.root)
    return tree


def imported(tree: Tree) -> None:
    assert services.import_courses(tree.root).ok
    db.session.commit()


def test_status_before_any_import(client, login_as, courses: Tree) -> None:
    login_as("author")
    html = client.get("/katalog").get_data(as_text=True)
    assert "<h1" in html and html.count("<h1") == 1
    assert "Noch kein Kurs importiert." not in html  # the course on disk is listed as new
    assert "neu: wird Version 1.0.0" in html
    assert "Alle Kursdateien sind fehlerfrei: 1 Kurse, 2 Module, 4 Fragen." in html
    assert "Kurse importieren" in html


def test_status_lists_imported_courses(client, login_as, courses: Tree) -> None:
    imported(courses)
    login_as("admin")
    html = client.get("/katalog").get_data(as_text=True)
    assert "Testkurs" in html and "1.0.0" in html and "unverändert" in html
    assert '<td class="kern-table__cell kern-table__cell--numeric">4</td>' in html  # questions


def test_status_shows_pending_change_and_live_lint_problems(client, login_as, courses: Tree) -> None:
    imported(courses)
    courses.replace("testkurs/course.yml", "version: 1.0.0", "version: 1.1.0")
    login_as("author")
    assert "geändert: wird Version 1.1.0" in client.get("/katalog").get_data(as_text=True)
    courses.replace("testkurs/quiz.yml", "type: multiple", "type: mehrfach")
    html = client.get("/katalog").get_data(as_text=True)
    line = courses.line_of("testkurs/quiz.yml", "type: mehrfach")
    assert f"<code>courses/testkurs/quiz.yml:{line}</code>" in html
    assert "1 Fehler in den Kursdateien. Ein Import würde abgelehnt." in html


def test_status_shows_version_not_raised(client, login_as, courses: Tree) -> None:
    imported(courses)
    courses.replace("testkurs/02-leitlinie.md", "Die Leitlinie", "Die neue Leitlinie")
    login_as("author")
    assert "Version nicht erhöht" in client.get("/katalog").get_data(as_text=True)


def digest_of(client) -> str:
    """The fingerprint the catalogue page puts into its import form (what the author confirms)."""
    html = client.get("/katalog").get_data(as_text=True)
    match = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', html) or re.search(
        r'id="digest" name="digest" type="hidden" value="([0-9a-f]+)"', html)
    assert match, "the import form carries the preview's fingerprint"
    return match[1]


def test_import_button_imports(client, login_as, courses: Tree) -> None:
    login_as("author")
    response = client.post("/katalog/import", data={"digest": digest_of(client)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Import abgeschlossen: 1 neu, 0 mit neuer Version, 0 unverändert, 0 deaktiviert." in html
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 1


def test_import_button_refuses_on_errors(client, login_as, courses: Tree) -> None:
    courses.replace("testkurs/course.yml", "pass_mark: 80", "pass_mark: 0")
    login_as("author")
    html = client.get("/katalog").get_data(as_text=True)
    assert "Der Import ist gesperrt, bis alle Fehler in den Kursdateien behoben sind." in html
    assert re.search(r'<button type="submit" class="kern-btn kern-btn--primary" disabled', html)
    html = client.post("/katalog/import", data={"digest": digest_of(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Import abgelehnt: 1 Fehler in den Kursdateien. Es wurde nichts geändert" in html
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0


def test_import_without_a_confirmed_preview_writes_nothing(client, login_as, courses: Tree) -> None:
    login_as("author")
    html = client.post("/katalog/import", follow_redirects=True).get_data(as_text=True)
    assert "Bitte bestätigen Sie den Import auf der Seite mit der Vorschau" in html
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0


def test_a_preview_that_changed_since_is_refused(client, login_as, courses: Tree) -> None:
    login_as("author")
    digest = digest_of(client)
    courses.replace("testkurs/01-einfuehrung.md", "Einführung", "Einführung (neu)")
    html = client.post("/katalog/import", data={"digest": digest}, follow_redirects=True).get_data(as_text=True)
    assert "haben sich seit Ihrer Vorschau geändert. Es wurde nichts geändert." in html
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0
    # someone else imported in between: the database changed, the same confirmation is stale too
    digest = digest_of(client)
    imported(courses)
    html = client.post("/katalog/import", data={"digest": digest}, follow_redirects=True).get_data(as_text=True)
    assert "haben sich seit Ihrer Vorschau geändert" in html


def test_import_needs_csrf_token(app, client, login_as, courses: Tree) -> None:
    login_as("author")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/katalog/import").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0


def test_asset_serves_course_image(client, login_as, courses: Tree) -> None:
    login_as("employee")
    response = client.get("/kurse/testkurs/img/diagramm.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png" and response.data == PNG
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("path", [
    "/kurse/testkurs/img/fehlt.png",
    "/kurse/testkurs/course.yml",
    "/kurse/testkurs/quiz.yml",
    "/kurse/testkurs/01-einfuehrung.md",
    "/kurse/testkurs/../competences.yml",
    "/kurse/testkurs/%2e%2e/competences.yml",
    "/kurse/testkurs/img/..%2f..%2fcompetences.yml",
    "/kurse/testkurs/img/%2e%2e/%2e%2e/anderer/bild.png",
    "/kurse/..%2fanderer/bild.png",
    "/kurse/Testkurs/img/diagramm.png",
    "/kurse/testkurs/.geheim/bild.png",
    "/kurse/testkurs/img/bild.svg",
    "/kurse/testkurs/img%5cdiagramm.png",
])
def test_asset_refuses_everything_else(client, login_as, courses: Tree, path: str) -> None:
    (courses.root / "anderer").mkdir()
    (courses.root / "anderer" / "bild.png").write_bytes(PNG)
    (courses.course / ".geheim").mkdir()
    (courses.course / ".geheim" / "bild.png").write_bytes(PNG)
    (courses.course / "img" / "bild.svg").write_text("<svg onload='alert(1)'/>")
    login_as("employee")
    assert client.get(path).status_code == 404


def test_asset_does_not_follow_symlinks_out_of_the_folder(client, login_as, courses: Tree, tmp_path) -> None:
    outside = tmp_path / "draussen.png"
    outside.write_bytes(PNG)
    (courses.course / "img" / "link.png").symlink_to(outside)
    login_as("employee")
    assert client.get("/kurse/testkurs/img/link.png").status_code == 404


def test_asset_needs_login(client, courses: Tree) -> None:
    response = client.get("/kurse/testkurs/img/diagramm.png")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_navigation_shows_catalogue_to_authors(client, login_as, courses: Tree) -> None:
    login_as("author")
    assert 'href="/katalog"' in client.get("/katalog").get_data(as_text=True)
