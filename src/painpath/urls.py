"""URL map: the web pages of each app, the JSON API under /api/v1/, and Django admin."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from painpath.core.api import api

urlpatterns = [
    path("", include("painpath.accounts.urls")),
    path("patients/", include("painpath.patients.urls")),
    path("audit/", include("painpath.audit.urls")),
    path("medications/", include("painpath.medications.urls")),
    path("alerts/", include("painpath.alerts.urls")),
    path("diary/", include("painpath.diary.urls")),
    path("questionnaires/", include("painpath.assessments.urls")),
    path("genomics/", include("painpath.genomics.urls")),
    path("devices/", include("painpath.devices.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico on pages that name none (Django admin, API docs).
    path("favicon.ico", RedirectView.as_view(url=static("painpath/favicon.svg"), permanent=True)),
]

handler400 = "painpath.core.views.bad_request"
handler403 = "painpath.core.views.forbidden"
handler404 = "painpath.core.views.not_found"
handler500 = "painpath.core.views.server_error"
