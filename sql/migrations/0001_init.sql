-- 0001: the base schema of the foundation: nothing but a table recording
-- the server's own start-up checks.  Later migrations add the domain.
CREATE TABLE IF NOT EXISTS app_settings (
	name		VARCHAR(64) NOT NULL PRIMARY KEY,
	value		VARCHAR(255) NOT NULL,
	updated_at	TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
			ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO app_settings (name, value) VALUES ('instance_name', 'Backroom');
