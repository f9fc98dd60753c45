/*
 * export.c: streaming the selected quotes through an export plugin into
 * a caller's writer or, atomically, into a file.
 *
 * The host side of the plugin ABI lives here: options are checked against
 * the plugin's table before it starts, begin is always paired with end,
 * and a file export goes to a temporary file that is synced and renamed
 * over the target only when everything succeeded.
 */
#include "internal.h"
#include "quotedb/plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct host {
	qdb_plugin_host pub;
	const qdb_plugin *desc;
	const char *const *options;
	qdb_write_fn write;
	void *payload;
	int write_failed;
	char msg[QDB_ERROR_TEXT_LEN];
} host;

static int host_write(const qdb_plugin_host *h, const void *buf, size_t len)
{
	host *x = h->host_data;
	if (x->write_failed)
		return -1;
	if (len && x->write(buf, len, x->payload) != 0) {
		x->write_failed = 1;
		return -1;
	}
	return 0;
}

/* The value after "name=" in the options, or NULL. */
static const char *given(const char *const *options, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;
	for (; options && *options; options++)
		if (!strncmp(*options, name, n) && (*options)[n] == '=')
			v = *options + n + 1;   /* the last one given wins */
	return v;
}

static const char *host_option(const qdb_plugin_host *h, const char *name)
{
	host *x = h->host_data;
	for (const qdb_plugin_option *o = x->desc->options; o && o->name; o++) {
		if (!strcmp(o->name, name)) {
			const char *v = given(x->options, name);
			return v ? v : o->default_value;
		}
	}
	return NULL;
}

static void host_error(const qdb_plugin_host *h, const char *fmt, ...)
{
	host *x = h->host_data;
	if (x->msg[0])
		return;  /* keep the first: it is the cause */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

static int check_options(qdb *db, const qdb_plugin *d, const char *path,
			 const char *const *options)
{
	for (; options && *options; options++) {
		const char *eq = strchr(*options, '=');
		if (!eq)
			return qdb__fail(db, QDB_EINVALID, "%s: option '%s' "
					 "needs a value: key=value", path,
					 *options);
		size_t n = (size_t)(eq - *options);
		int known = 0;
		for (const qdb_plugin_option *o = d->options; o && o->name; o++)
			known |= strlen(o->name) == n &&
				 !strncmp(o->name, *options, n);
		if (!known) {
			qdb_buf names = { 0 };
			for (const qdb_plugin_option *o = d->options;
			     o && o->name; o++) {
				qdb__buf_addstr(&names, names.len ? ", " : "");
				qdb__buf_addstr(&names, o->name);
			}
			int rc = qdb__fail(db, QDB_EINVALID, "%s: format '%s' has "
					   "no option '%.*s'; it takes: %s",
					   path, d->name, (int)n, *options,
					   names.data ? names.data : "none");
			qdb__buf_free(&names);
			return rc;
		}
	}
	return 0;
}

int qdb_export(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
	       const char *const *options, qdb_write_fn write, void *payload)
{
	if (!db || !p || !write)
		return QDB_EINVALID;
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	const char *path = qdb_plugin_path(p);
	int rc = check_options(db, d, path, options);
	if (rc)
		return rc;
	host *h = calloc(1, sizeof *h);
	if (!h)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	h->pub.size = sizeof h->pub;
	h->pub.abi_major = QDB_PLUGIN_ABI_MAJOR;
	h->pub.abi_minor = QDB_PLUGIN_ABI_MINOR;
	h->pub.write = host_write;
	h->pub.option = host_option;
	h->pub.error = host_error;
	h->pub.host_data = h;
	h->desc = d;
	h->options = options;
	h->write = write;
	h->payload = payload;

	qdb_cursor *c = NULL;
	if ((rc = qdb_cursor_open(&c, db, f)) != 0) {
		free(h);
		return rc;
	}
	void *state = NULL;
	if ((rc = d->begin(&state, &h->pub)) != 0) {
		qdb_cursor_free(c);
		rc = qdb__fail(db, rc < 0 ? rc : QDB_ERROR, "%s: %s", d->name,
			       h->msg[0] ? h->msg : h->write_failed
			       ? "write failed" : "could not start");
		free(h);
		return rc;
	}
	const qdb_quote *q;
	int cursor_failed = 0;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		if ((rc = d->quote(state, q, &h->pub)) != 0)
			break;
	}
	if (rc == QDB_ITEROVER)
		rc = 0;
	else if (rc && !h->msg[0] && !h->write_failed)
		cursor_failed = 1;
	/* end always runs after a successful begin, told how things went. */
	int erc = d->end(state, rc, &h->pub);
	if (!rc && erc)
		rc = erc;
	if (!rc && h->write_failed)
		rc = QDB_EIO;
	qdb_cursor_free(c);
	if (rc) {
		if (rc > 0)
			rc = QDB_ERROR;
		if (!cursor_failed)
			qdb__fail(db, rc, "%s: %s", d->name, h->write_failed
				  ? "write failed" : h->msg[0] ? h->msg
				  : "the plugin failed without a message");
	} else {
		qdb__ok(db);
	}
	free(h);
	return rc;
}

