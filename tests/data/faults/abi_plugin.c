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

static int a_begin(void **out, const qdb_plugin_host *host)
{
	*out = NULL;
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

static const qdb_plugin_option a_options[] = {
	{ "x", HELP, "0" },
	{ NULL, NULL, NULL }
};

static const qdb_plugin a_plugin = {
	ABI_MAJOR, ABI_MINOR, DESC_SIZE, NAME, "1.0", "ABI test plugin",
	"txt", a_options, a_begin, QUOTE, a_end
};

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
