/*
 * cli.h: what the files of the quotedb command share.
 *
 * The command is laid out as libgit2's src/cli and git's builtin/ are: a
 * dispatch table in main.c, one cmd_NAME.c per command, option parsing and
 * help in options.c, output writers in output.c and listing.c.  Each
 * command declares its options once, in a table of cli_opt: the parser
 * and --help read the same table, so they cannot disagree.  main.c opens
 * the database a command's flags ask for and closes it after, so no
 * command does either.
 *
 * Exit status: 0 success, 1 failure, 2 misuse.  Data goes to stdout,
 * messages to stderr.
 */
#ifndef QDB_CLI_H
#define QDB_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "quotedb.h"

#define CLI_MISUSE 2

/* ---- options (options.c) -------------------------------------------- */

typedef enum cli_opt_type {
	CLI_FLAG,     /* no value: sets *(int *)value to 1 */
	CLI_STRING,   /* a value: *(const char **)value, the last one wins */
	CLI_LIST,     /* a value each time: appended to *(cli_list *)value */
	CLI_FUNC      /* a value handed to take(opt, arg) */
} cli_opt_type;

/* A repeatable option's values (argv's strings, borrowed). */
#define CLI_LIST_MAX 64
typedef struct cli_list {
	const char *v[CLI_LIST_MAX + 1];   /* NULL after the last */
	size_t n;
	const char *too_many;   /* the misuse message past CLI_LIST_MAX */
} cli_list;

typedef struct cli_opt {
	cli_opt_type type;
	const char *name;        /* the long name, without "--" */
	char alias;              /* a one-letter name, or 0 */
	const char *value_name;  /* "FILE" in --help; NULL for a flag */
	const char *help;
	void *value;
	/* CLI_FUNC: takes arg; 0, or CLI_MISUSE after cli_misuse(). */
	int (*take)(const struct cli_opt *o, const char *arg);
} cli_opt;

/* What a command needs opened before it runs. */
typedef enum cli_db_need {
	CLI_NO_DB,       /* none (a --db option is still accepted) */
	CLI_DB_READ,     /* an existing database, read-only */
	CLI_DB_WRITE,    /* the database, created when missing */
	CLI_DB_OWN       /* the command opens it itself, when it needs it */
} cli_db_need;

typedef struct cli_cmd {
	const char *name;
	const char *args;         /* after [options] in the usage line */
	const char *summary;      /* one line in `quotedb --help` */
	const char *description;  /* the paragraph of `COMMAND --help` */
	cli_db_need db;
	int filters;              /* takes the filter options of options.c */
	const cli_opt *opts;      /* its own options, ended by a NULL name */
	/* Or, for options built at run time (add's, from the field
	 * table): the table, made on the first call. */
	const cli_opt *(*opts_fn)(void);
	/* Checks the positional arguments (and what the options left to
	 * check) before anything is opened: 0, or CLI_MISUSE after
	 * cli_misuse().  May be NULL. */
	int (*check)(int argc, char **argv);
	/* Runs with the positional arguments left after the options; db is
	 * open as db asks (NULL for CLI_NO_DB and CLI_DB_OWN).  Returns the
	 * exit status. */
	int (*run)(qdb *db, int argc, char **argv);
} cli_cmd;

/*
 * Parses argv (argv[0] is the command's name) against cmd's options and,
 * when cmd->filters, the filter options; --help prints the help and
 * exits 0.  Returns 0 and sets *first to the index of the first
 * positional argument, or CLI_MISUSE after a message.
 */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, int *first);

/* `COMMAND --help`, generated from cmd's table. */
void cli_help(const cli_cmd *cmd, FILE *out);

/* The filter the filter options built (cli_parse fills it). */
qdb_filter *cli_filter(void);
/* The filters given, as typed ("--speaker 'Kirby' --from '2023'"),
 * into buf; the length, 0 when there are none. */
size_t cli_filter_text(char *buf, size_t size);
/* Whether --sort was given. */
int cli_sort_chosen(void);

/* Takes --db PATH: the database for this run. */
int cli_take_db(const cli_opt *o, const char *arg);

/* ---- the database (main.c) ------------------------------------------ */

/* --db, then $QUOTEDB_DB, then the XDG data directory's quotes.db;
 * create_dir makes the XDG directory when it is the one used. */
const char *cli_db_path(int create_dir);

/* Opens the database (read-only: it must exist); NULL after a message. */
qdb *cli_open_db(int readonly);

/* ---- output (output.c) ---------------------------------------------- */

/* The command running, for messages ("quotedb: list: ..."). */
extern const char *cli_cmd_name;
/* Whether stdout is a terminal. */
extern int cli_is_tty;

/* "quotedb: CMD: message" on stderr. */
void cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, then "Try 'quotedb CMD --help'."; returns CLI_MISUSE. */
int cli_misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether colours and bold are wanted: a terminal, and no NO_COLOR. */
int cli_use_color(void);
/* The terminal's width (COLUMNS, then the tty), at least 21; 100 when
 * stdout is no terminal. */
size_t cli_term_width(void);

/* s[0, n) in width columns at most, cut with "…", padded to width when
 * pad is set; line breaks and tabs show as spaces; STX/ETX (a search
 * snippet's marks) turn bold on and off when colours are wanted. */
void cli_put_cell(const char *s, size_t n, size_t width, int pad);
/* s[0, n) to out with invalid UTF-8, C0 and C1 controls, DEL and the
 * bidirectional embeddings, overrides and isolates escaped (\xHH,
 * \u{HHHH}), save the ASCII controls listed in keep ("\n\t"). */
void cli_put_escaped(FILE *out, const char *s, size_t n, const char *keep);
/* The columns s[0, n) takes in a cell (as cli_put_cell shows it). */
size_t cli_cell_width(const char *s, size_t n);
/* s[0, n) for a tab-separated line: \\ \t \n \r escaped, other
 * controls and invalid UTF-8 as \xHH. */
void cli_put_tsv(const char *s, size_t n);
/* A JSON string, or null when s is absent. */
void cli_put_json_str(qdb_str s);
/* The same for a C string (NULL: null). */
void cli_put_json_cstr(const char *s);

/* Progress of long imports and exports on a terminal's stderr. */
void cli_progress_on(qdb *db, const char *verb);
void cli_progress_off(void);

/* The speaker guard's warnings on stderr; strict makes them errors. */
void cli_warnings_on(qdb *db, int strict);

/* Flushes stdout; 1 after a message when a write failed, else 0. */
int cli_flush(void);

/* ---- the quote listing (listing.c) ---------------------------------- */

/* The quotes f selects: a table on a terminal, TSV when piped, a JSON
 * array with json; the exit status. */
int cli_list_quotes(qdb *db, const qdb_filter *f, int json);

/* One quote as a JSON object (every field of the table), with the
 * search snippet when there is one. */
void cli_json_quote(const qdb_quote *q, const char *snippet);

/* ---- the commands (cmd_*.c) ----------------------------------------- */

extern const cli_cmd cli_cmd_init, cli_cmd_import, cli_cmd_sync, cli_cmd_add,
	cli_cmd_list, cli_cmd_search, cli_cmd_show, cli_cmd_delete,
	cli_cmd_sources,
	cli_cmd_speakers, cli_cmd_speaker, cli_cmd_outlets, cli_cmd_outlet,
	cli_cmd_export, cli_cmd_formats, cli_cmd_verify, cli_cmd_check,
	cli_cmd_extract, cli_cmd_render, cli_cmd_info;

#endif
