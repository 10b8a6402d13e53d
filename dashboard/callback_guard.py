"""The guard in front of Dash's callback endpoint: a POST to /_dash-update-component that does not
match a registered callback's shape (forged ids, a browser-side callback, the wrong number of
inputs) is a 400 before Dash sees it."""

from __future__ import annotations

import json
import logging

from dash import Dash
from flask import jsonify, request

log = logging.getLogger("coinpilot.dashboard")

CALLBACK_PATH_SUFFIX = "_dash-update-component"


def install(app: Dash, prefix: str) -> None:
    callback_path = prefix + CALLBACK_PATH_SUFFIX

    @app.server.before_request
    def guard_callback_request():
        if request.path == callback_path and request.method == "POST":
            problem = callback_request_problem(app, request.get_data(cache=True))
            if problem:
                log.info("rejected a callback request: %s", problem)
                return jsonify({"error": "invalid callback request", "detail": problem}), 400
        return None


def callback_request_problem(app: Dash, raw_body: bytes) -> str | None:
    """Why a POST to /_dash-update-component does not match a registered callback, or None."""
    try:
        body = json.loads(raw_body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return "missing output"
    spec = app.callback_map.get(output)
    if spec is None:
        return "no callback has this output"
    if not spec.get("callback"):
        # A clientside callback runs in the browser: the server has no function to call.
        return "this output belongs to a browser-side callback"
    for key, expected in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(expected):
            return f"{key} do not match the callback"
        for item, declared in zip(items, expected):
            if (
                not isinstance(item, dict)
                or item.get("id") != declared["id"]
                or item.get("property") != declared["property"]
            ):
                return f"{key} do not match the callback"
    declared_outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    outputs = body.get("outputs")
    if isinstance(outputs, dict):
        outputs = [outputs]
    if not isinstance(outputs, list) or len(outputs) != len(declared_outputs):
        return "outputs do not match the callback"
    for item, declared in zip(outputs, declared_outputs):
        # An output declared with allow_duplicate travels as "property@<hash>".
        if (
            not isinstance(item, dict)
            or item.get("id") != declared.component_id
            or not isinstance(item.get("property"), str)
            or item["property"].split("@", 1)[0] != declared.component_property
        ):
            return "outputs do not match the callback"
    changed = body.get("changedPropIds", [])
    allowed_changes = {f"{d['id']}.{d['property']}" for d in spec.get("inputs", [])}
    if not isinstance(changed, list) or any(not isinstance(c, str) or c not in allowed_changes for c in changed):
        return "changedPropIds do not match the callback's inputs"
    return None
