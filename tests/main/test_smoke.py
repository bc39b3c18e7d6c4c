def test_login_page_renders(client):
    response = client.get("/anmelden")
    assert response.status_code == 200
    assert b"Anmelden" in response.data


def test_admin_logs_in_and_sees_users(login_as, client):
    login_as("admin")
    response = client.get("/admin/konten")
    assert response.status_code == 200
