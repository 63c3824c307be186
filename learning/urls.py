from django.urls import path

from learning.views import pupil, teacher

app_name = "learning"

urlpatterns = [
    # Teachers: the library, the class plan, the results and the accommodations.
    path("bibliotheque/", teacher.library, name="library"),
    path("bibliotheque/<slug:key>/", teacher.activity_detail, name="activity-detail"),
    path("classes/<int:pk>/plan/", teacher.class_plan_page, name="class-plan"),
    path(
        "classes/<int:pk>/amenagements/",
        teacher.accommodations,
        name="accommodations",
    ),
    path(
        "attributions/<int:assignment_pk>/",
        teacher.assignment_results,
        name="assignment-results",
    ),
    path(
        "attributions/<int:assignment_pk>/fait/",
        teacher.assignment_done,
        name="assignment-done",
    ),
    path(
        "attributions/<int:assignment_pk>/deplacer/",
        teacher.assignment_move,
        name="assignment-move",
    ),
    path(
        "attributions/<int:assignment_pk>/retirer/",
        teacher.assignment_remove,
        name="assignment-remove",
    ),
    # Pupils: the players, their API and the progress page.
    path("activite/<int:assignment_pk>/", pupil.play, name="play"),
    path(
        "api/activite/<int:assignment_pk>/attempts/",
        pupil.attempts_api,
        name="attempts-api",
    ),
    path("mes-progres/", pupil.progress, name="progress"),
]
