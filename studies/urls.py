from django.urls import path

from studies import views

app_name = "studies"
urlpatterns = [
    path("", views.study_list, name="study-list"),
    path("nouvelle/", views.study_create, name="study-create"),
    path("<int:study_pk>/", views.study_detail, name="study-detail"),
    path("<int:study_pk>/reglages/", views.study_settings, name="study-settings"),
    path("<int:study_pk>/tirage/", views.assign, name="assign"),
    path("<int:study_pk>/qualite/", views.quality, name="quality"),
    path(
        "<int:study_pk>/classes/<int:class_pk>/groupe/",
        views.class_arm,
        name="class-arm",
    ),
    path(
        "<int:study_pk>/classes/<int:class_pk>/consentement/",
        views.consent_class,
        name="consent-class",
    ),
    path(
        "<int:study_pk>/classes/<int:class_pk>/consentement/selection/",
        views.consent_bulk,
        name="consent-bulk",
    ),
    path(
        "<int:study_pk>/classes/<int:class_pk>/consentement/import/",
        views.consent_import,
        name="consent-import",
    ),
]
