/*
 * fault.h -- fault injection, only in a build made with -DBR_FAULTS
 * (`make faults`).  A normal build compiles none of it: every hook in the
 * callers sits under #ifdef BR_FAULTS.
 *
 * Per request, from a loopback client only, the header
 *
 *	X-Backroom-Fault: db=N:KIND
 *	X-Backroom-Fault: alloc=N
 *	X-Backroom-Fault: db=N:KIND,alloc=M
 *	X-Backroom-Fault: write=drop
 *	X-Backroom-Fault: db=N:KIND,rollback=KIND
 *
 * makes the N-th database statement of the request (every statement
 * db_run() executes and every START TRANSACTION, COMMIT and ROLLBACK,
 * 1-based) fail as KIND:
 *
 *	lost	 the statement runs, then the connection dies before its
 *		 answer is read (CR_SERVER_LOST: the outcome is unknown)
 *	gone	 the connection dies before the statement is sent
 *		 (CR_SERVER_GONE_ERROR: it never reached the server)
 *	deadlock ER_LOCK_DEADLOCK; inside a transaction the transaction is
 *		 rolled back, as InnoDB does
 *	timeout	 ER_STATEMENT_TIMEOUT (max_statement_time): not run
 *	error	 any other server error: not run
 *
 * and the M-th arena allocation return NULL; rollback=KIND makes the
 * request's first ROLLBACK fail as KIND (with db=N failing a statement of
 * a transaction first); write=drop closes the
 * FastCGI connection instead of writing the answer, after the request
 * ran to its end (the answer lost on the way back, as when nginx or the
 * network dies then).  The answer carries
 * X-Backroom-Fault-Fired: 1 or 0, X-Backroom-Fault-Count: db=D,alloc=A
 * (the statements and allocations the request made) and, when a database
 * fault fired, X-Backroom-Fault-At: the start of the failed statement
 * ("COMMIT", "INSERT INTO stock_movements ..."), so a test can walk
 * N = 1, 2, ... until a request runs to its end without the fault firing.
 */
#ifndef FAULT_H
#define FAULT_H

#ifdef BR_FAULTS

struct response;

enum fault_db {
	FAULT_DB_NONE = 0,
	FAULT_DB_LOST,
	FAULT_DB_GONE,
	FAULT_DB_DEADLOCK,
	FAULT_DB_TIMEOUT,
	FAULT_DB_ERROR
};

/* Arms the faults the request's CGI params ask for (or none). */
void	fault_begin(char **envp);
/* Disarms them and reports them in the response's headers. */
void	fault_end(struct response *);
/* Counts a database statement (sql: its text, for the report); the fault
 * to inject into it, if any. */
enum fault_db	fault_db_next(const char *sql);
/* Counts an arena allocation; 1 if it is to fail. */
int	fault_alloc_next(void);
/* 1 when the request's answer is to be lost (write=drop); valid until
 * the next fault_begin(). */
int	fault_drop_answer(void);

#endif /* BR_FAULTS */
#endif /* FAULT_H */
