-- A read-only PostgreSQL role for CoinPilot Dashboard (recommended: the dashboard never
-- writes, and with this role it cannot, whatever happens to its code).
-- Run with psql as the database's owner, connected to the bot's database, whatever its name:
--   psql -v ON_ERROR_STOP=1 -d coinpilot -v dashboard_password="'...'" -f deploy/readonly-role.sql
-- then point the dashboard at it: DATABASE_URL=postgresql://coinpilot_dashboard:...@db:5432/coinpilot
-- The database is psql's own variable DBNAME (the one -d connected to), quoted as an identifier,
-- so the grants below and GRANT CONNECT name the same database.
CREATE ROLE coinpilot_dashboard LOGIN PASSWORD :dashboard_password;
ALTER ROLE coinpilot_dashboard SET default_transaction_read_only = on;
ALTER ROLE coinpilot_dashboard SET statement_timeout = '5s';
GRANT CONNECT ON DATABASE :"DBNAME" TO coinpilot_dashboard;
-- No temporary tables: a session can switch read-only off, and every role may create temporary
-- tables through PUBLIC, which no per-role REVOKE undoes. So PUBLIC loses TEMPORARY on this
-- database. Its owner and superusers keep it (CoinPilot's bot connects as postgres); another role
-- that needs temporary tables here gets them back with GRANT TEMPORARY ON DATABASE ... TO it.
REVOKE TEMPORARY ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO coinpilot_dashboard;
-- Every table there now: the week-6 ones and, where the bot has migrated, the v3 ones
-- (regime_history, llm_usage_events, llm_credit_snapshots, llm_provider_cost_snapshots).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO coinpilot_dashboard;
-- Tables the bot creates later (a migration run by this owner) become readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO coinpilot_dashboard;
-- Candle rollups (`coinpilot-dashboard rollups create`, TimescaleDB only) live in a schema of
-- their own: readable now and whenever they are (re)created there later. The schema is made
-- here if missing so these grants hold before the rollups exist (`rollups drop` leaves it).
CREATE SCHEMA IF NOT EXISTS coinpilot_rollups;
GRANT USAGE ON SCHEMA coinpilot_rollups TO coinpilot_dashboard;
GRANT SELECT ON ALL TABLES IN SCHEMA coinpilot_rollups TO coinpilot_dashboard;
ALTER DEFAULT PRIVILEGES IN SCHEMA coinpilot_rollups GRANT SELECT ON TABLES TO coinpilot_dashboard;
