from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("<slug:key>/fiche/", views.sheet, name="sheet"),
    path("<slug:key>/fiche.pdf", views.sheet_pdf, name="sheet-pdf"),
    path("<slug:key>/fiche-eleve/", views.handout, name="handout"),
    path("<slug:key>/fiche-eleve.pdf", views.handout_pdf, name="handout-pdf"),
    path("<slug:key>/versions/", views.versions, name="versions"),
]
