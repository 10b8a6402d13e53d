"""The dashboard's own store on SQLite and on PostgreSQL (a database and a role of its own, made
by deploy/store-database.sql): its migrations, its three small APIs, its refusals."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from store import DashboardStore, StoreState
from store.engine import StoreBackend, sqlite_path
from store.errors import StoreBusy, StoreIsBotDatabase, StoreNewer, StoreOutdated, StoreUnreachable
from store.migrations import MIGRATIONS
from store.tables import counter_hits, event_log, expiring_values, metadata, schema_version
from tests.support.helpers import FixedClock
from tests.support.services import PG_ADMIN_URL, free_port, unique_name
from tests.support.store_workers import prepare_then_count
from tests.support.stores import STORE_BACKENDS, new_store_url, next_release_steps
from tests.support.unprivileged import run_forked

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATEST = MIGRATIONS[-1].version


@pytest.fixture(params=[b if b == "sqlite" else pytest.param(b, marks=pytest.mark.postgres) for b in STORE_BACKENDS])
def store_url(request, tmp_path):
    return new_store_url(request.param, request, tmp_path)


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def store(store_url, clock):
    store = DashboardStore(store_url, clock=clock)
    yield store
    store.dispose()


def rows(store: DashboardStore, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def versions(store: DashboardStore) -> list[int]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(schema_version.c.version).order_by(schema_version.c.version)).scalars())


# -- migrations ---------------------------------------------------------------------------------


def test_an_empty_store_gets_the_tables_the_code_uses_at_the_newest_version(store):
    report = store.prepare()
    assert report.created and report.found is None and report.applied == tuple(range(1, LATEST + 1))
    assert versions(store) == list(range(1, LATEST + 1))
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        columns = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name: c.nullable for c in table.columns}, table.name
        primary_key = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert primary_key == [c.name for c in table.primary_key.columns], table.name
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
        assert indexes == {i.name: [c.name for c in i.columns] for i in table.indexes}, table.name


def test_a_sqlite_store_is_in_wal_mode_so_readers_never_wait_for_the_writer(tmp_path):
    store = DashboardStore(f"sqlite:///{tmp_path}/new/dashboard.sqlite3")
    store.prepare()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.dispose()


def test_preparing_a_current_store_again_changes_nothing(store):
    store.prepare()
    again = DashboardStore(store.url).prepare()
    assert not again.created and again.applied == () and again.found == LATEST
    assert versions(store) == list(range(1, LATEST + 1))


def test_start_up_leaves_an_older_store_to_store_upgrade_which_applies_the_new_step(store_url):
    DashboardStore(store_url).prepare()
    newer_code = DashboardStore(store_url, migrations=next_release_steps())
    with pytest.raises(StoreOutdated, match="store upgrade"):
        newer_code.prepare()
    with pytest.raises(StoreOutdated):
        newer_code.events.append("test.event")
    assert newer_code.status().state is StoreState.OUTDATED
    report = newer_code.upgrade()
    assert (report.found, report.now, report.applied) == (LATEST, LATEST + 1, (LATEST + 1,))
    assert "note" in {c["name"] for c in sa.inspect(newer_code.engine).get_columns("event_log")}
    assert newer_code.events.append("test.event") == 1
    newer_code.dispose()


def test_a_store_upgraded_past_this_code_refuses_its_writes_even_in_a_running_process(store, clock):
    store.prepare()
    store.events.append("test.before")
    newer_code = DashboardStore(store.url, migrations=next_release_steps())
    newer_code.upgrade()
    week_ago = T0 - timedelta(days=7)
    writes = [
        lambda: store.events.append("test.after"),
        lambda: store.events.prune(older_than=T0),
        lambda: store.counter("login.address").record("198.51.100.1", since=week_ago),
        lambda: store.counter("login.address").reset("198.51.100.1"),
        lambda: store.values("render").put("overview", 1, ttl=timedelta(seconds=5)),
        lambda: store.values("render").claim("overview", 1, ttl=timedelta(seconds=5)),
        lambda: store.values("render").delete("overview"),
    ]
    for write in writes:
        with pytest.raises(StoreNewer, match=rf"schema version {LATEST + 1}, newer than this dashboard's {LATEST}"):
            write()
    assert rows(store, event_log) == 1 and rows(store, counter_hits) == 0 and rows(store, expiring_values) == 0
    status = store.status()
    assert (status.state, status.found_version, status.supported_version) == (StoreState.NEWER, LATEST + 1, LATEST)
    with pytest.raises(StoreNewer):
        DashboardStore(store.url).prepare()
    with pytest.raises(StoreNewer):
        DashboardStore(store.url).upgrade()
    assert versions(store) == list(range(1, LATEST + 2))
    newer_code.dispose()


def test_a_url_that_reaches_the_bots_tables_is_refused_and_nothing_is_created(store):
    if store.backend is StoreBackend.SQLITE:
        sqlite_path(store.url).parent.mkdir(parents=True)
    with store.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE trading_history (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreIsBotDatabase, match="trading_history"):
        store.prepare()
    assert not sa.inspect(store.engine).has_table("schema_version")
    assert store.status().state is StoreState.BOT_DATABASE


def test_several_processes_start_on_an_empty_store_together_and_every_hit_counts_once(store_url):
    """gunicorn's workers start at once: one creates the tables, and concurrent hits of one key
    get back exactly the counts 1..N, never the same count twice."""
    context = multiprocessing.get_context("spawn")
    processes, hits = 4, 25
    barrier, results = context.Barrier(processes), context.Queue()
    children = [
        context.Process(target=prepare_then_count, args=(store_url, barrier, results, hits)) for _ in range(processes)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert [o.get("error") for o in outcomes] == [None] * processes
    assert sorted(count for o in outcomes for count in o["counts"]) == list(range(1, processes * hits + 1))
    assert sum(o["created"] for o in outcomes) == 1
    store = DashboardStore(store_url)
    assert versions(store) == list(range(1, LATEST + 1))
    assert store.counter("login.address").count("203.0.113.7", since=T0 - timedelta(days=3650)).count == 100
    store.dispose()


def _write_in_the_child(store: DashboardStore) -> tuple[bool, int]:
    had_a_pool = store._engine is not None
    return had_a_pool, store.events.append("test.child")


def test_a_forked_process_opens_connections_of_its_own(store):
    """A gunicorn worker forked after the store was used must not share its parent's connection."""
    store.prepare()
    store.events.append("test.parent")
    had_a_pool, child_event = run_forked(_write_in_the_child, store)
    assert not had_a_pool and child_event == 2
    assert store.events.append("test.parent") == 3  # the parent's own connection still works
    assert [e.kind for e in store.events.recent()] == ["test.parent", "test.child", "test.parent"]