/* A FILE with its own buffer, so one write call per plugin write is
 * cheap. */
static int file_write(const void *buf, size_t len, void *payload)
{
	return fwrite(buf, 1, len, payload) == len ? 0 : -1;
}

static int export_direct(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
			 const char *const *options, const char *path)
{
	FILE *out = fopen(path, "wb");
	if (!out)
		return qdb__fail(db, QDB_EIO, "%s: cannot open: %s", path,
				 strerror(errno));
	int rc = qdb_export(db, p, f, options, file_write, out);
	int werr = fflush(out) != 0 || ferror(out) ? (errno ? errno : EIO) : 0;
	if (fclose(out) != 0 && !werr)
		werr = errno ? errno : EIO;
	if ((!rc || rc == QDB_EIO) && werr)
		rc = qdb__fail(db, QDB_EIO, "%s: write failed: %s", path,
			       strerror(werr));
	return rc;
}

int qdb_export_file(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		    const char *const *options, const char *path)
{
	if (!db || !p || !path || !*path)
		return QDB_EINVALID;
	/* A device or pipe (/dev/stdout, /dev/full, a FIFO) cannot be
	 * replaced by rename: write to it directly. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return export_direct(db, p, f, options, path);
	size_t n = strlen(path);
	if (n + 16 > PATH_MAX)
		return qdb__fail(db, QDB_EINVALID, "%s: path too long", path);
	char tmp[PATH_MAX];
	/* Beside the target, so the rename stays on one file system. */
	snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return qdb__fail(db, QDB_EIO, "%s: cannot create: %s", tmp,
				 strerror(errno));
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	FILE *out = fdopen(fd, "wb");
	if (!out) {
		close(fd);
		unlink(tmp);
		return qdb__fail(db, QDB_EIO, "%s: %s", tmp, strerror(errno));
	}
	int rc = qdb_export(db, p, f, options, file_write, out);
	int werr = 0;
	if (fflush(out) != 0 || ferror(out))
		werr = errno ? errno : EIO;
	if (!werr && fsync(fileno(out)) != 0)
		werr = errno;
	if (fclose(out) != 0 && !werr)
		werr = errno ? errno : EIO;
	if (!rc && werr)
		rc = qdb__fail(db, QDB_EIO, "%s: write failed: %s", path,
			       strerror(werr));
	else if (rc == QDB_EIO && werr)
		qdb__fail(db, QDB_EIO, "%s: write failed: %s", path,
			  strerror(werr));
	if (!rc && rename(tmp, path) != 0)
		rc = qdb__fail(db, QDB_EIO, "%s: cannot rename into place: %s",
			       path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
