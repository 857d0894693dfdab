/*
 * outcome.h -- the outcome codes every layer above the database passes up:
 * DB_OK (0), the negative database statuses of db.c and the positive
 * refusals of the domain (app/domain/).  Handlers see these without
 * including db.h: they answer a refusal with h_dom_problem() and a
 * database status with response_db_error().
 */
#ifndef OUTCOME_H
#define OUTCOME_H

enum db_status {
	DB_OK = 0,
	DB_ERROR = -1,		/* a bug or unexpected server error */
	DB_UNAVAILABLE = -2,	/* cannot connect / lost: answer 503 */
	DB_RETRY = -3,		/* deadlock, lock wait, Galera conflict */
	DB_DUPLICATE = -4,	/* unique key violated */
	DB_CONSTRAINT = -5,	/* CHECK or foreign key violated */
	DB_TIMEOUT = -6,	/* max_statement_time exceeded */
	DB_SCHEMA = -7		/* schema older than this binary */
};

/* Refusals of the domain: the handlers map them to 422, 404 and 409. */
#define DOM_INVALID	1	/* a field is wrong: err.field, err.message */
#define DOM_NOT_FOUND	2	/* err.message names what */
#define DOM_CONFLICT	3	/* state, stock or version: err.message */

#endif /* OUTCOME_H */
