/*
 * sandbox.h -- the workers' seccomp allowlist.
 *
 * After its setup (privileges dropped, no_new_privs set, the listening
 * socket and epoll in hand), a worker installs a filter that allows only
 * the system calls serving a request needs: reading and writing its
 * sockets and the log, talking to MariaDB (AF_UNIX, AF_INET and AF_INET6
 * sockets), memory, time, randomness, signals, and opening files read-only
 * (the OpenAPI document).  Anything else -- execve, fork, ptrace, a packet
 * socket, opening a file for writing -- kills the worker with SIGSYS; the
 * master logs it.  The `seccomp` directive turns it off (no).
 */
#ifndef SANDBOX_H
#define SANDBOX_H

/* Installs the filter.  0, or -1 (logged) when it cannot. */
int	sandbox_enter(void);

#endif /* SANDBOX_H */
