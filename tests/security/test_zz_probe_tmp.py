import pytest
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_probe(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright
    from stadsdel.seeds.loader import seeds_load
    from django.contrib.auth import get_user_model
    from stadsdel.accounts.models import Membership, Role
    from stadsdel.agreements.models import Organisation, Partnership
    seeds_load()
    u = get_user_model().objects.create_user("ministry", password="pw-ministry-long-1", is_staff=True, is_superuser=True)
    Membership.objects.create(user=u, organisation=Organisation.objects.get(key="arbetsmarknadsdepartementet"), role=Role.MINISTRY)
    h = get_user_model().objects.create_user("haninge", password="pw-haninge-long-1")
    Membership.objects.create(user=h, organisation=Organisation.objects.get(key="haninge_kommun"), role=Role.MUNICIPALITY)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = b.new_page(locale="sv-SE", viewport={"width": 1280, "height": 1000})
        msgs = []
        page.on("console", lambda m: msgs.append((page.url, m.type, m.text)))
        # sign in as haninge, edit partnership
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill("haninge")
        page.get_by_label("Lösenord").fill("pw-haninge-long-1")
        page.get_by_role("button", name="Logga in").click()
        j = Partnership.objects.get(key="jordbro")
        page.goto(f"{live_server.url}/partnerships/{j.pk}/edit/")
        page.locator("textarea").first.fill("Ny grund för partnerskapet, beslutad 2024.")
        page.locator("form.stacked button[type=submit], main form button[type=submit]").last.click()
        page.wait_for_timeout(500)
        page.goto(f"{live_server.url}/audit/")
        page.screenshot(path="/tmp/audit_haninge.png", full_page=False)
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill("ministry")
        page.get_by_label("Lösenord").fill("pw-ministry-long-1")
        page.get_by_role("button", name="Logga in").click()
        for url in ("/audit/", "/api/docs", "/admin/", "/admin/agreements/partnership/"):
            page.goto(f"{live_server.url}{url}")
            page.wait_for_timeout(1500)
            page.screenshot(path=f"/tmp/probe_{url.strip('/').replace('/', '_') or 'root'}.png")
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        for i in range(5):
            page.get_by_label("Användarnamn").fill("haninge")
            page.get_by_label("Lösenord").fill("wrong")
            page.get_by_role("button", name="Logga in").click()
            if page.locator("#lockout").count(): break
        page.screenshot(path="/tmp/lockout.png")
        b.close()
    for m in msgs: print("MSG", m)
