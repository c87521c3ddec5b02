"""Language selection: Swedish first, English when the user chooses it."""

from django.conf import settings
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
