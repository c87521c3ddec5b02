"""Background tasks through the API: a task's state, for a client that asked for an upload to be
imported asynchronously (`Prefer: respond-async`, RFC 7240) and follows the `Location` it got."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema

from stadsdel.api.core import WRITE_AUTH, Error
from stadsdel.jobs import selectors

router = Router(tags=["tasks"])

# What a finished task's page shows of it, without its template (an import's counts and batch).
RESULT_KEYS = ("created", "updated", "unchanged", "dry_run", "batch_id", "summary", "problems", "file")


class TaskOut(Schema):
    id: str
    label: str
    status: str
    state_text: str
    percent: float
    step: str
    finished: bool
    error: str
    no_worker: bool
    result: dict


@router.get("/{task_id}", auth=WRITE_AUTH, response={200: TaskOut, 403: Error, 404: Error},
            summary="A background task's state: queued, running (with its progress), done (with its result) or "
                    "failed (with the error in words)")
def task_get(request, task_id: uuid.UUID):
    state = selectors.task_state(str(task_id))
    if state is None:
        raise Http404
    # A user's task (an upload) is theirs; the system's (no owner) any signed-in caller's.
    if state.owner_id is not None and state.owner_id != request.auth.pk and not request.auth.is_staff:
        raise PermissionDenied("The task is another user's.")
    body = state.as_json()
    return {"id": state.id, "label": state.label, "status": body["status"], "state_text": body["state_text"],
            "percent": body["percent"], "step": body["step"], "finished": body["finished"], "error": body["error"],
            "no_worker": body["no_worker"],
            "result": {k: v for k, v in state.detail.items() if k in RESULT_KEYS} if state.finished else {}}
