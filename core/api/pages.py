"""A page for people (HTML) served by an API view, so that it checks authentication and roles like every
other route: a browser that is not logged in is sent to the admin login, any other client gets the usual JSON
401. Subclasses render their template in get()."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from rest_framework import exceptions
from rest_framework.views import APIView


class PageView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The page is HTML whatever the renderers say; they only render its errors (JSON). Without force, a
        # browser asking for text/html alone would get a 406.
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc):
        wants_html = "text/html" in self.request.META.get("HTTP_ACCEPT", "")
        if wants_html and isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
