/*
 * cmd_verify.c: `quotedb verify [--against FILE]`, each selected quote
 * against the text of its source document, under the matching contract of
 * docs/verify.md (the library's qdb_verify_text).
 */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct verify_state {
	const char *source_flag;
	char *loaded_path;
	char *text;              /* NULL: loaded_path could not be read */
	size_t len;
	char why[160];           /* why loaded_path could not be read */
	long verified, failed, unchecked;
	/* The files that could not be read, each named once on stderr:
	 * one entry per file, not per quote. */
	char **unreadable;
	size_t nunreadable;
	int error;
};

/* The most of a source document verify reads: a book's text is a few
 * MiB; what is larger is not a source (and /dev/zero never ends). */
#define SOURCE_MAX (64u << 20)

/*
 * The whole source document at path, NUL-ended, in *len bytes; NULL with
 * the reason in why: only a regular file is read (not a device, a FIFO
 * or a directory, which could block or never end), and at most
 * SOURCE_MAX bytes of it.
 */
static char *read_all(const char *path, size_t *len, char *why,
		      size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "cannot read: %s", S_ISDIR(st.st_mode)
			 ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return NULL;
	}
	if ((unsigned long long)st.st_size > SOURCE_MAX) {
		snprintf(why, whylen, "cannot read: larger than %u MiB, the "
			 "most verify reads of a source", SOURCE_MAX >> 20);
		close(fd);
		return NULL;
	}
	/* The size once more as read: the file may grow meanwhile. */
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, whylen, "cannot read: %s",
				 strerror(errno));
			free(buf);
			buf = NULL;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > SOURCE_MAX) {
			snprintf(why, whylen, "cannot read: larger than %u "
				 "MiB, the most verify reads of a source",
				 SOURCE_MAX >> 20);
			free(buf);
			buf = NULL;
			break;
		}
		if (n == cap) {
			cap = cap * 2 > SOURCE_MAX + 1 ? SOURCE_MAX + 1
				: cap * 2;
			char *b = realloc(buf, cap + 1);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	if (!buf && !why[0])
		snprintf(why, whylen, "cannot read: out of memory");
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Prints s[0, n) on verify's tab-separated line: line breaks and tabs
 * (a source saved with CRLF has \r too) as spaces. */
static void show_span(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? ' ' : s[i],
		      stdout);
}

/* The first bytes of s[0, n) to show, about 24, cut before a character
 * rather than inside it. */
