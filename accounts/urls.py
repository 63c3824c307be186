from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import EmailLoginForm
from accounts.views import pupil, teacher

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailLoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Pupils: class code, then name, then pictures.
    path("eleve/", pupil.pupil_start, name="pupil-start"),
    path("eleve/<str:code>/", pupil.pupil_class, name="pupil-class"),
    path(
        "eleve/<str:code>/<int:pupil_id>/",
        pupil.pupil_pictures,
        name="pupil-pictures",
    ),
    # Teachers and coordinators: the sign-in window and the cards of a class.
    path("classes/<int:pk>/connexion/", teacher.signin_class, name="signin-class"),
    path(
        "classes/<int:pk>/connexion/ouvrir/",
        teacher.signin_window_open,
        name="signin-window-open",
    ),
    path(
        "classes/<int:pk>/connexion/fermer/",
        teacher.signin_window_close,
        name="signin-window-close",
    ),
    path(
        "classes/<int:pk>/eleves/<int:pupil_id>/nouvelles-images/",
        teacher.picture_password_reset,
        name="picture-password-reset",
    ),
    path("classes/<int:pk>/cartes/", teacher.signin_cards, name="signin-cards"),
    path(
        "classes/<int:pk>/cartes.pdf", teacher.signin_cards_pdf, name="signin-cards-pdf"
    ),
]