# -- the sliding-window counter -----------------------------------------------------------------


def test_a_counter_counts_a_keys_hits_after_a_time_only(store):
    failures = store.counter("login.address")
    assert failures.record("198.51.100.1", since=T0 - timedelta(minutes=10), at=T0).count == 1
    failures.record("198.51.100.1", since=T0, at=T0 + timedelta(minutes=1))
    latest = failures.record("198.51.100.1", since=T0 - timedelta(minutes=10), at=T0 + timedelta(minutes=5))
    failures.record("198.51.100.2", since=T0, at=T0 + timedelta(minutes=5))
    store.counter("login.account").record("198.51.100.1", since=T0, at=T0 + timedelta(minutes=5))
    assert latest.count == 3 and latest.oldest == T0
    window = failures.count("198.51.100.1", since=T0 + timedelta(seconds=30))
    assert (window.count, window.oldest) == (2, T0 + timedelta(minutes=1))
    # A hit exactly at the start of the window has left it.
    assert failures.count("198.51.100.1", since=T0 + timedelta(minutes=1)).count == 1
    assert failures.count("198.51.100.9", since=T0) == type(window)(0, None)


def test_resetting_a_key_forgets_only_its_hits(store):
    failures = store.counter("login.account")
    for minute in range(3):
        failures.record("ops", since=T0, at=T0 + timedelta(minutes=minute))
    failures.record("other", since=T0, at=T0)
    assert failures.reset("ops") == 3
    assert failures.count("ops", since=T0 - timedelta(days=1)).count == 0
    assert failures.count("other", since=T0 - timedelta(days=1)).count == 1


