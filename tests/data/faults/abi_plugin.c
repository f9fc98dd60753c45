/*
 * abi_plugin.c: one export plugin, built in variants that break one rule
 * each of the plugin ABI (quotedb/plugin.h), for the "faults" suite:
 *
 *   (none)             a valid plugin: the control
 *   -DNO_SYMBOL        exports another symbol, not qdb_plugin_descriptor
 *   -DRETURN_NULL      qdb_plugin_descriptor() returns NULL
 *   -DABI_MAJOR=2      another major version
 *   -DABI_MINOR=N      a minor version, e.g. newer than the host's
 *   -DSHORT_SIZE       a descriptor size that stops before end
 *   -DNULL_NAME        name is NULL
 *   -DNULL_QUOTE       the quote callback is NULL
 *   -DNO_HELP          an option without help text
 *   -DABI_1_0          a plugin as ABI 1.0 built it: its own copies of
 *                      the 1.0 descriptor and option layouts, smaller
 *                      than this header's; it writes its options' values
 *                      first, so a test sees that they are read right
 */
#include <stddef.h>

#include "quotedb/plugin.h"

#ifndef ABI_MAJOR
#define ABI_MAJOR QDB_PLUGIN_ABI_MAJOR
#endif
#ifndef ABI_MINOR
#define ABI_MINOR QDB_PLUGIN_ABI_MINOR
#endif
#ifdef SHORT_SIZE
#define DESC_SIZE offsetof(qdb_plugin, end)
#else
#define DESC_SIZE sizeof(qdb_plugin)
#endif
#ifdef NULL_NAME
#define NAME NULL
#else
#define NAME "abi"
#endif
#ifdef NULL_QUOTE
#define QUOTE NULL
#else
#define QUOTE a_quote
#endif
#ifdef NO_HELP
#define HELP NULL
#else
#define HELP "a test option"
#endif

#include <string.h>

static int a_begin(void **out, const qdb_plugin_host *host)
{
	*out = NULL;
#ifdef ABI_1_0
	/* The host's struct is larger than 1.0's; the 1.0 part is all this
	 * plugin reads. */
	static const char *const names[] = { "x", "y", "z" };
	for (int i = 0; i < 3; i++) {
		const char *v = host->option(host, names[i]);
		if (host->write(host, names[i], 1) || host->write(host, "=", 1) ||
		    host->write(host, v ? v : "(null)", strlen(v ? v : "(null)"))
		    || host->write(host, "\n", 1))
			return QDB_EIO;
	}
#endif
	return host->write(host, "abi\n", 4) ? QDB_EIO : 0;
}

#ifndef NULL_QUOTE
static int a_quote(void *p, const qdb_quote *q, const qdb_plugin_host *host)
{
	(void)p;
	return host->write(host, q->text.ptr, q->text.len) ||
	       host->write(host, "\n", 1) ? QDB_EIO : 0;
}
#endif

static int a_end(void *p, int status, const qdb_plugin_host *host)
{
	(void)p;
	(void)status;
	(void)host;
	return 0;
}

#ifdef ABI_1_0
/* The layouts of quotedb/plugin.h at ABI 1.0, written out. */
typedef struct option_1_0 {
	const char *name, *help, *default_value;
} option_1_0;
typedef struct plugin_1_0 {
	int abi_major, abi_minor;
	size_t size;
	const char *name, *version, *description, *extension;
	const option_1_0 *options;
	int (*begin)(void **state, const qdb_plugin_host *host);
	int (*quote)(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host);
	int (*end)(void *state, int status, const qdb_plugin_host *host);
} plugin_1_0;

static const option_1_0 a_options[] = {
	{ "x", HELP, "0" },
	{ "y", "another", "why" },
	{ "z", "a third, no default", NULL },
	{ NULL, NULL, NULL }
};

static const plugin_1_0 a_plugin_1_0 = {
	ABI_MAJOR, 0, sizeof(plugin_1_0), NAME, "1.0", "ABI 1.0 test plugin",
	"txt", a_options, a_begin, QUOTE, a_end
};
#define a_plugin (*(const qdb_plugin *)(const void *)&a_plugin_1_0)
#else
static const qdb_plugin_option a_options[] = {
	{ "x", HELP, "0" },
	{ NULL, NULL, NULL }
};

static const qdb_plugin a_plugin = {
	ABI_MAJOR, ABI_MINOR, DESC_SIZE, NAME, "1.0", "ABI test plugin",
	"txt", a_options, a_begin, QUOTE, a_end
};
#endif

#ifdef NO_SYMBOL
QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor_v2(void)
#else
QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
#endif
{
#ifdef RETURN_NULL
	(void)a_plugin;
	return NULL;
#else
	return &a_plugin;
#endif
}
