"""Forged POSTs to /_dash-update-component: every one gets a 4xx or a handled "invalid input"
answer, never a 500 or a traceback, and no query ever runs with a raw value from the request."""

from __future__ import annotations

import collections
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app import create_app
from dashboard.extensions import services_of
from data.market import CANDLE_WIDTHS
from data.orders import SIDES, STATUSES
from data.symbols import alternate_symbol
from layouts import ids
from tests.support.helpers import make_settings
from tests.support.live import ARTIFACTS

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SQL_METACHARACTERS = [
    "KRW-BTC'; DROP TABLE market_data; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "KRW-BTC\x00",
    "%(width)s",
    ":symbol",
    "15m' UNION SELECT * FROM account_state --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "KRW-ETH",
    "15m",
    "BUY",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60)
    | st.text(min_size=5000, max_size=20000, alphabet="ab'%;-")
    | st.sampled_from(SQL_METACHARACTERS)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def forged(seeded_pg_url, redis_db):
    app = create_app(make_settings(seeded_pg_url, redis_db))
    services = services_of(app.server)
    with services.database.connect() as conn:
        symbols = services.symbols(conn)
        audit_types = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT violation_type FROM risk_audit"))]
    # Every string a query may legitimately bind: anything else came from the request.
    allowed = set(symbols) | {alternate_symbol(s) for s in symbols} | set(audit_types) | set(SIDES) | set(STATUSES)
    allowed |= {"1m"} | {f"{int(d.total_seconds())} seconds" for d in CANDLE_WIDTHS.values()}
    bound_strings: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "pg_catalog" in statement:
            return  # schema detection binds the declared table names, never a request value
        rows = parameters if isinstance(parameters, (list, tuple)) else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else (row if isinstance(row, (list, tuple)) else [row])
            bound_strings.extend(v for v in values if isinstance(v, str))

    sa.event.listen(services.database.engine, "before_cursor_execute", record)
    callbacks = {key: spec for key, spec in app.callback_map.items() if spec.get("callback")}
    yield app, callbacks, allowed, bound_strings
    services.database.dispose()


def body_for(spec: dict, output: str, values: list, changed: list[str]) -> dict:
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    inputs = [dict(item, value=values[i % len(values)] if values else None) for i, item in enumerate(spec["inputs"])]
    state = [
        dict(item, value=values[(len(spec["inputs"]) + i) % len(values)] if values else None)
        for i, item in enumerate(spec["state"])
    ]
    return {
        "output": output,
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs]
        if len(outputs) > 1
        else {"id": outputs[0].component_id, "property": outputs[0].component_property},
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }


MUTATIONS = st.sampled_from(
    [
        "none",
        "none",
        "none",
        "none",
        "unknown id",
        "unknown output",
        "drop inputs",
        "extra input",
        "not an object",
        "inputs not a list",
    ]
)
OUTCOMES: collections.Counter = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def fuzz_outcomes_report():
    """How the forged requests were answered, written to artifacts/ for the closing note."""
    yield
    if OUTCOMES:
        summary = {
            f"{'well-formed' if ok else 'malformed'} -> {status}": n for (ok, status), n in sorted(OUTCOMES.items())
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "fuzz.json").write_text(
            json.dumps({"requests": sum(OUTCOMES.values()), "outcomes": summary}, indent=1)
        )


@settings(
    max_examples=1100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_forged_callback_requests_are_refused_or_handled(forged, data):
    app, callbacks, allowed, bound_strings = forged
    output = data.draw(st.sampled_from(sorted(callbacks)))
    spec = callbacks[output]
    values = data.draw(st.lists(VALUES, min_size=1, max_size=8))
    changed = [f"{i['id']}.{i['property']}" for i in spec["inputs"]][:1]
    body = body_for(spec, output, values, changed)
    mutation = data.draw(MUTATIONS)
    if mutation == "unknown id":
        body["inputs"] = [dict(i, id="no-such-component") for i in body["inputs"]]
    elif mutation == "unknown output":
        body["output"] = "no-such-component.children"
    elif mutation == "drop inputs":
        body.pop("inputs")
    elif mutation == "extra input":
        body["inputs"] = body["inputs"] + [{"id": ids.MARKET_SYMBOL, "property": "value", "value": "x"}]
    elif mutation == "not an object":
        body = [body]
    elif mutation == "inputs not a list":
        body["inputs"] = "inputs"
    bound_strings.clear()
    response = app.server.test_client().post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    OUTCOMES[(mutation == "none", response.status_code)] += 1
    # A request shaped like its callback reaches it (which answers or declines to update);
    # one that is not is refused by the guard before Dash sees it.
    expected = (200, 204) if mutation == "none" else (400,)
    assert response.status_code in expected, (response.status_code, mutation, output, body)
    assert b"Traceback" not in response.data and b'File "' not in response.data
    if response.status_code == 200:
        json.loads(response.data)
    raw = set(bound_strings) - allowed
    assert not raw, f"a query bound a value from the request: {sorted(raw)[:3]}"


def test_a_forged_call_of_a_browser_side_callback_is_a_400(forged):
    app, _callbacks, _allowed, _bound = forged
    browser_side = {key: spec for key, spec in app.callback_map.items() if not spec.get("callback")}
    assert browser_side, "the app has no clientside callback to forge"
    client = app.server.test_client()
    for output, spec in browser_side.items():
        changed = [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"] if spec["inputs"] else []
        response = client.post("/_dash-update-component", json=body_for(spec, output, [1], changed))
        assert response.status_code == 400, (output, response.status_code)
        assert b"Traceback" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/no_such_package/x.js",
        "/_dash-component-suites/dash/no-such-file.js",
        "/_dash-component-suites/dash/deps/nope.v4_4_1m1.js",
        "/_dash-component-suites/dash/../../setup.py",
    ],
)
def test_an_unknown_component_bundle_path_is_a_404(forged, path):
    app = forged[0]
    response = app.server.test_client().get(path)
    assert response.status_code == 404 and b"Traceback" not in response.data
