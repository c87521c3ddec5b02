"""Production settings (DJANGO_ENV=production): Django's deploy check passes without a warning,
start-up refuses unsafe configuration with a message naming the variable, and every response
carries the security headers, including the Content-Security-Policy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.test import override_settings

from stadsdel.config.env import ImproperlyConfiguredEnv, env_header, env_origins

STRONG_KEY = secrets.token_urlsafe(50)


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STADSDEL_", "DATABASE_"))
    }
    env.update({
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "DJANGO_ALLOWED_HOSTS": "stadsdel.example.se",
        "STADSDEL_DATA_DIR": str(tmp_path),
    })
    env.update(extra)
    return env


def _stadsdel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stadsdel.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_deploy_check_passes_without_warnings(tmp_path):
    result = _stadsdel(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_deploy_check_also_passes_behind_a_proxy(tmp_path):
    env = _production_env(tmp_path, DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
                          DJANGO_CSRF_TRUSTED_ORIGINS="https://stadsdel.example.se", STADSDEL_PROXY_COUNT="1")
    result = _stadsdel(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("override", "message"), [
    ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production"),
    ({"DJANGO_SECRET_KEY": "dev-insecure-stadsdel-not-for-production"}, "DJANGO_SECRET_KEY is the development key"),
    ({"DJANGO_SECRET_KEY": "short-but-secret"}, "DJANGO_SECRET_KEY is too weak"),
    ({"DJANGO_SECRET_KEY_FALLBACKS": "old"}, "DJANGO_SECRET_KEY_FALLBACKS is too weak"),
    ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must be set"),
    ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG cannot be on when DJANGO_ENV=production"),
    ({"DJANGO_CSRF_TRUSTED_ORIGINS": "stadsdel.example.se"}, "DJANGO_CSRF_TRUSTED_ORIGINS"),
    ({"DJANGO_SECURE_PROXY_SSL_HEADER": "https"}, "DJANGO_SECURE_PROXY_SSL_HEADER"),
    ({"DJANGO_SECURE_HSTS_SECONDS": "3600"}, "DJANGO_SECURE_HSTS_SECONDS must be at least 31536000"),
])
def test_production_refuses_unsafe_configuration(tmp_path, override, message):
    result = _stadsdel(_production_env(tmp_path, **override), "check")
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfiguredEnv" in result.stderr


def test_env_helpers_for_origins_and_proxy_header(monkeypatch):
    monkeypatch.setenv("X_ORIGINS", "https://a.example, http://b.example:8000")
    assert env_origins("X_ORIGINS", []) == ["https://a.example", "http://b.example:8000"]
    monkeypatch.setenv("X_ORIGINS", "https://a.example/path")
    with pytest.raises(ImproperlyConfiguredEnv, match="X_ORIGINS"):
        env_origins("X_ORIGINS", [])
    monkeypatch.setenv("X_PROXY", "X-Forwarded-Proto: https")
    assert env_header("X_PROXY") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("X_PROXY", "")
    assert env_header("X_PROXY") is None


# A request through the whole production middleware stack, in a process of its own (settings
# are read once per process). /i18n/setlang/ answers without rendering a template, so the test
# needs neither a database nor collected static files.
HEADERS_SCRIPT = textwrap.dedent("""
    import json
    import django
    django.setup()
    from django.test import Client
    client = Client()
    result = {}
    for secure in (False, True):
        response = client.get("/i18n/setlang/", secure=secure, HTTP_HOST="stadsdel.example.se")
        result[str(secure)] = {"status": response.status_code, "headers": dict(response.headers)}
    print(json.dumps(result))
""")


def test_production_responses_carry_the_security_headers(tmp_path):
    import json

    env = _production_env(tmp_path, DJANGO_SETTINGS_MODULE="stadsdel.config.settings")
    result = subprocess.run([sys.executable, "-c", HEADERS_SCRIPT], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout.strip().splitlines()[-1])

    plain = responses["False"]
    assert plain["status"] == 301  # SECURE_SSL_REDIRECT
    assert plain["headers"]["Location"] == "https://stadsdel.example.se/i18n/setlang/"
    assert "Content-Security-Policy" in plain["headers"]

    headers = responses["True"]["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert policy["object-src"] == "'none'"


@pytest.mark.django_db
def test_every_page_carries_the_policy(client):
    # Development sends the same policy, so a page that would break under it breaks in
    # development and in the browser tests, not first in production.
    for url in ("/", "/login/", "/no-such-page/"):
        response = client.get(url)
        assert "script-src 'self';" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_view_may_set_its_own_policy(rf):
    from django.http import HttpResponse

    from stadsdel.ui.middleware import ContentSecurityPolicyMiddleware

    def own_policy(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert ContentSecurityPolicyMiddleware(own_policy)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"
    with override_settings(CONTENT_SECURITY_POLICY={"default-src": ["'self'"]}):
        response = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("x"))(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'self'"


def test_no_template_has_inline_script_code():
    """script-src 'self' allows only script files: a <script> with code in a template would be
    blocked. JSON data (json_script, type="application/json") is not code and is allowed."""
    import re
    from pathlib import Path

    import stadsdel

    offenders = []
    for path in Path(stadsdel.__file__).parent.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path.name}: inline event handler or javascript: URL")
    assert offenders == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_draw_under_the_policy_without_violations(live_server, tmp_path, monkeypatch):
    """Vega compiles its expressions with `new Function` unless charts.js asks for its
    interpreter; under script-src 'self' a chart would then fail to draw."""
    from pathlib import Path

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("STADSDEL_REQUIRE_BROWSER") == "1":
            pytest.fail("STADSDEL_REQUIRE_BROWSER=1 but /usr/bin/chromium is not installed")
        pytest.skip("/usr/bin/chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from stadsdel.areas.models import District
    from stadsdel.indicators.services.imports import observations_import
    from stadsdel.seeds.loader import seeds_load

    seeds_load()
    rows = ["indicator,area,period,sex,value,numerator,denominator"]
    for year in (2010, 2011, 2012):
        for area in ("01270001", "01270002", "01270004", "01270005"):
            rows.append(f"employment_rate_20_64,{area},{year},T,{50 + year - 2010},{500 + year - 2010},1000")
        rows.append(f"employment_rate_20_64,0127,{year},T,{71.5 + year - 2010},,")
        rows.append(f"employment_rate_20_64,01,{year},T,{77.5 + year - 2010},,")
    (tmp_path / "alby.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    observations_import(path=tmp_path / "alby.csv", fmt="csv")
    alby = District.objects.get(name="Alby", kind=District.Kind.DISTRICT)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            response = page.goto(f"{live_server.url}/districts/{alby.pk}/statistics/")
            assert "script-src 'self';" in response.headers["content-security-policy"]
            chart = page.locator('[data-chart="chart-employment_rate_20_64"]')
            expect(chart).to_have_class("chart chart-drawn", timeout=15_000)
            page.locator("svg").first.hover()
        finally:
            browser.close()
    violations = [text for text in console if "Content Security Policy" in text or "unsafe-eval" in text]
    assert violations == []
