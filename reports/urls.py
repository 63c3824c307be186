from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("etudes/<int:study_pk>/", views.dashboard, name="dashboard"),
    path("etudes/<int:study_pk>/analyser/", views.analyse, name="analyse"),
    path("etudes/<int:study_pk>/rapport.pdf", views.report_pdf, name="report-pdf"),
    path("etudes/<int:study_pk>/puissance/", views.power, name="power"),
    path("etudes/<int:study_pk>/export/", views.export, name="export"),
    path(
        "etudes/<int:study_pk>/export/dictionnaire.csv",
        views.export_codebook,
        name="export-codebook",
    ),
    path(
        "etudes/<int:study_pk>/classes/<int:class_pk>/",
        views.class_report,
        name="class-report",
    ),
]
