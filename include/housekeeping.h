/*
 * housekeeping.h -- periodic clean-up: expired sessions, old sign-in
 * throttle rows, audit rows past audit_retention_days.  The master runs
 * it in a short-lived child every housekeeping_interval seconds;
 * `backroomd housekeeping` runs it once.
 */
#ifndef HOUSEKEEPING_H
#define HOUSEKEEPING_H

struct arena;
struct config;

/*
 * Reads audit_prune_password_file while still privileged (the master,
 * before it forks the child that drops to `user`): the password files
 * stay readable by root only.  0, or -1 (logged).
 */
int	housekeeping_secrets(const struct config *);
/* 0 on success, -1 if a step failed (logged). */
int	housekeeping_run(struct arena *, const struct config *);

#endif /* HOUSEKEEPING_H */