static size_t span_len(const char *s, size_t n)
{
	if (n <= 24)
		return n;
	size_t k = 24;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* The characters (UTF-8 code points) in s[0, n). */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Where byte off of text is, as people look for it: "line L, column C,
 * paragraph P (byte offset B)".  Columns count characters from 1;
 * paragraphs are separated by lines that hold only white space.  The
 * byte offset (from 0) stays for tools. */
static void show_where(const char *text, size_t off)
{
	size_t line = 1, para = 1, bol = 0;
	int blank = 1, gap = 0, seen = 0;
	for (size_t i = 0; i < off; i++) {
		char c = text[i];
		if (c == '\n') {
			if (blank && seen)
				gap = 1;
			line++;
			bol = i + 1;
			blank = 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			if (gap)
				para++;
			gap = 0;
			blank = 0;
			seen = 1;
		}
	}
	if (gap)
		para++;
	printf("line %zu, column %zu, paragraph %zu (byte offset %zu)", line,
	       chars(text + bol, off - bol) + 1, para, off);
}

/* Whether path is among the files that could not be read; if not, it
 * is added and named on stderr, once. */
static int tell_unreadable(struct verify_state *v, const char *path)
{
	for (size_t i = 0; i < v->nunreadable; i++)
		if (!strcmp(v->unreadable[i], path))
			return 0;
	cli_msg("%s: %s", path, v->why);
	char **grown = realloc(v->unreadable, (v->nunreadable + 1) *
			       sizeof *grown);
	char *copy = strdup(path);
	if (!grown || !copy) {
		free(copy);
		if (grown)
			v->unreadable = grown;
		return -1;
	}
	v->unreadable = grown;
	v->unreadable[v->nunreadable++] = copy;
	return 0;
}

/* Loads path into v unless it is loaded already; 0, or -1 when it could
 * not be read (v->why says why). */
static int load(struct verify_state *v, const char *path)
{
	if (v->loaded_path && !strcmp(v->loaded_path, path))
		return v->text ? 0 : -1;
	free(v->loaded_path);
	free(v->text);
	v->why[0] = '\0';
	v->text = read_all(path, &v->len, v->why, sizeof v->why);
	v->loaded_path = strdup(path);
	return v->text ? 0 : -1;
}

static int verify_one(const qdb_quote *q, void *payload)
{
	struct verify_state *v = payload;
	const char *path = v->source_flag ? v->source_flag
		: q->source_file.ptr;
	if (!path) {
		printf("not checked\t%s\tno source file (give --against)\n",
		       q->id.ptr);
		v->unchecked++;
		return 0;
	}
	if (load(v, path) != 0) {
		/* The other quotes are still checked: one missing file
		 * does not hide what the rest would show. */
		printf("not checked\t%s\tcannot read %s\n", q->id.ptr, path);
		v->unchecked++;
		if (tell_unreadable(v, path) != 0 || !v->loaded_path) {
			cli_msg("out of memory");
			v->error = 1;
			return 1;
		}
		return 0;
	}
	qdb_verify_result res = QDB_VERIFY_RESULT_INIT;
	if (qdb_verify_text(&res, q->text.ptr, q->text.len, v->text, v->len)) {
		cli_msg("%s: cannot verify", q->id.ptr);
		v->error = 1;
		return 1;
	}
	switch (res.status) {
	case QDB_VERIFIED:
		printf("verified\t%s\t", q->id.ptr);
		show_where(v->text, res.near_off);
		fputc('\n', stdout);
		v->verified++;
		break;
	case QDB_NOT_FOUND:
		printf("not found\t%s\n", q->id.ptr);
		v->failed++;
		break;
	default:
		printf("differs\t%s\tat character %zu of the quote (byte "
		       "offset %zu): "
		       "quote has \"", q->id.ptr,
		       chars(q->text.ptr, res.quote_off) + 1, res.quote_off);
		show_span(q->text.ptr + res.quote_off,
			  span_len(q->text.ptr + res.quote_off,
				   q->text.len - res.quote_off));
		printf("\", source has \"");
		show_span(v->text + res.source_off,
			  span_len(v->text + res.source_off,
				   v->len - res.source_off));
		printf("\" at ");
		show_where(v->text, res.source_off);
		printf("\n\tclosest passage: ");
		show_span(v->text + res.near_off, res.near_len);
		fputc('\n', stdout);
		v->failed++;
		break;
	}
	return 0;
}

static struct verify_state v;

static const cli_opt opts[] = {
	{ CLI_STRING, "against", 0, "FILE", "check against FILE, not each "
	  "quote's source file", &v.source_flag, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int rc = qdb_foreach(db, cli_filter(), verify_one, &v);
	long total = v.verified + v.failed + v.unchecked;
	free(v.loaded_path);
	free(v.text);
	for (size_t i = 0; i < v.nunreadable; i++)
		free(v.unreadable[i]);
	free(v.unreadable);
	if (rc && !v.error) {
		/* A filter that names nothing, a bad date: no summary of
		 * a walk that never started. */
		cli_msg("%s", qdb_errmsg(db));
		return 1;
	}
	if (!rc && total == 0) {
		/* Nothing selected verifies nothing: as show says of an
		 * id that is not there. */
		char what[512];
		if (cli_filter_text(what, sizeof what))
			cli_msg("no quote is selected by %s", what);
		else
			cli_msg("the database holds no quotes");
		return 1;
	}
	fprintf(stderr, "quotedb: %ld verified, %ld not verified", v.verified,
		v.failed);
	if (v.unchecked)
		fprintf(stderr, ", %ld not checked (no readable source)",
			v.unchecked);
	fputc('\n', stderr);
	if (cli_flush())
		return 1;
	return rc || v.error || v.failed || v.unchecked ? 1 : 0;
}

const cli_cmd cli_cmd_verify = {
	.name = "verify",
	.summary = "check quotes against their source text",
	.description = "Checks each selected quote against the text of its "
		"source\ndocument (its source file, or FILE) and prints a line "
		"per quote:\nverified, with where (line, column, paragraph, "
		"byte); not found;\ndiffers, with the first differing "
		"character, where, and the\nclosest passage; or not checked "
		"(no source file, or one that\ncannot be read).  Matching "
		"(docs/verify.md): exact bytes,\nexcept that whitespace runs "
		"and line breaks are equal, an\nellipsis (… or ...) stands for "
		"an omitted passage and a\n[bracketed] insertion for the words "
		"it replaces or none.\nExit 0 when every quote verified; 1 when "
		"one did not, was not\nchecked, or none was selected.\n",
	.db = CLI_DB_READ,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