def test_pruning_a_counter_deletes_its_old_hits_in_bounded_batches(store):
    failures, other = store.counter("login.address"), store.counter("login.account")
    for minute in range(5):
        failures.record("198.51.100.1", since=T0, at=T0 + timedelta(minutes=minute))
        other.record("ops", since=T0, at=T0 + timedelta(minutes=minute))
    for minute in (20, 21):
        failures.record("198.51.100.1", since=T0, at=T0 + timedelta(minutes=minute))
    cutoff = T0 + timedelta(minutes=10)
    first = failures.prune(older_than=cutoff, batch_size=2, max_batches=2)
    assert (first.deleted, first.complete) == (4, False)
    second = failures.prune(older_than=cutoff, batch_size=2, max_batches=2)
    assert (second.deleted, second.complete) == (1, True)
    assert failures.count("198.51.100.1", since=T0 - timedelta(days=1)).count == 2
    assert other.count("ops", since=T0 - timedelta(days=1)).count == 5


# -- expiring values ----------------------------------------------------------------------------


def test_a_value_reads_back_until_it_expires(store, clock):
    render = store.values("render")
    render.put("overview", {"version": "abc", "by": "worker-1"}, ttl=timedelta(seconds=10))
    clock.advance(9)
    entry = render.get("overview")
    assert entry.value == {"version": "abc", "by": "worker-1"}
    assert (entry.updated_at, entry.expires_at) == (T0, T0 + timedelta(seconds=10))
    clock.advance(1)
    assert render.get("overview") is None
    render.put("overview", [1, 2, "삼"], ttl=timedelta(seconds=10))
    assert render.get("overview").value == [1, 2, "삼"]
    assert store.values("other").get("overview") is None


def test_only_one_claim_of_a_key_wins_until_it_expires(store, clock):
    render = store.values("render")
    assert render.claim("overview:computing", "worker-1", ttl=timedelta(seconds=5))
    assert not render.claim("overview:computing", "worker-2", ttl=timedelta(seconds=5))
    assert render.get("overview:computing").value == "worker-1"
    clock.advance(5)
    assert render.claim("overview:computing", "worker-2", ttl=timedelta(seconds=5))
    assert render.get("overview:computing").value == "worker-2"


def test_deleting_and_pruning_values(store, clock):
    render, other = store.values("render"), store.values("other")
    for number in range(5):
        render.put(f"old-{number}", number, ttl=timedelta(seconds=1))
    render.put("fresh", 1, ttl=timedelta(hours=1))
    other.put("old", 1, ttl=timedelta(seconds=1))
    assert render.delete("old-0") and not render.delete("old-0")
    clock.advance(2)
    first = render.prune(batch_size=3, max_batches=1)
    assert (first.deleted, first.complete) == (3, False)
    assert render.prune(batch_size=3, max_batches=1) == type(first)(1, True)
    assert render.get("fresh").value == 1
    assert rows(store, expiring_values) == 2  # render's fresh one and other's (expired, not pruned by render)


def test_values_are_checked_before_they_reach_the_store(store):
    store.prepare()
    render = store.values("render")
    for bad in (float("nan"), {1, 2}, "x" * (64 * 1024 + 1)):
        with pytest.raises(ValueError):
            render.put("k", bad, ttl=timedelta(seconds=5))
    with pytest.raises(ValueError, match="ttl"):
        render.put("k", 1, ttl=timedelta(0))
    with pytest.raises(ValueError, match="naive"):
        render.put("k", 1, ttl=timedelta(seconds=5), now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="namespace"):
        store.values("Render Cache")
    assert rows(store, expiring_values) == 0


# -- the event log ------------------------------------------------------------------------------


def test_events_read_back_newest_first_with_their_payload(store, clock):
    first = store.events.append(
        "command", {"text": "/pnl", "answer": "오늘 손익 +12,000원"}, actor="tg:42", channel="telegram"
    )
    clock.advance(60)
    second = store.events.append("assistant.call", {"tokens": 812, "cost_usd": 0.0031, "ok": True}, channel="web")
    clock.advance(60)
    third = store.events.append("command", None, actor="discord:7", channel="discord")
    assert first < second < third
    latest = store.events.recent()
    assert [e.id for e in latest] == [third, second, first]
    assert latest[2].payload == {"text": "/pnl", "answer": "오늘 손익 +12,000원"}
    assert (latest[2].kind, latest[2].actor, latest[2].channel, latest[2].at) == ("command", "tg:42", "telegram", T0)
    assert latest[1].payload == {"tokens": 812, "cost_usd": 0.0031, "ok": True} and latest[0].payload is None
    assert [e.id for e in store.events.recent(kind="command")] == [third, first]
    assert [e.id for e in store.events.recent(since=T0)] == [third, second]
    assert [e.id for e in store.events.recent(limit=1)] == [third]


