/*
 * runx.c: runs one command and reports its wall time and peak resident
 * memory from wait4()'s rusage, so the benchmark times processes without
 * the shell's start-up and reads RSS the way /usr/bin/time -f %M does.
 *
 * Usage: runx [-o FILE] CMD [ARGS...]
 *   -o FILE  the command's standard output goes to FILE
 * Prints "runx: wall=S user=S sys=S maxrss_kib=K status=N" on stderr and
 * exits with the command's status.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* wait4 is BSD/GNU, not POSIX: declared here rather than pulling in
 * _DEFAULT_SOURCE for one prototype. */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);

int main(int argc, char **argv)
{
	int i = 1;
	const char *out = NULL;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: runx [-o FILE] CMD [ARGS...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		if (out) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, 1) < 0) {
				perror(out);
				_exit(127);
			}
			close(fd);
		}
		execvp(argv[i], argv + i);
		perror(argv[i]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int code = WIFEXITED(status) ? WEXITSTATUS(status)
		: 128 + WTERMSIG(status);
	fprintf(stderr, "runx: wall=%.6f user=%.6f sys=%.6f maxrss_kib=%ld "
		"status=%d\n", wall,
		(double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		ru.ru_maxrss, code);
	return code;
}
