from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page; anonymous visitors see the welcome page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "iota/welcome.html")
    if user.is_pupil:
        return redirect("assessment:pupil-today")
    if user.is_researcher:
        return redirect("reports:index")
    return redirect("schools:class-list")
