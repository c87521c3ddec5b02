"""Language selection: Swedish first, English when the user chooses it."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SwedishFirstLocaleMiddleware(LocaleMiddleware):
    """Use the language the user chose with the language switch (its cookie), else Swedish.

    Django's own middleware follows the browser's Accept-Language, which would show most
    municipal and agency machines (often set to English) an English product; the work and its
    documents are Swedish, so Swedish is the default and English an explicit choice.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY on every response
    that has none yet (Django 5.2 has no CSP of its own): scripts only from the site itself, so
    injected markup cannot run code even if some escaping were missed.

    Django's debug error page (DEBUG only) runs inline scripts, so it goes without the policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 500:
            return response
        policy = settings.CONTENT_SECURITY_POLICY
        header = "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())
        response.headers.setdefault("Content-Security-Policy", header)
        return response


class RejectNulMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL character (%00): no
    record can contain one, and PostgreSQL refuses it in a query with an error that would
    otherwise surface as a 500. (Form fields and the API's bodies refuse it themselves.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in vs)
                                         for k, vs in request.GET.lists()):
            return HttpResponseBadRequest("NUL character in the address.\n", content_type="text/plain")
        return self.get_response(request)
