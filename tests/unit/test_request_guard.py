"""Malformed or forged callback requests get a 400 before Dash sees them."""

import json

import pytest

from dashboard.app import create_app
from dashboard.callback_guard import callback_request_problem
from dashboard.settings import Settings
from layouts import ids


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # Building the app opens no connection: a database that does not exist is fine here.
    path = tmp_path_factory.mktemp("guard") / "none.sqlite3"
    return create_app(Settings(database_url=f"sqlite:///{path}", redis_url="redis://127.0.0.1:1/0", n8n_url=None))


def valid_body(app, output):
    spec = app.callback_map[output]
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    return {
        "output": output,
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs],
        "inputs": [dict(i, value=None) for i in spec["inputs"]],
        "state": [dict(s, value=None) for s in spec["state"]],
        "changedPropIds": [],
    }


def test_every_server_side_callback_accepts_its_own_shape(app):
    server_side = [output for output, spec in app.callback_map.items() if spec.get("callback")]
    assert server_side
    for output in server_side:
        assert callback_request_problem(app, json.dumps(valid_body(app, output)).encode()) is None, output


def test_a_browser_side_callback_is_refused_even_in_its_own_shape(app):
    browser_side = [output for output, spec in app.callback_map.items() if not spec.get("callback")]
    assert browser_side
    for output in browser_side:
        problem = callback_request_problem(app, json.dumps(valid_body(app, output)).encode())
        assert problem == "this output belongs to a browser-side callback", output


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda b: "not json at all", "not JSON"),
        (lambda b: [b], "not a JSON object"),
        (lambda b: dict(b, output="nope.children"), "no callback"),
        (lambda b: dict(b, inputs=b["inputs"][:-1]), "inputs"),
        (lambda b: dict(b, inputs=[dict(i, id="evil") for i in b["inputs"]]), "inputs"),
        (lambda b: dict(b, state=[{"id": 1}]), "state"),
        (lambda b: dict(b, outputs=[]), "outputs"),
        (lambda b: dict(b, changedPropIds=["x.y"]), "changedPropIds"),
    ],
)
def test_a_request_that_does_not_match_its_callback_is_refused(app, mutate, reason):
    output = next(k for k in app.callback_map if k.startswith(f"..{ids.MARKET_CHART}.figure"))
    body = mutate(valid_body(app, output))
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    assert reason in callback_request_problem(app, raw)


def test_the_server_answers_400_not_500(app):
    client = app.server.test_client()
    response = client.post("/_dash-update-component", json={"output": "..x.y..", "inputs": "junk"})
    assert response.status_code == 400
    assert b"Traceback" not in response.data
