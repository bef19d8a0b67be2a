from django.urls import path

from liant.leads import public_views

urlpatterns = [
    path("<str:token>/", public_views.public_form, name="leads_public_form"),
    path("<str:token>/thanks/", public_views.thanks, name="leads_public_thanks"),
    path("<str:token>/embed.js", public_views.embed_script, name="leads_embed_script"),
]