def test_pruning_events_by_age_and_kind_in_bounded_batches(store, clock):
    for _ in range(5):
        store.events.append("command")
        store.events.append("assistant.call")
        clock.advance(60)
    store.events.append("command")
    cutoff = T0 + timedelta(minutes=4)  # the events of minutes 0..4 are at or before it
    first = store.events.prune(older_than=cutoff, kind="command", batch_size=2, max_batches=2)
    assert (first.deleted, first.complete) == (4, False)
    assert store.events.prune(older_than=cutoff, kind="command", batch_size=2, max_batches=2).deleted == 1
    assert [e.kind for e in store.events.recent()].count("command") == 1
    assert store.events.prune(older_than=cutoff).deleted == 5
    assert rows(store, event_log) == 1


def test_events_are_checked_before_they_reach_the_log(store):
    store.prepare()
    for call in (
        lambda: store.events.append("command", ["not", "an", "object"]),
        lambda: store.events.append("Command Log"),
        lambda: store.events.append("command", {"x": float("inf")}),
        lambda: store.events.append("command", actor="x" * 201),
        lambda: store.events.recent(limit=1001),
    ):
        with pytest.raises(ValueError):
            call()
    assert rows(store, event_log) == 0


# -- health -------------------------------------------------------------------------------------


def test_a_writable_store_says_so_and_its_write_probe_leaves_no_row(store):
    status = store.status()
    assert status.state is StoreState.OK and status.found_version == LATEST
    assert status.server_version.startswith(("SQLite ", "PostgreSQL ")) and status.latency_ms >= 0
    assert rows(store, expiring_values) == 0


def test_looking_at_an_empty_sqlite_store_without_preparing_creates_nothing(tmp_path):
    store = DashboardStore(f"sqlite:///{tmp_path}/state/dashboard.sqlite3")
    assert store.status(prepare=False).state is StoreState.EMPTY
    assert not (tmp_path / "state").exists()


def test_a_writer_held_up_past_the_busy_timeout_is_told_the_store_is_busy(tmp_path):
    url = f"sqlite:///{tmp_path}/dashboard.sqlite3"
    holder, waiter = DashboardStore(url), DashboardStore(url, busy_timeout_s=0.2)
    holder.prepare()
    waiter.prepare()
    with holder.write() as conn:
        conn.execute(sa.insert(event_log).values(kind="test.hold", at=T0))
        with pytest.raises(StoreBusy, match="locked"):
            waiter.events.append("test.waiting")
    assert waiter.events.append("test.waiting") == 2
    holder.dispose()
    waiter.dispose()


def test_an_unreachable_postgresql_store_is_named_and_then_fails_fast():
    store = DashboardStore(f"postgresql+psycopg2://store:secret@127.0.0.1:{free_port()}/store", connect_timeout_s=1)
    status = store.status()
    assert status.state is StoreState.UNREACHABLE and "secret" not in status.where
    assert "Connection refused" in str(status.problem)
    connects = []
    engine = store.engine
    original = engine.connect
    engine.connect = lambda: connects.append(1) or original()
    with pytest.raises(StoreUnreachable):
        store.events.append("test.event")
    assert connects == []  # the last failure answered at once, without another connect timeout
    store.dispose()


@pytest.mark.postgres
def test_a_role_that_may_only_read_the_store_is_named_read_only(postgres, request, tmp_path):
    url = sa.engine.make_url(new_store_url("postgresql", request, tmp_path))
    owner = DashboardStore(url.render_as_string(hide_password=False))
    owner.prepare()
    owner.dispose()
    reader, password = unique_name("cp_store_reader"), unique_name("pw")
    postgres.roles.append(reader)
    admin = sa.create_engine(sa.engine.make_url(PG_ADMIN_URL).set(database=url.database), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {reader} LOGIN PASSWORD '{password}'"))
        conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{url.database}" TO {reader}'))
        conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"))
    admin.dispose()
    as_reader = DashboardStore(url.set(username=reader, password=password).render_as_string(hide_password=False))
    status = as_reader.status()
    assert status.state is StoreState.READ_ONLY and status.found_version == LATEST
    assert "permission denied" in str(status.problem)
    as_reader.dispose()
