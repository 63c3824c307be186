from django.urls import path

from assessment import player_views, report_urls, views

app_name = "assessment"

urlpatterns = [
    path("campagnes/", views.campaign_list, name="campaign-list"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign-create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/",
        views.wave_progress_page,
        name="wave-progress",
    ),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/lancer/",
        views.wave_start,
        name="wave-start",
    ),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/fermer/",
        views.wave_close,
        name="wave-close",
    ),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/rouvrir/",
        views.wave_reopen,
        name="wave-reopen",
    ),
    path("classes/<int:class_pk>/vagues/", views.class_waves, name="class-waves"),
    path("aujourdhui/", player_views.pupil_today, name="pupil-today"),
    path(
        "vagues/<int:wave_pk>/commencer/",
        player_views.response_start,
        name="response-start",
    ),
    path("questionnaire/<int:response_pk>/", player_views.player, name="player"),
    path(
        "api/questionnaire/<int:response_pk>/answers/",
        player_views.answers_api,
        name="answers-api",
    ),
]

# The score reports keep their patterns in their own module.
urlpatterns += report_urls.urlpatterns
