from django.contrib import admin
from django.urls import include, path

from iota import views

urlpatterns = [
    path("", views.home, name="home"),
    path("comptes/", include("accounts.urls")),
    path("ecoles/", include("schools.urls")),
    path("evaluation/", include("assessment.urls")),
    path("activites/", include("activities.urls")),
    path("apprendre/", include("learning.urls")),
    path("etudes/", include("studies.urls")),
    path("taches/", include("performance.urls")),
    path("rapports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
