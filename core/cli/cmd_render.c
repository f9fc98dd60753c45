/*
 * cmd_render.c: `quotedb render IN [-o OUT] [--to FORMAT] [--appendix]`,
 * a manuscript whose {{q:ID}} markers become the quotes' exact texts
 * (qdb_render does the work; see quotedb(1) for the marks and escaping).
 */
#include "cli.h"

#include <string.h>

static const char *output, *to;
static int with_appendix;

static const cli_opt opts[] = {
	{ CLI_STRING, "output", 'o', "FILE", "where to write (default: "
	  "stdout); written only when all of it rendered", &output, NULL },
	{ CLI_STRING, "to", 't', "FORMAT", "markdown (default), html or text",
	  &to, NULL },
	{ CLI_FLAG, "appendix", 0, NULL, "add the cited quotes after the "
	  "text, in order of first citation", &with_appendix, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static qdb_render_format format;

static int check(int argc, char **argv)
{
	if (argc != 1)
		return argc ? cli_misuse("unexpected argument '%s'", argv[1])
			: cli_misuse("needs a manuscript (IN, or - for "
				     "stdin)");
	if (!to || !strcmp(to, "markdown") || !strcmp(to, "md"))
		format = QDB_RENDER_MARKDOWN;
	else if (!strcmp(to, "html"))
		format = QDB_RENDER_HTML;
	else if (!strcmp(to, "text"))
		format = QDB_RENDER_TEXT;
	else
		return cli_misuse("--to takes markdown, html or text, not "
				  "'%s'", to);
	return 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)argc;
	qdb_render_options o = QDB_RENDER_OPTIONS_INIT;
	qdb_error err;
	char buf[1024];
	o.to = format;
	o.appendix = with_appendix;
	if (qdb_render(db, &o, argv[0], output, &err) != 0) {
		cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
		return 1;
	}
	return 0;
}

const cli_cmd cli_cmd_render = {
	.name = "render",
	.args = "IN",
	.summary = "put quotes into a manuscript by id",
	.description = "Copies the manuscript IN, replacing each {{q:ID}} "
		"with the quote's exact\ntext in the marks of its language "
		"and each {{q:ID|block}} with a block\nquotation and its "
		"attribution, escaped for --to.  An unknown id or an\n"
		"unclosed marker is an error naming file:line:column, and "
		"then nothing\nis written.\n",
	.db = CLI_DB_READ,
	.opts = opts,
	.check = check,
	.run = run,
};
