-- A PostgreSQL database of the dashboard's own for its store (DASHBOARD_STORE_URL), owned by a
-- role of its own: never the bot's database, and not the read-only role of readonly-role.sql.
-- Run as a superuser (or a role with CREATEROLE and CREATEDB) on any server, the bot's included:
--   psql -h db -U postgres -v store_password="'...'" -f deploy/store-database.sql
-- then: DASHBOARD_STORE_URL=postgresql://coinpilot_dashboard_store:...@db:5432/coinpilot_dashboard
-- The dashboard creates its tables there at start-up (or: coinpilot-dashboard store upgrade).
CREATE ROLE coinpilot_dashboard_store LOGIN PASSWORD :store_password;
CREATE DATABASE coinpilot_dashboard OWNER coinpilot_dashboard_store;
-- Only its owner connects: not the bot's roles, not the dashboard's read-only role.
REVOKE ALL ON DATABASE coinpilot_dashboard FROM PUBLIC;
