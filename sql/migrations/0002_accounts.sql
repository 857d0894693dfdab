-- 0002: accounts, sessions, API tokens, sign-in throttling and the audit
-- trail (issue 3).  Secrets are stored only as SHA-256 hex digests
-- (sessions, tokens) or argon2id encoded hashes (passwords).
CREATE TABLE IF NOT EXISTS users (
	id			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	email			VARCHAR(254) NOT NULL,
	name			VARCHAR(100) NOT NULL DEFAULT '',
	password_hash		VARCHAR(128) NOT NULL,
	role			ENUM('viewer','clerk','manager','admin') NOT NULL,
	disabled		TINYINT(1) NOT NULL DEFAULT 0,
	must_change_password	TINYINT(1) NOT NULL DEFAULT 0,
	created_at		DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at		DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	password_changed_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sessions (
	id_hash		CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
	user_id		BIGINT UNSIGNED NOT NULL,
	csrf_token	CHAR(64) CHARACTER SET ascii NOT NULL,
	created_at	DATETIME(6) NOT NULL,
	last_seen_at	DATETIME(6) NOT NULL,
	client_addr	VARCHAR(45) NOT NULL DEFAULT '',
	KEY sessions_user (user_id),
	KEY sessions_last_seen (last_seen_at),
	CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
		ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS api_tokens (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	token_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	user_id		BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(100) NOT NULL,
	scope_read	TINYINT(1) NOT NULL DEFAULT 1,
	scope_write	TINYINT(1) NOT NULL DEFAULT 0,
	created_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	expires_at	DATETIME(6) NULL,
	last_used_at	DATETIME(6) NULL,
	revoked_at	DATETIME(6) NULL,
	UNIQUE KEY api_tokens_hash (token_hash),
	KEY api_tokens_user (user_id),
	CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
	CONSTRAINT api_tokens_scope CHECK (scope_read = 1 OR scope_write = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-ins, keyed by SHA-256 of the lower-cased email (kind
-- 'account', whether or not such a user exists, so a lockout does not
-- reveal which emails are registered) or of the client address ('addr').
CREATE TABLE IF NOT EXISTS login_throttle (
	kind		ENUM('account','addr') NOT NULL,
	key_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	failures	INT UNSIGNED NOT NULL DEFAULT 0,
	window_start	DATETIME(6) NOT NULL,
	locked_until	DATETIME(6) NULL,
	PRIMARY KEY (kind, key_hash),
	KEY login_throttle_window (window_start)
) ENGINE=InnoDB;

-- The audit trail: append-only, hash-chained (see app/auditchain.c).  id
-- is assigned from audit_chain under its row lock, so ids are gapless and
-- in chain order.
CREATE TABLE IF NOT EXISTS audit_log (
	id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	at		DATETIME(6) NOT NULL,
	actor_id	BIGINT UNSIGNED NULL,
	action		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	entity		VARCHAR(64) CHARACTER SET ascii NULL,
	entity_id	VARCHAR(64) NULL,
	details		TEXT NULL,
	client_addr	VARCHAR(45) NULL,
	request_id	VARCHAR(40) CHARACTER SET ascii NULL,
	prev_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	hash		CHAR(64) CHARACTER SET ascii NOT NULL,
	KEY audit_at (at),
	KEY audit_actor (actor_id, id),
	KEY audit_action (action, id),
	KEY audit_entity (entity, entity_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The chain's head (last id and hash) and, after pruning, the hash the
-- first remaining row must link to.
CREATE TABLE IF NOT EXISTS audit_chain (
	id		TINYINT UNSIGNED NOT NULL PRIMARY KEY,
	last_id		BIGINT UNSIGNED NOT NULL,
	last_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	pruned_id	BIGINT UNSIGNED NOT NULL DEFAULT 0,
	pruned_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	CONSTRAINT audit_chain_one CHECK (id = 1)
) ENGINE=InnoDB;

INSERT IGNORE INTO audit_chain (id, last_id, last_hash, pruned_id, pruned_hash)
VALUES (1, 0, REPEAT('0', 64), 0, REPEAT('0', 64));
