-- Read-your-writes with replicas: a session or API token remembers the
-- GTID of the last transaction it committed (@@last_gtid on the primary's
-- connection), and a read sent to a replica first waits for it
-- (MASTER_GTID_WAIT), or goes to the primary.  NULL: nothing written yet,
-- or no replicas configured.
ALTER TABLE sessions ADD COLUMN last_gtid VARCHAR(64) CHARACTER SET ascii
    NULL;
ALTER TABLE api_tokens ADD COLUMN last_gtid VARCHAR(64) CHARACTER SET ascii
    NULL;
