from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("classes/", views.class_list, name="class-list"),
    path("classes/<int:pk>/", views.class_detail, name="class-detail"),
    path("import-onde/", views.import_onde, name="import-onde"),
    path(
        "import-onde/confirmer/",
        views.import_onde_confirm,
        name="import-onde-confirm",
    ),
]
