"""A background task's page: its state, a progress bar that moves without reloading, and its
result or its error in words. The user may leave and come back to the same address."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stadsdel.jobs import selectors, services


def _state_for(request, task_id):
    state = selectors.task_state(str(task_id))
    if state is None:
        raise Http404
    # A user's own task (an upload) is theirs; the system's tasks (owner none) any signed-in user's.
    if state.owner_id is not None and state.owner_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied
    return state


@login_required
def task_detail(request, task_id):
    return render(request, "jobs/task_detail.html", {"task": _state_for(request, task_id)})


def task_state(request, task_id):
    """The task's state as JSON, for the progress bars that poll it. A public task's (one that
    computes for a public page: the index's sensitivity analysis) may be read by visitors too."""
    if not request.user.is_authenticated:
        state = selectors.task_state(str(task_id))
        if state is None or not state.public:
            # As login_required would, without saying whether such a task exists.
            return redirect_to_login(request.get_full_path())
    else:
        state = _state_for(request, task_id)
    response = JsonResponse(state.as_json())
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def task_retry(request, task_id):
    state = _state_for(request, task_id)
    if not state.retryable:
        raise Http404
    return redirect("jobs:task_detail", task_id=services.retry(state.id))
