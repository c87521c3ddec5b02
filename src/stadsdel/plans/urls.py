from django.urls import path

from stadsdel.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/status/", views.plan_transition, name="plan_transition"),
    path("<int:pk>/revise/", views.plan_revise, name="plan_revise"),
    path("<int:plan_pk>/goals/new/", views.goal_edit, name="goal_create"),
    path("<int:plan_pk>/goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("<int:plan_pk>/smart/", views.smart_preview, name="smart_preview"),
    path("programmes/<slug:key>/", views.programme_goals, name="programme_goals"),
    path("deadlines/", views.deadline_overview, name="deadlines"),
    path("deadlines.ics", views.deadline_feed, name="deadline_feed"),
    path("<int:pk>/comments/", views.plan_comments, name="plan_comments"),
    path("<int:pk>/comments/moderate/", views.plan_moderation, name="plan_moderation"),
    path("<int:pk>/comments/open/", views.plan_comments_open, name="plan_comments_open"),
    path("<int:pk>/comments/<int:comment_pk>/decision/", views.comment_moderate, name="comment_moderate"),
    path("<int:pk>/comments/<int:comment_pk>/answer/", views.comment_answer, name="comment_answer"),
    path("participation/", views.participation_index, name="participation_index"),
    path("participation/<str:code>/", views.participation, name="participation"),
    path("participation/<str:code>/dialogues/new/", views.dialogue_create, name="dialogue_create"),
    path("dialogues/<int:pk>/", views.dialogue_detail, name="dialogue_detail"),
    path("dialogues/<int:pk>/edit/", views.dialogue_edit, name="dialogue_edit"),
]
