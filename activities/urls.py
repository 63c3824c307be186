from django.urls import path

from activities import authoring_views, views

app_name = "activities"

urlpatterns = [
    path("<slug:key>/fiche/", views.sheet, name="sheet"),
    path("<slug:key>/fiche.pdf", views.sheet_pdf, name="sheet-pdf"),
    path("<slug:key>/fiche-eleve/", views.handout, name="handout"),
    path("<slug:key>/fiche-eleve.pdf", views.handout_pdf, name="handout-pdf"),
    path("<slug:key>/versions/", views.versions, name="versions"),
    # Authoring: coordinators write activities; every adult reads the history.
    path("redaction/", authoring_views.activity_list, name="authoring-list"),
    path("redaction/nouvelle/", authoring_views.choose_template, name="authoring-new"),
    path(
        "redaction/nouvelle/<str:kind>/",
        authoring_views.create,
        name="authoring-create",
    ),
    path(
        "redaction/apercu/<str:kind>/",
        authoring_views.preview,
        name="authoring-preview",
    ),
    path(
        "redaction/<slug:key>/modifier/",
        authoring_views.edit,
        name="authoring-edit",
    ),
    path("<slug:key>/historique/", authoring_views.history, name="history"),
]
