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
 * host->write, reads options through host->option and host->option_int,
 * and reports failures through host->error.  Memory a plugin allocates, it
 * frees; memory the host lends (quotes, option values, the field table) is
 * valid for the call only, or for the export where a comment says so.
 *
 * ABI rules: the major version changes when a field changes meaning; the
 * minor version when fields are appended, to these structs or to quotedb.h's
 * qdb_quote.  The host accepts a plugin built for an older minor: it reads
 * the descriptor and each option through a zeroed copy of its own size, so
 * what the older plugin lacks is zero (an option without a type is a
 * string, a descriptor without a sort asks for none).  It refuses a plugin
 * with a different major or a newer minor, naming both versions.
 *
 * ABI 1.1 appended: typed options (qdb_plugin_option.type and what
 * follows), the descriptor's option_size and sort, and the host's sort,
 * option_int, fields and nfields.
 */
#ifndef QUOTEDB_PLUGIN_H
#define QUOTEDB_PLUGIN_H

#include <stddef.h>
#include "../quotedb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QDB_PLUGIN_ABI_MAJOR 1
#define QDB_PLUGIN_ABI_MINOR 3
#define QDB_PLUGIN_SYMBOL "qdb_plugin_descriptor"

#if defined(__GNUC__)
#define QDB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define QDB_PLUGIN_EXPORT
#endif

/*
 * The type of an option's value.  The host parses and checks every value
 * given (and every default) before begin runs, and refuses one that does
 * not fit with a message naming the option, the value and what it takes;
 * the plugin reads the result with host->option_int.
 */
typedef enum qdb_option_type {
	QDB_OPTION_STRING = 0,  /* any text (every ABI 1.0 option) */
	QDB_OPTION_BOOL,        /* 1 or 0, also yes/no, true/false, on/off */
	QDB_OPTION_ENUM,        /* one of values, exactly; option_int gives
				 * its index */
	QDB_OPTION_INT          /* a decimal integer from min to max */
} qdb_option_type;

/* One option the plugin accepts; a table ends with an entry whose name is
 * NULL. */
typedef struct qdb_plugin_option {
	const char *name;
	const char *help;
	const char *default_value;   /* what option() returns when not given */
	/* ABI 1.1 */
	qdb_option_type type;
	const char *const *values;   /* QDB_OPTION_ENUM: NULL-terminated */
	long long min, max;          /* QDB_OPTION_INT: the range allowed */
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
	/* The value of option name as given, or its default (a boolean is
	 * given back as "1" or "0"); NULL for an option not in the plugin's
	 * table, or one with no default that was not given.  Borrowed for
	 * the export. */
	const char *(*option)(const struct qdb_plugin_host *host,
			      const char *name);
	/* Records why the plugin fails; printf-style.  The host shows it. */
	void (*error)(const struct qdb_plugin_host *host, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 2, 3)))
#endif
		;
	void *host_data;   /* the host's; plugins leave it alone */
	/* ABI 1.1 */
	/* The order the quotes come in: the user's choice, else the
	 * descriptor's sort. */
	qdb_sort sort;
	/* A typed option's value, checked by the host: a boolean's 0 or 1,
	 * an enum's index in values, an integer; 0 for a string option, an
	 * unknown name or an option with no value. */
	long long (*option_int)(const struct qdb_plugin_host *host,
				const char *name);
	/* The field table of the host's quotes (qdb_fields()), so a plugin
	 * that writes every field writes the fields of the host it runs in.
	 * Borrowed for the export. */
	const qdb_field *fields;
	size_t nfields;
	/* ABI 1.2 */
	/* Walks the speakers (QDB_SPEAKER) or the outlets (QDB_OUTLET) that
	 * have aliases, by name, with the aliases one file may declare for
	 * them all: each alias names that entity wherever it holds and is no
	 * other entity's name.  cb gets the name and naliases aliases,
	 * borrowed for the call; a non-zero return stops the walk and is
	 * returned, as is a negative QDB_E* code of the host's.  May be NULL
	 * (a host that has no entities to tell of). */
	int (*entities)(const struct qdb_plugin_host *host,
			qdb_entity_kind kind,
			int (*cb)(const char *name,
				  const char *const *aliases,
				  size_t naliases, void *payload),
			void *payload);
	/* ABI 1.3 (qdb_quote gained original) */
	/* The sort key of the speaker called name (canonical), as a
	 * speakers: entry's sort_as gave it ("Khamenei, Ali"), or NULL when
	 * it has none: such a speaker sorts by its name as it is (or when
	 * the host could not look: it then fails the export itself, after
	 * end, with the reason).  Borrowed until the next call.  entities(QDB_SPEAKER) also walks the
	 * speakers that have a sort key and no aliases (naliases 0).  May
	 * be NULL. */
	const char *(*speaker_sort_as)(const struct qdb_plugin_host *host,
				       const char *name);
} qdb_plugin_host;

/*
 * The descriptor.  Required: abi_major, abi_minor, size, name, version,
 * description, extension, begin, quote, end.  options may be NULL when
 * there are none.
 *
 * begin  sets *state (may be NULL) and writes any header; the host has
 *        checked the options already, so only what their types cannot
 *        say is left to refuse (QDB_EINVALID).
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
	/* ABI 1.1 */
	size_t option_size;          /* sizeof(qdb_plugin_option) at build
				      * time: the stride of options */
	qdb_sort sort;               /* the order wanted when the user chooses
				      * none (QDB_SORT_ADDED: any) */
} qdb_plugin;

/* The one symbol every plugin exports, and its type for dlsym. */
QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void);
typedef const qdb_plugin *(*qdb_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* QUOTEDB_PLUGIN_H */
