/*
 * failing_plugin.c: an export plugin that fails on purpose, for the
 * "faults" suite (tests/test_faults.c), which compiles it into its
 * temporary directory.  It writes a block of bytes per quote, so the
 * temporary output file holds something when it fails.
 *
 * Options:
 *   fail_after=N  the (N+1)th quote call fails (default 3; -1 never)
 *   fail_in=end   fail in end instead, after every quote was written
 *   block=N       bytes written per quote (default 65536)
 */
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

typedef struct state {
	long fail_after, seen;
	size_t block;
	int fail_in_end;
	char *buf;
} state;

static int f_begin(void **out, const qdb_plugin_host *host)
{
	state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->fail_after = atol(host->option(host, "fail_after"));
	st->block = (size_t)atol(host->option(host, "block"));
	st->fail_in_end = !strcmp(host->option(host, "fail_in"), "end");
	st->buf = malloc(st->block + 1);
	if (!st->buf) {
		free(st);
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	memset(st->buf, 'x', st->block);
	if (st->block)
		st->buf[st->block - 1] = '\n';
	if (host->write(host, "failing plugin output\n", 22) != 0) {
		free(st->buf);
		free(st);   /* end is only called after a successful begin */
		return QDB_EIO;
	}
	*out = st;
	return 0;
}

static int f_quote(void *p, const qdb_quote *q, const qdb_plugin_host *host)
{
	state *st = p;
	(void)q;
	if (!st->fail_in_end && st->fail_after >= 0 &&
	    st->seen == st->fail_after) {
		host->error(host, "failing plugin: refusing quote %ld on "
			    "purpose", st->seen + 1);
		return QDB_ERROR;
	}
	st->seen++;
	if (host->write(host, st->buf, st->block) != 0)
		return QDB_EIO;
	return 0;
}

static int f_end(void *p, int status, const qdb_plugin_host *host)
{
	state *st = p;
	int rc = 0;
	if (status == 0 && st->fail_in_end) {
		host->error(host, "failing plugin: failing in end on purpose "
			    "after %ld quotes", st->seen);
		rc = QDB_ERROR;
	}
	free(st->buf);
	free(st);
	return rc;
}

static const qdb_plugin_option f_options[] = {
	{ "fail_after", "the (N+1)th quote fails; -1 never", "3" },
	{ "fail_in", "'end' to fail in end instead", "quote" },
	{ "block", "bytes written per quote", "65536" },
	{ NULL, NULL, NULL }
};

static const qdb_plugin f_plugin = {
	QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR, sizeof(qdb_plugin),
	"failing", "1.0", "fails on purpose (tests)", "txt", f_options,
	f_begin, f_quote, f_end
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &f_plugin;
}
