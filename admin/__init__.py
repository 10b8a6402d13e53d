"""What an owner of a bot's database runs on purpose, never the dashboard: the candle rollups' DDL
(admin.rollups) and the `rollups` command (admin.rollups_command)."""
