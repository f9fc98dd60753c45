/*
 * quotedb/plugin.h: everything an export plugin author needs.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * qdb_plugin_descriptor (QDB_PLUGIN_SYMBOL), a function returning a const
 * descriptor.  The host checks the descriptor's ABI version and size, then
 * streams quotes through three callbacks: begin, one quote call per quote,
 * and end.  After a successful begin the host always calls end, also when
 * the export fails, so the plugin can free what begin allocated.
 *
 * A plugin sees neither the database nor a FILE *: it writes through
 * host->write, reads options through host->option and reports failures
 * through host->error.  Memory a plugin allocates, it frees; memory the host
 * lends (quotes, option values) is valid for the call only.
 *
 * One option name is the host's too: when a plugin declares an option
 * "order", its value (date, speaker, outlet or added) is the order in which
 * the host hands over the quotes, unless the user chose a sort.
 *
 * ABI rules: the major version changes when a field changes meaning; the
 * minor version when fields are appended.  The host refuses a plugin with a
 * different major, a newer minor or a descriptor shorter than it expects.
 */
#ifndef QUOTEDB_PLUGIN_H
#define QUOTEDB_PLUGIN_H

#include <stddef.h>
#include "../quotedb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QDB_PLUGIN_ABI_MAJOR 1
#define QDB_PLUGIN_ABI_MINOR 0
#define QDB_PLUGIN_SYMBOL "qdb_plugin_descriptor"

#if defined(__GNUC__)
#define QDB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define QDB_PLUGIN_EXPORT
#endif

/* One option the plugin accepts; a table ends with a {NULL} entry. */
typedef struct qdb_plugin_option {
	const char *name;
	const char *help;
	const char *default_value;   /* what option() returns when not given */
} qdb_plugin_option;

/*
 * What the host lends the plugin for one export.  Versioned like the
 * descriptor: check size before using a field appended later.
 */
typedef struct qdb_plugin_host {
	size_t size;
	int abi_major;
	int abi_minor;
	/* Writes len bytes of output; returns 0 or non-zero on failure, after
	 * which the plugin should return QDB_EIO from its callback. */
	int (*write)(const struct qdb_plugin_host *host, const void *buf,
		     size_t len);
	/* The value of option name as given, or its default; NULL for an
	 * option not in the plugin's table.  Borrowed for the export. */
	const char *(*option)(const struct qdb_plugin_host *host,
			      const char *name);
	/* Records why the plugin fails; printf-style.  The host shows it. */
	void (*error)(const struct qdb_plugin_host *host, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 2, 3)))
#endif
		;
	void *host_data;   /* the host's; plugins leave it alone */
} qdb_plugin_host;

/*
 * The descriptor.  Required: abi_major, abi_minor, size, name, description,
 * extension, begin, quote, end.  options may be NULL when there are none.
 *
 * begin  sets *state (may be NULL) and writes any header; it also checks
 *        option values and refuses ones it cannot use (QDB_EINVALID).
 * quote  writes one quote; q is borrowed for the call.
 * end    writes any trailer when status is 0 and always frees state;
 *        status is the export's result so far (0 or a QDB_E* code).
 * Each returns 0 or a negative QDB_E* code after calling host->error.
 */
typedef struct qdb_plugin {
	int abi_major;
	int abi_minor;
	size_t size;                 /* sizeof(qdb_plugin) at build time */
	const char *name;            /* "csv" */
	const char *version;         /* the plugin's own version, "1.0" */
	const char *description;     /* one line */
	const char *extension;       /* "csv", without the dot */
	const qdb_plugin_option *options;
	int (*begin)(void **state, const qdb_plugin_host *host);
	int (*quote)(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host);
	int (*end)(void *state, int status, const qdb_plugin_host *host);
} qdb_plugin;

/* The one symbol every plugin exports, and its type for dlsym. */
QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void);
typedef const qdb_plugin *(*qdb_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* QUOTEDB_PLUGIN_H */
