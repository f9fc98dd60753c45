/*
 * cmd_formats.c: `quotedb formats`, the export plugins found along the
 * search path: name, version, extension, description, file, and each
 * option with its type and default.
 */
#include "cli.h"
#include "quotedb/plugin.h"

/* What an option takes, for the listing: "1|0", "a|b|c", "N". */
static void put_takes(const qdb_plugin_option *o)
{
	switch (o->type) {
	case QDB_OPTION_BOOL:
		fputs("1|0", stdout);
		break;
	case QDB_OPTION_ENUM:
		for (int i = 0; o->values[i]; i++)
			printf("%s%s", i ? "|" : "", o->values[i]);
		break;
	case QDB_OPTION_INT:
		printf("%lld..%lld", o->min, o->max);
		break;
	default:
		fputs("TEXT", stdout);
	}
}

static int print_format(const char *path, void *payload)
{
	(void)payload;
	qdb_plugin_handle *p;
	qdb_error err;
	if (qdb_plugin_load(&p, path, &err) != 0) {
		char buf[1024];
		printf("%s: refused: %s\n", path,
		       qdb_error_format(&err, buf, sizeof buf));
		return 0;
	}
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	printf("%-8s %-6s .%-5s %s\n", d->name, d->version, d->extension,
	       d->description);
	printf("         %s\n", path);
	for (const qdb_plugin_option *o = d->options; o && o->name; o++) {
		printf("         -O %s=%s  (", o->name,
		       o->default_value ? o->default_value : "");
		put_takes(o);
		printf(") %s\n", o->help);
	}
	qdb_plugin_unload(p);
	return 0;
}

static int json, listed;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array: name, version, extension,\n"
	  "description, file, options (or error)", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static const char *const type_names[] = {
	[QDB_OPTION_STRING] = "string", [QDB_OPTION_BOOL] = "bool",
	[QDB_OPTION_ENUM] = "enum", [QDB_OPTION_INT] = "int",
};

/* One plugin as a JSON object; a refused one with its file and why. */
static int json_format(const char *path, void *payload)
{
	(void)payload;
	qdb_plugin_handle *p;
	qdb_error err;
	fputs(listed++ ? ",\n {\"file\": " : "\n {\"file\": ", stdout);
	cli_put_json_cstr(path);
	if (qdb_plugin_load(&p, path, &err) != 0) {
		char buf[1024];
		fputs(", \"error\": ", stdout);
		cli_put_json_cstr(qdb_error_format(&err, buf, sizeof buf));
		fputc('}', stdout);
		return 0;
	}
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	fputs(", \"name\": ", stdout);
	cli_put_json_cstr(d->name);
	fputs(", \"version\": ", stdout);
	cli_put_json_cstr(d->version);
	fputs(", \"extension\": ", stdout);
	cli_put_json_cstr(d->extension);
	fputs(", \"description\": ", stdout);
	cli_put_json_cstr(d->description);
	fputs(", \"options\": [", stdout);
	int k = 0;
	for (const qdb_plugin_option *o = d->options; o && o->name; o++) {
		fputs(k++ ? ", {\"name\": " : "{\"name\": ", stdout);
		cli_put_json_cstr(o->name);
		fputs(", \"type\": ", stdout);
		cli_put_json_cstr((unsigned)o->type <= QDB_OPTION_INT
				  ? type_names[o->type] : "string");
		fputs(", \"default\": ", stdout);
		cli_put_json_cstr(o->default_value);
		if (o->type == QDB_OPTION_ENUM) {
			fputs(", \"values\": [", stdout);
			for (int i = 0; o->values && o->values[i]; i++) {
				fputs(i ? ", " : "", stdout);
				cli_put_json_cstr(o->values[i]);
			}
			fputc(']', stdout);
		} else if (o->type == QDB_OPTION_INT) {
			printf(", \"min\": %lld, \"max\": %lld", o->min,
			       o->max);
		}
		fputs(", \"help\": ", stdout);
		cli_put_json_cstr(o->help);
		fputc('}', stdout);
	}
	fputs("]}", stdout);
	qdb_plugin_unload(p);
	return 0;
}

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)db;
	(void)argc;
	(void)argv;
	if (!json)
		return qdb_plugin_foreach(print_format, NULL) ? 1 : cli_flush();
	fputc('[', stdout);
	int rc = qdb_plugin_foreach(json_format, NULL);
	fputs(listed ? "\n]\n" : "]\n", stdout);
	return rc ? 1 : cli_flush();
}

const cli_cmd cli_cmd_formats = {
	.name = "formats",
	.summary = "list the export plugins found",
	.description = "Lists the export plugins found along "
		"QUOTEDB_PLUGIN_PATH, the\ninstall directory and the build "
		"tree: name, version,\nextension, description, file and "
		"options with defaults.\n",
	.db = CLI_NO_DB,
	.opts = opts,
	.check = check,
	.run = run,
};
