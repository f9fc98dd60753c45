/*
 * cmd_verify.c: `quotedb verify [--source FILE]`, each selected quote
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
	char *text;
	size_t len;
	long verified, failed;
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

static int verify_one(const qdb_quote *q, void *payload)
{
	struct verify_state *v = payload;
	const char *path = v->source_flag ? v->source_flag
		: q->source_file.ptr;
	if (!path) {
		printf("not found\t%s\tno source file (give --source)\n",
		       q->id.ptr);
		v->failed++;
		return 0;
	}
	if (!v->loaded_path || strcmp(v->loaded_path, path)) {
		free(v->loaded_path);
		free(v->text);
		char why[128] = "";
		v->text = read_all(path, &v->len, why, sizeof why);
		v->loaded_path = strdup(path);
		if (!v->text) {
			cli_msg("%s: %s", path, why);
			v->error = 1;
			return 1;
		}
	}
	qdb_verify_result res = QDB_VERIFY_RESULT_INIT;
	if (qdb_verify_text(&res, q->text.ptr, q->text.len, v->text, v->len)) {
		cli_msg("%s: cannot verify", q->id.ptr);
		v->error = 1;
		return 1;
	}
	switch (res.status) {
	case QDB_VERIFIED:
		printf("verified\t%s\n", q->id.ptr);
		v->verified++;
		break;
	case QDB_NOT_FOUND:
		printf("not found\t%s\n", q->id.ptr);
		v->failed++;
		break;
	default:
		printf("differs\t%s\tat byte %zu of the quote: quote has \"",
		       q->id.ptr, res.quote_off);
		show_span(q->text.ptr + res.quote_off,
			  span_len(q->text.ptr + res.quote_off,
				   q->text.len - res.quote_off));
		printf("\", source has \"");
		show_span(v->text + res.source_off,
			  span_len(v->text + res.source_off,
				   v->len - res.source_off));
		printf("\"\n\tclosest passage: ");
		show_span(v->text + res.near_off, res.near_len);
		fputc('\n', stdout);
		v->failed++;
		break;
	}
	return 0;
}

static struct verify_state v;

static const cli_opt opts[] = {
	{ CLI_STRING, "source", 0, "FILE", "check against FILE, not each "
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
	if (rc && !v.error)
		cli_msg("%s", qdb_errmsg(db));
	fprintf(stderr, "quotedb: %ld verified, %ld not verified\n",
		v.verified, v.failed);
	free(v.loaded_path);
	free(v.text);
	if (cli_flush())
		return 1;
	return rc || v.error || v.failed ? 1 : 0;
}

const cli_cmd cli_cmd_verify = {
	.name = "verify",
	.summary = "check quotes against their source text",
	.description = "Checks each selected quote against the text of its "
		"source\ndocument (its source file, or FILE) and prints per "
		"quote:\nverified, not found, or differs with the first "
		"differing\ncharacter and the closest passage.  Matching "
		"(docs/verify.md):\nexact bytes, except that whitespace runs "
		"and line breaks are\nequal, an ellipsis (… or ...) stands for "
		"an omitted passage\nand a [bracketed] insertion for the words "
		"it replaces or none.\nExit 0 when every quote verified, 1 "
		"otherwise.\n",
	.db = CLI_DB_READ,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
