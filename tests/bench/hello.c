/*
 * hello.c -- the FastCGI ceiling of `make bench`: a minimal libfcgi
 * responder, forked into as many processes as backroomd has workers,
 * behind the same nginx upstream settings.  Usage: hello SOCKET NPROC
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

int
main(int argc, char *argv[])
{
	FCGX_Request	req;
	char		*end;
	long		n;
	int		fd, i;

	if (argc != 3 || (n = strtol(argv[2], &end, 10)) < 1 || n > 1024 ||
	    *end != '\0') {
		fprintf(stderr, "usage: hello SOCKET NPROC\n");
		return 2;
	}
	if (FCGX_Init() != 0 || (fd = FCGX_OpenSocket(argv[1], 511)) < 0) {
		perror("hello: socket");
		return 1;
	}
	(void)chmod(argv[1], 0666);
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < n; i++)
		if (fork() == 0)
			break;
	FCGX_InitRequest(&req, fd, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
		    "hello\n", req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
