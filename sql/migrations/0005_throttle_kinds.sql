-- Wrong current passwords on the account page are counted like failed
-- sign-ins, per user (kind 'pwchange', keyed by SHA-256 of "user:<id>"):
-- a signed-in session could otherwise guess the password without limit
-- and spend argon2 time at will.
--
-- Sign-in locks are per account and address ('account', keyed by the
-- account and the address's /64 for IPv6), so failures from one address
-- cannot lock the owner out everywhere; 'acctall' counts an account's
-- failures from every address in a window (login_account_max_failures),
-- which bounds guessing from many addresses.
ALTER TABLE login_throttle MODIFY kind
    ENUM('account','addr','pwchange','acctall') NOT NULL;
