/*
 * sandbox.c -- the workers' seccomp allowlist (libseccomp).  See
 * sandbox.h.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* Allowed whatever their arguments. */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(close),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
	SCMP_SYS(statx),
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise),
	/* sockets: nginx's connections, MariaDB's */
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(connect),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(shutdown), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select),
	SCMP_SYS(pselect6), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl), SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup2),
	SCMP_SYS(dup3),
	/* time, identity, randomness */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(getpid), SCMP_SYS(getppid),
	SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getrandom),
	SCMP_SYS(uname), SCMP_SYS(getrusage), SCMP_SYS(sysinfo),
	/* signals, threads' bookkeeping of the C library, exit */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigsuspend),
	SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall),
	SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(rseq),
	SCMP_SYS(set_robust_list), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* Allowed with one argument pinned: (syscall, argument, mask, value). */
static const struct {
	int		 sys;
	unsigned int	 arg;
	scmp_datum_t	 mask, value;
} allowed_if[] = {
	{ SCMP_SYS(socket), 0, ~(scmp_datum_t)0, AF_UNIX },
	{ SCMP_SYS(socket), 0, ~(scmp_datum_t)0, AF_INET },
	{ SCMP_SYS(socket), 0, ~(scmp_datum_t)0, AF_INET6 },
	/* open(at) read-only: the OpenAPI document */
	{ SCMP_SYS(openat), 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	{ SCMP_SYS(open), 1, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	{ SCMP_SYS(ioctl), 1, ~(scmp_datum_t)0, FIONBIO },
	{ SCMP_SYS(ioctl), 1, ~(scmp_datum_t)0, FIONREAD },
};

int
sandbox_enter(void)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rv = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		log_err("seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0) < 0)
			goto out;
	for (i = 0; i < sizeof(allowed_if) / sizeof(allowed_if[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed_if[i].sys, 1,
		    SCMP_CMP(allowed_if[i].arg, SCMP_CMP_MASKED_EQ,
		    allowed_if[i].mask, allowed_if[i].value)) < 0)
			goto out;
	/* raise(), from abort() and the sanitizers: this process only. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_CMP(0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0)) < 0)
		goto out;
	if (seccomp_load(ctx) < 0)
		goto out;
	rv = 0;
out:
	if (rv == -1)
		log_err("cannot install the seccomp filter");
	seccomp_release(ctx);
	return rv;
}
