"""URL patterns of the score reports, added to the assessment namespace."""

from django.urls import path

from assessment import report_views

urlpatterns = [
    path("rapports/", report_views.report_index, name="report-index"),
    path(
        "rapports/vagues/<int:wave_pk>/",
        report_views.campaign_wave_report,
        name="report-wave",
    ),
    path(
        "rapports/vagues/<int:wave_pk>/classes/<int:class_pk>/",
        report_views.class_wave_report,
        name="report-class-wave",
    ),
]
