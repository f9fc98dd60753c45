/*
 * alloc_shim.c: an LD_PRELOAD allocator for the "faults" suite that makes
 * exactly one allocation fail: the Nth call of malloc, calloc or realloc
 * (counted from when the shim is loaded) returns NULL with ENOMEM when
 * $QDB_ALLOC_FAIL_AT is N.  With $QDB_ALLOC_COUNT_FILE set it writes the
 * number of calls it saw there at exit, so a test knows how many N to try.
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
extern void __libc_free(void *p);

#define SHIM_EXPORT __attribute__((visibility("default")))

static long fail_at = -1;
static long calls;

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

SHIM_EXPORT void *malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

SHIM_EXPORT void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}

SHIM_EXPORT void *realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

SHIM_EXPORT void free(void *p)
{
	__libc_free(p);
}

__attribute__((destructor)) static void shim_report(void)
{
	const char *path = getenv("QDB_ALLOC_COUNT_FILE");
	if (!path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", calls);
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		n = 0;
	close(fd);
}
