/*
 * log.h -- one line per event on stderr (the master points stderr at the
 * log file before forking):  time level pid [request-id] function: message
 *
 * The request id and route are process context set by the worker around
 * each request, so callers never repeat them.  Untrusted bytes must go
 * through escape_log() (escape.h) before they reach a format string
 * argument; log_* itself escapes the whole formatted line's control bytes
 * as a second line of defence.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void	log_init(const char *progname, enum log_level);
void	log_set_level(enum log_level);
/* Sets the per-request context (request id may be NULL to clear). */
void	log_set_request(const char *request_id);
const char *log_request_id(void);
void	log_msg(enum log_level, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Logs and exits 1; fatal() appends strerror(errno). */
void	fatal_impl(int with_errno, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));

#define log_err(...)	log_msg(LOG_ERR, __func__, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __func__, __VA_ARGS__)
#define fatal(...)	fatal_impl(1, __func__, __VA_ARGS__)
#define fatalx(...)	fatal_impl(0, __func__, __VA_ARGS__)

#endif /* LOG_H */
