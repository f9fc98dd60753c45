/*
 * main.c: the quotedb command's entry: the table of commands (with what
 * database each needs), the options that come before a command, the
 * database path, and opening and closing the database for a command.
 * Everything a command does is in its cmd_NAME.c; the library does the
 * work.
 */
#define _DEFAULT_SOURCE
#include "cli.h"
#include "quotedb/plugin.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* In the order `quotedb --help` lists them. */
static const cli_cmd *const commands[] = {
	&cli_cmd_init, &cli_cmd_import, &cli_cmd_sync, &cli_cmd_add,
	&cli_cmd_list,
	&cli_cmd_search, &cli_cmd_show, &cli_cmd_delete, &cli_cmd_sources,
	&cli_cmd_speakers,
	&cli_cmd_speaker, &cli_cmd_outlets, &cli_cmd_outlet, &cli_cmd_export,
	&cli_cmd_formats, &cli_cmd_verify, &cli_cmd_check, &cli_cmd_extract,
	&cli_cmd_render, &cli_cmd_info,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* ---- the database ---------------------------------------------------- */

static const char *db_flag;

int cli_take_db(const cli_opt *o, const char *arg)
{
	(void)o;
	db_flag = arg;
	return 0;
}

const char *cli_db_path(int create_dir)
{
	static char buf[PATH_MAX + 16];
	if (db_flag)
		return db_flag;
	const char *env = getenv("QUOTEDB_DB");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char dir[PATH_MAX];
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/quotedb", xdg);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/share/quotedb", home);
	else
		return "quotes.db";
	if (create_dir) {
		/* mkdir -p, the parents of the XDG directory included. */
		char part[PATH_MAX];
		for (char *s = dir + 1; ; s++) {
			if (*s == '/' || !*s) {
				memcpy(part, dir, (size_t)(s - dir));
				part[s - dir] = '\0';
				if (mkdir(part, 0700) != 0 && errno != EEXIST)
					break;
				if (!*s)
					break;
			}
		}
	}
	snprintf(buf, sizeof buf, "%s/quotes.db", dir);
	return buf;
}

qdb *cli_open_db(int readonly)
{
	qdb *db = NULL;
	const char *path = cli_db_path(!readonly);
	if (!strcmp(path, ":memory:")) {
		cli_msg(":memory: is a database in memory, gone when quotedb "
			"exits; give a file (./:memory: for one of that name)");
		return NULL;
	}
	if (readonly && access(path, F_OK) != 0) {
		cli_msg("%s: no database here; run 'quotedb init' or 'quotedb "
			"import' first (or give --db)", path);
		return NULL;
	}
	if (qdb_open(&db, path, readonly ? QDB_OPEN_READONLY : 0) != 0) {
		cli_msg("%s", qdb_errmsg(db));
		qdb_close(db);
		return NULL;
	}
	return db;
}

/* ---- dispatch -------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out, "Usage: quotedb [--db PATH] COMMAND [options] [args]\n"
		"Keeps direct quotations exactly as said, with who said them,\n"
		"when and where.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out, "  %-9s %s\n", "help", "help COMMAND: the same as COMMAND "
		"--help");
	fprintf(out, "\n'quotedb COMMAND --help' tells more.  The database is\n"
		"--db PATH, else $QUOTEDB_DB, else\n"
		"$XDG_DATA_HOME/quotedb/quotes.db (~/.local/share/quotedb/).\n");
}

/* Parses cmd's options, opens what it needs, runs it, closes. */
static int run(const cli_cmd *cmd, int argc, char **argv)
{
	int first;
	cli_cmd_name = cmd->name;
	int rc = cli_parse(cmd, argc, argv, &first);
	if (rc)
		return rc;
	/* Misuse is told before anything is opened or created. */
	if (cmd->check && (rc = cmd->check(argc - first, argv + first)))
		return rc;
	qdb *db = NULL;
	if ((cmd->db == CLI_DB_READ || cmd->db == CLI_DB_WRITE) &&
	    !(db = cli_open_db(cmd->db == CLI_DB_READ)))
		return 1;
	rc = cmd->run(db, argc - first, argv + first);
	qdb_close(db);
	return rc;
}

static const cli_cmd *find(const char *name)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(commands[k]->name, name))
			return commands[k];
	return NULL;
}

static int not_a_command(const char *name)
{
	const char *names[NCOMMANDS + 1];
	for (size_t k = 0; k < NCOMMANDS; k++)
		names[k] = commands[k]->name;
	names[NCOMMANDS] = "help";
	const char *best = qdb_suggest(name, names, NCOMMANDS + 1, 2);
	if (best)
		cli_msg("'%s' is not a command; did you mean '%s'?", name,
			best);
	else
		cli_msg("'%s' is not a command; see 'quotedb --help'", name);
	return CLI_MISUSE;
}

int main(int argc, char **argv)
{
	/* Past the file-size limit (ulimit -f) a write fails with EFBIG,
	 * which quotedb reports as "file too large", instead of the signal
	 * killing it without a word. */
	signal(SIGXFSZ, SIG_IGN);
	cli_is_tty = isatty(STDOUT_FILENO);
	int i = 1;
	/* Options before the command: --db, --help, --version. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--version")) {
			printf("quotedb %s (schema %d, plugin ABI %d.%d)\n",
			       qdb_version(), qdb_schema_version(),
			       QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR);
			return cli_flush();
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return cli_flush();
		}
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db_flag = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(argv[i], "--db=", 5)) {
			db_flag = argv[i] + 5;
			i++;
			continue;
		}
		cli_msg("unknown option '%s'", argv[i]);
		usage(stderr);
		return CLI_MISUSE;
	}
	if (i == argc) {
		usage(stderr);
		return CLI_MISUSE;
	}
	const char *name = argv[i];
	if (strcmp(name, "help") != 0) {
		const cli_cmd *cmd = find(name);
		return cmd ? run(cmd, argc - i, argv + i) : not_a_command(name);
	}
	if (i + 1 == argc) {
		usage(stdout);
		return cli_flush();
	}
	/* help COMMAND is COMMAND --help; help NOSUCH is misuse, told like
	 * any unknown command. */
	const cli_cmd *cmd = find(argv[i + 1]);
	if (!cmd)
		return not_a_command(argv[i + 1]);
	cli_help(cmd, stdout);
	return cli_flush();
}
