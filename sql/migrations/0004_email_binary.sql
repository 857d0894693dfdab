-- Emails compare byte for byte.  An address is stored as the sign-in
-- form normalizes it (trimmed, ASCII lower case); with the table's
-- utf8mb4_unicode_ci a differently spelled one ('admÍn@...' for
-- 'admin@...') reached the same account while the sign-in throttle,
-- keyed by the typed bytes, counted it afresh.
ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4
    COLLATE utf8mb4_bin NOT NULL;
