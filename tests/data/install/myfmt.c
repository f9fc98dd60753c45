/*
 * myfmt.c: a minimal quotedb export plugin.  It writes one line per
 * quote: the id, a tab, the speaker's canonical name.
 */
#include <quotedb/plugin.h>

/* Writes n bytes through the host; says why it failed when it did. */
static int put(const qdb_plugin_host *host, const char *p, size_t n)
{
	if (host->write(host, p, n) != 0) {
		host->error(host, "cannot write the output");
		return QDB_EIO;
	}
	return 0;
}

static int myfmt_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;   /* nothing to keep between calls */
	if (host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR)
		return QDB_EABI;
	return 0;        /* no header to write */
}

static int myfmt_quote(void *state, const qdb_quote *q,
		       const qdb_plugin_host *host)
{
	int rc;
	(void)state;
	if ((rc = put(host, q->id.ptr, q->id.len)) != 0 ||
	    (rc = put(host, "\t", 1)) != 0 ||
	    (rc = put(host, q->speaker.ptr, q->speaker.len)) != 0)
		return rc;
	return put(host, "\n", 1);
}

static int myfmt_end(void *state, int status,
		     const qdb_plugin_host *host)
{
	(void)state;    /* begin allocated nothing: nothing to free */
	(void)status;   /* and there is no trailer to write */
	(void)host;
	return 0;
}

static const qdb_plugin myfmt = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "myfmt",
	.version = "1.0",
	.description = "one line per quote: id, tab, speaker",
	.extension = "txt",
	.options = NULL,
	.option_size = sizeof(qdb_plugin_option),
	.begin = myfmt_begin,
	.quote = myfmt_quote,
	.end = myfmt_end,
};

/* The one exported symbol: everything else is static or hidden. */
QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &myfmt;
}
