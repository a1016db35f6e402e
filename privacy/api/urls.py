"""URLs of the data-rights API, mounted under /api/v1/."""

from django.urls import path

from privacy.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/data/", views.MyDataView.as_view(), name="my-data"),
    path("me/consents/", views.MyConsentListView.as_view(), name="my-consents"),
    path("me/consents/<slug:purpose>/", views.MyConsentView.as_view(), name="my-consent"),
]
