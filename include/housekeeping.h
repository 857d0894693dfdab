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

/* 0 on success, -1 if a step failed (logged). */
int	housekeeping_run(struct arena *, const struct config *);

#endif /* HOUSEKEEPING_H */
