from django.urls import path

from liant.media import views

urlpatterns = [
    path("", views.library_page, name="media"),
    path("upload/", views.upload, name="media_upload"),
    path("folders/new/", views.folder_new, name="media_folder_new"),
    path("settings/", views.media_settings, name="media_settings"),
    path("<int:pk>/", views.item_page, name="media_item"),
    path("<int:pk>/delete/", views.item_delete, name="media_item_delete"),
    path("<int:pk>/file/", views.item_file, name="media_file"),
    path("<int:pk>/thumbnail/", views.item_thumbnail, name="media_thumbnail"),
    path("renditions/<int:pk>/", views.rendition_file, name="media_rendition"),
    path("signed/<str:token>/", views.signed_file, name="media_signed"),
]
