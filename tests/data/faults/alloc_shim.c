/*
 * alloc_shim.c: an LD_PRELOAD allocator for the "faults" suite that makes
 * exactly one allocation fail: the Nth call of malloc, calloc or realloc
 * (counted from when the shim is loaded) returns NULL with ENOMEM when
 * $QDB_ALLOC_FAIL_AT is N.  The count lives in the process's memory, so a
 * child made by fork() goes on from where its parent was: the Nth call
 * fails in each process that gets that far.
 *
 * Reports, each appended as one line by every process as it leaves, by
 * exit() (a destructor) or by _exit() (interposed here, the way the export
 * child leaves), so a run that forks writes one line per process:
 *   $QDB_ALLOC_COUNT_FILE  "CALLS": how many N a test may try;
 *   $QDB_ALLOC_LIVE_FILE   "exit CALLS LIVE" or "_exit CALLS LIVE": the
 *                          same and the allocations not freed yet, for
 *                          leak checks.
 * Live counting follows glibc: a successful malloc, calloc or
 * realloc(NULL, n) is +1, free of a non-NULL pointer -1, realloc(p, 0)
 * frees p (-1, and is never made to fail: it allocates nothing).  The
 * aligned allocators are counted too (never made to fail), so what they
 * return balances its free.
 *
 * The memory itself comes from glibc (__libc_malloc and friends), so every
 * pointer stays glibc's and free, malloc_usable_size and memalign agree.
 * Built like the plugins (-fvisibility=hidden), so what it replaces says
 * SHIM_EXPORT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

#define SHIM_EXPORT __attribute__((visibility("default")))

static long fail_at = -1;
static long calls;
static long live;

__attribute__((constructor)) static void shim_init(void)
{
	const char *s = getenv("QDB_ALLOC_FAIL_AT");
	if (s)
		fail_at = atol(s);
}

static int fail_now(void)
{
	if (++calls == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

static void *counted(void *p)
{
	if (p)
		live++;
	return p;
}

SHIM_EXPORT void *malloc(size_t n)
{
	return fail_now() ? NULL : counted(__libc_malloc(n));
}

SHIM_EXPORT void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : counted(__libc_calloc(n, size));
}

SHIM_EXPORT void *realloc(void *p, size_t n)
{
	if (p && n == 0) {
		live--;
		return __libc_realloc(p, 0);
	}
	if (fail_now())
		return NULL;
	void *q = __libc_realloc(p, n);
	return p ? q : counted(q);
}

SHIM_EXPORT void free(void *p)
{
	if (p)
		live--;
	__libc_free(p);
}

SHIM_EXPORT void *memalign(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

SHIM_EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

SHIM_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (!align || align % sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = counted(__libc_memalign(align, n));
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

/* Appends line to the file named by $var in one write, so the lines of
 * a parent and its child do not mix. */
static void report(const char *var, const char *line, int n)
{
	const char *path = getenv(var);
	if (!path || n <= 0)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0)
		n = 0;
	close(fd);
}

static void report_all(const char *how)
{
	/* The program's numbers, taken before the report's own calls. */
	long c = calls, l = live;
	char line[64];
	report("QDB_ALLOC_COUNT_FILE", line,
	       snprintf(line, sizeof line, "%ld\n", c));
	report("QDB_ALLOC_LIVE_FILE", line,
	       snprintf(line, sizeof line, "%s %ld %ld\n", how, c, l));
}

__attribute__((destructor)) static void shim_report(void)
{
	report_all("exit");
}

/* The export child leaves by _exit, which runs no destructor: it reports
 * here, then leaves by glibc's _Exit (the same call, not interposed). */
SHIM_EXPORT void _exit(int status)
{
	report_all("_exit");
	_Exit(status);
}
