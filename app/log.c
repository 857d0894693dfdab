/*
 * log.c -- single-line log records on stderr.
 *
 * The master dup2()s the log file onto stderr before forking, so every
 * process writes whole lines with one write(2) (O_APPEND keeps them from
 * interleaving).  Control bytes in the formatted message are escaped here
 * as a last line of defence against log forging.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "backroomd";
static enum log_level	 log_level = LOG_INFO;
static char		 log_reqid[72];

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_request(const char *id)
{
	size_t	i;

	if (id == NULL) {
		log_reqid[0] = '\0';
		return;
	}
	/* Request ids are nginx's hex $request_id; keep only safe bytes. */
	for (i = 0; i < sizeof(log_reqid) - 1 && id[i] != '\0'; i++) {
		char c = id[i];
		log_reqid[i] = ((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c == '_') ? c : '_';
	}
	log_reqid[i] = '\0';
}

const char *
log_request_id(void)
{
	return log_reqid;
}

static void
log_write(enum log_level level, const char *func, const char *msg)
{
	char		 line[2048], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	size_t		 n, i;
	int		 w;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	w = snprintf(line, sizeof(line), "%s.%03ldZ %s %s[%ld] [%s] %s: ",
	    ts, now.tv_nsec / 1000000, log_names[level], log_prog,
	    (long)getpid(), log_reqid[0] ? log_reqid : "-", func);
	if (w < 0 || (size_t)w >= sizeof(line))
		return;
	n = (size_t)w;
	for (i = 0; msg[i] != '\0' && n < sizeof(line) - 6; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "\\x%02x", c);
		} else
			line[n++] = (char)c;
	}
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) == -1)
		return;	/* nowhere left to report it */
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	char	msg[1536];
	va_list	ap;
	int	saved = errno;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(level, func, msg);
	errno = saved;
}

void
fatal_impl(int with_errno, const char *func, const char *fmt, ...)
{
	char	msg[1536];
	va_list	ap;
	int	saved = errno;
	size_t	n;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (with_errno) {
		n = strlen(msg);
		(void)snprintf(msg + n, sizeof(msg) - n, ": %s",
		    strerror(saved));
	}
	log_write(LOG_ERR, func, msg);
	exit(1);
}
