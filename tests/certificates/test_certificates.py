"""Certificate PDF (owner only) and the public verification page."""

from __future__ import annotations

from datetime import timedelta

from lms import db
from lms.certificates import pdf
from lms.db import utcnow
from lms.learning import rules, services
from lms.learning.models import Completion


def completion_for(user, cv, *, valid_days=365) -> str:
    now = utcnow()
    name, short = services.holder_names(user)
    completion = Completion(user_id=user.id, course_id=cv.course_id, course_version_id=cv.id,
                            completed_at=now - timedelta(days=10), valid_until=now + timedelta(days=valid_days),
                            awards={}, certificate_code=services.new_certificate_code(),
                            holder_name=name, holder_short=short)
    db.session.add(completion)
    db.session.commit()
    return completion.certificate_code


def test_certificate_pdf_for_its_holder(client, login_as, make_course):
    user = login_as()
    cv = make_course(title="KI-Grundlagen")
    code = completion_for(user, cv)
    response = client.get(f"/zertifikate/{code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_certificate_content(app, make_user, make_course):
    """The printed text, read back through WeasyPrint's document API (no PDF text extractor needed)."""
    from weasyprint import HTML

    user = make_user()
    cv = make_course(title="KI-Grundlagen", version="2.1.0")
    code = completion_for(user, cv)
    completion = db.session.query(Completion).one()
    with app.test_request_context():
        html = pdf.certificate_html(completion=completion, holder=user.name, code=rules.format_code(code),
                                    verify_url=pdf.verify_url(code))
    document = HTML(string=html).render()
    assert len(document.pages) == 1  # one A4 page

    def texts(box):
        if getattr(box, "text", None):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from texts(child)

    # compared without spaces: the URL is broken across lines into two text boxes
    text = "".join(t for page in document.pages for t in texts(page._page_box)).replace(" ", "")
    for expected in (user.name, "KI-Grundlagen", "2.1.0", rules.format_code(code),
                     f"http://localhost/pruefen/{code}", app.config["LMS_ORG_NAME"], "Gültig bis"):
        assert expected.replace(" ", "") in text, expected


def test_someone_elses_certificate_is_404(client, make_user, login_as, make_course):
    owner = make_user()
    code = completion_for(owner, make_course())
    login_as("admin")
    assert client.get(f"/zertifikate/{code}.pdf").status_code == 404
    assert client.get("/zertifikate/UNBEKANNT.pdf").status_code == 404


def test_verify_valid_shows_no_more_than_needed(client, make_user, make_course):
    user = make_user()
    code = completion_for(user, make_course(title="KI-Grundlagen"))
    employee = user.employee
    response = client.get(f"/pruefen/{code}")  # no login
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Gültiges Zertifikat" in html and "KI-Grundlagen" in html and "1.0.0" in html
    assert f"{employee.first_name[0]}. {employee.last_name}" in html
    for private in (employee.first_name + " " + employee.last_name, employee.email, employee.personnel_no,
                    employee.org_unit.name):
        assert private not in html


def test_verify_expired_and_unknown(client, make_user, make_course):
    code = completion_for(make_user(), make_course(), valid_days=-1)
    assert "Abgelaufenes Zertifikat" in client.get(f"/pruefen/{code}").get_data(as_text=True)
    unknown = client.get("/pruefen/AAAABBBBCCCCDDDDEEEEFFFFGG")
    assert unknown.status_code == 404 and "Unbekannter Prüfcode" in unknown.get_data(as_text=True)


def test_verify_accepts_the_printed_form(client, make_user, make_course):
    code = completion_for(make_user(), make_course())
    printed = rules.format_code(code).lower()
    assert "Gültiges Zertifikat" in client.get(f"/pruefen/{printed}").get_data(as_text=True)


def test_verify_has_an_english_alias(client, make_user, make_course):
    code = completion_for(make_user(), make_course(title="KI-Grundlagen"))
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200
    assert "KI-Grundlagen" in response.get_data(as_text=True)
    assert client.get("/verify/UNBEKANNT").status_code == 404


def test_certificate_keeps_the_name_it_was_issued_to(client, login_as, make_course, monkeypatch):
    """A later change of the master data (a new name, or a personnel number reused for another person)
    changes neither the PDF nor the public verification page: both show the name at issue time."""
    user = login_as()
    employee = user.employee
    issued_to = f"{employee.first_name} {employee.last_name}"
    short = f"{employee.first_name[0]}. {employee.last_name}"
    code = completion_for(user, make_course(title="KI-Grundlagen"))
    employee.first_name, employee.last_name = "Zoe", "Anders"
    db.session.commit()
    printed = {}

    def capture(**kwargs):
        printed.update(kwargs)
        return "<html><body>x</body></html>"

    monkeypatch.setattr(pdf, "certificate_html", capture)
    assert client.get(f"/zertifikate/{code}.pdf").status_code == 200
    assert printed["holder"] == issued_to
    html = client.get(f"/pruefen/{code}").get_data(as_text=True)
    assert short in html and "Z. Anders" not in html


def test_verify_form_without_code(client):
    response = client.get("/pruefen")  # no login
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="get" action="/pruefen"' in html
    assert '<label class="kern-label" for="code">Prüfcode</label>' in html
    assert 'name="code"' in html and 'aria-describedby="code-hint"' in html
    assert "kern-error" not in html


def test_verify_form_leads_to_the_result_with_the_code_normalised(client, make_user, make_course):
    code = completion_for(make_user(), make_course(title="KI-Grundlagen"))
    typed = " " + rules.format_code(code).lower().replace("-", " - ") + " "
    response = client.get("/pruefen", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pruefen/{rules.normalise_code(typed)}"
    assert rules.normalise_code(typed) == code
    result = client.get(response.headers["Location"])
    assert "Gültiges Zertifikat" in result.get_data(as_text=True)
    assert 'href="/pruefen">Weiteres Zertifikat prüfen' in result.get_data(as_text=True)


def test_verify_form_reads_digits_as_the_letters_they_resemble(client):
    response = client.get("/pruefen?code=0i8l-1")
    assert response.headers["Location"] == "/pruefen/OIBLI"


def test_verify_form_without_input_asks_for_the_code(client):
    for blank in ("", "   ", " - - "):
        response = client.get("/pruefen", query_string={"code": blank})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Bitte geben Sie den Prüfcode ein." in html
        assert 'aria-describedby="code-hint code-error"' in html and 'aria-invalid="true"' in html


def test_unknown_code_shows_the_form_again_with_what_was_typed(client):
    response = client.get("/pruefen?code=abcd-efgh", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Unbekannter Prüfcode" in html
    assert 'name="code" type="text" value="ABCDEFGH"' in html


def test_verify_form_english_alias_and_language(client):
    response = client.get("/verify", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="get" action="/verify"' in html
    assert "Verify certificate" in html and "Verification code" in html and "No login is needed." in html
    assert client.get("/verify?code=abcd").headers["Location"] == "/verify/ABCD"


def test_verify_form_is_linked_in_the_footer(client):
    assert 'href="/pruefen">Zertifikat prüfen</a>' in client.get("/anmelden").get_data(as_text=True)
