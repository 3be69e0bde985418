from django.urls import path

from collis.public import views

app_name = "public"

urlpatterns = [
    path("information/", views.page_list, name="page_list"),
    path("information/<slug:slug>/", views.page_detail, name="page_detail"),
    path("search/", views.search, name="search"),
    path("stories/", views.story_list, name="story_list"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:pk>/photograph/", views.story_photo, name="story_photo"),
    path("content/", views.content_list, name="content_list"),
    path("content/pages/<slug:slug>/", views.content_page, name="content_page"),
    path("content/pages/<slug:slug>/edit/", views.content_page_edit, name="content_page_edit"),
    path("content/pages/<slug:slug>/versions/<int:number>/", views.content_version,
         name="content_version"),
    path("content/stories/new/", views.story_create, name="story_create"),
    path("content/stories/<int:pk>/", views.story_record, name="story_record"),
]
