from django.urls import path

from performance import player_views, views

app_name = "performance"

urlpatterns = [
    # Adults: open tasks in a class for a wave, form groups, follow and observe.
    path("", views.task_index, name="task-index"),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/",
        views.wave_tasks,
        name="wave-tasks",
    ),
    path(
        "vagues/<int:wave_pk>/classes/<int:class_pk>/taches/<int:task_pk>/ouvrir/",
        views.task_open,
        name="task-open",
    ),
    path("seances/<int:session_pk>/", views.session_detail, name="session-detail"),
    path("seances/<int:session_pk>/fermer/", views.session_close, name="session-close"),
    path(
        "seances/<int:session_pk>/equipes/",
        views.session_groups,
        name="session-groups",
    ),
    path(
        "equipes/<int:group_pk>/observation/",
        views.observation,
        name="observation",
    ),
    path(
        "equipes/<int:group_pk>/clore-le-tour/",
        views.group_close_round,
        name="group-close-round",
    ),
    # Pupils: today's tasks, the player and its API.
    path("eleve/", player_views.pupil_tasks, name="pupil-tasks"),
    path("seances/<int:session_pk>/jouer/", player_views.run_start, name="run-start"),
    path("parties/<int:run_pk>/", player_views.play, name="play"),
    path(
        "api/parties/<int:run_pk>/evenements/",
        player_views.events_api,
        name="events-api",
    ),
]
