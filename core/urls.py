from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from core.api import views
from learning.feedback import urls as feedback_urls


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI for people: an anonymous visitor is sent to log in rather than handed a 401.

    The page itself is only the UI's shell; the schema it loads stays behind authentication.
    """

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("health/ready", views.ReadyView.as_view(), name="ready"),
    path("metrics", views.MetricsView.as_view(), name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", views.ApiRootView.as_view(), name="api-root"),
    path("api/v1/", include("core.api.urls")),
    path("api/v1/", include("workers.urls")),
    path("api/v1/hobbies/", include("hobbies.urls")),
    path("api/v1/memory/", include("memoryhub.urls")),
    path("api/v1/graph/", include("memoryhub.graph_urls")),
    path("api/v1/", include("models_suite.urls")),
    path("v1/", include("models_suite.gateway_urls")),  # OpenAI-compatible
    path("api/v1/learning/", include("learning.urls")),
    path("api/v1/feedback/", include((feedback_urls.api_urlpatterns, "feedback"))),
    path("feedback/", include((feedback_urls.page_urlpatterns, "feedback_pages"))),  # the rating forms, for people
    path("", include("memoryhub.legacy_urls")),  # the originals' MemoryHub routes
    path("hobby/", include("hobbies.legacy_urls")),  # the originals' hobby routes
    path("hobby/", include("learning.legacy_urls")),  # the originals' feedback routes
    path("hobby/", include("memoryhub.graph_legacy_urls")),  # the originals' knowledge graph
]

handler404 = "core.errors.not_found_view"
handler500 = "core.errors.server_error_view"
