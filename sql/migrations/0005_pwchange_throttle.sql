-- Wrong current passwords on the account page are counted like failed
-- sign-ins, per user (kind 'pwchange', keyed by SHA-256 of "user:<id>"):
-- a signed-in session could otherwise guess the password without limit
-- and spend argon2 time at will.
ALTER TABLE login_throttle MODIFY kind ENUM('account','addr','pwchange')
    NOT NULL;
