/*
 * export.c: streaming the selected quotes through an export plugin into
 * a caller's writer, an open descriptor or, atomically, into a file.
 *
 * The host side of the plugin ABI lives here: options are checked against
 * the plugin's table before it starts (plugin.c parses them), begin is
 * always paired with end, and a file export goes to a temporary file that
 * is synced and renamed over the target only when everything succeeded.
 * Exports to a file or a descriptor flagged QDB_EXPORT_ISOLATE run the
 * plugin in a child process, so that a plugin that crashes cannot take
 * the caller with it.
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
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Each option's value and number (qdb__plugin_options), by index in the
 * plugin's table; a table longer than this is refused. */
#define HOST_OPTIONS 64

typedef struct host {
	qdb_plugin_host pub;
	qdb *db;
	const qdb_plugin *desc;
	const char *values[HOST_OPTIONS];
	long long nums[HOST_OPTIONS];
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

/* The index of option name in the plugin's table, or -1. */
static int option_index(const host *x, const char *name)
{
	for (int i = 0; x->desc->options && x->desc->options[i].name; i++)
		if (!strcmp(x->desc->options[i].name, name))
			return i;
	return -1;
}

static const char *host_option(const qdb_plugin_host *h, const char *name)
{
	const host *x = h->host_data;
	int i = option_index(x, name);
	return i < 0 ? NULL : x->values[i];
}

static long long host_option_int(const qdb_plugin_host *h, const char *name)
{
	const host *x = h->host_data;
	int i = option_index(x, name);
	return i < 0 ? 0 : x->nums[i];
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

static int host_entities(const qdb_plugin_host *h, qdb_entity_kind kind,
			 int (*cb)(const char *name, const char *const *aliases,
				   size_t naliases, void *payload),
			 void *payload)
{
	host *x = h->host_data;
	if (kind != QDB_SPEAKER && kind != QDB_OUTLET)
		return QDB_EINVALID;
	int rc = qdb__entity_aliases(x->db, kind, cb, payload);
	if (rc < 0)
		host_error(h, "%s", qdb_errmsg(x->db));
	return rc;
}

/* The host for one export of d, its options checked; NULL with the
 * reason on db. */
static host *host_new(qdb *db, const qdb_plugin *d, const char *path,
		      const char *const *options, qdb_sort sort,
		      qdb_write_fn write, void *payload)
{
	qdb_error err = { 0 };
	if (qdb__plugin_noptions(d) > HOST_OPTIONS) {
		qdb__fail(db, QDB_EINVALID, "%s: more than %d options",
			  path, HOST_OPTIONS);
		return NULL;
	}
	host *h = calloc(1, sizeof *h);
	if (!h) {
		qdb__fail(db, QDB_ENOMEM, "out of memory");
		return NULL;
	}
	int rc = qdb__plugin_options(h->values, h->nums, d, options, &err);
	if (rc) {
		/* An unknown option is the file's business; a bad value the
		 * format's, as the plugin's own refusals are. */
		qdb__fail(db, QDB_EINVALID, "%s: %s", rc == QDB_ENOTFOUND
			  ? path : d->name, err.text);
		free(h);
		return NULL;
	}
	h->pub.size = sizeof h->pub;
	h->pub.abi_major = QDB_PLUGIN_ABI_MAJOR;
	h->pub.abi_minor = QDB_PLUGIN_ABI_MINOR;
	h->pub.write = host_write;
	h->pub.option = host_option;
	h->pub.option_int = host_option_int;
	h->pub.error = host_error;
	h->pub.host_data = h;
	h->pub.sort = sort;
	h->pub.fields = qdb_fields(&h->pub.nfields);
	h->pub.entities = host_entities;
	h->db = db;
	h->desc = d;
	h->write = write;
	h->payload = payload;
	return h;
}

int qdb_export(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
	       const char *const *options, qdb_write_fn write, void *payload)
{
	if (!db || !p || !write)
		return QDB_EINVALID;
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	/* The user's order, else the plugin's. */
	qdb_filter sorted = QDB_FILTER_INIT;
	qdb_error err = { 0 };
	if (f && qdb__versioned(&sorted, sizeof sorted, f, f->size,
				QDB_FILTER_SIZE_0_1, "qdb_filter", &err))
		return qdb__fail(db, QDB_EINVALID, "%s", err.text);
	if (sorted.sort == QDB_SORT_ADDED)
		sorted.sort = d->sort;
	host *h = host_new(db, d, qdb_plugin_path(p), options, sorted.sort,
			   write, payload);
	if (!h)
		return qdb_last_error(db)->code;
	int rc;
	qdb_cursor *c = NULL;
	if ((rc = qdb_cursor_open(&c, db, &sorted)) != 0) {
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
	int64_t done = 0;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		if ((rc = d->quote(state, q, &h->pub)) != 0)
			break;
		if ((rc = qdb__progress_step(db, ++done)) != 0) {
			cursor_failed = 1;   /* the message is set */
			break;
		}
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

/* Flushes, syncs (when asked) and closes out; 0 or an errno value. */
static int close_out(FILE *out, int sync)
{
	int werr = 0;
	if (fflush(out) != 0 || ferror(out))
		werr = errno ? errno : EIO;
	if (!werr && sync && fsync(fileno(out)) != 0)
		werr = errno;
	if (fclose(out) != 0 && !werr)
		werr = errno ? errno : EIO;
	return werr;
}

/* Runs the export into the open file out, in this process. */
static int export_to(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		     const char *const *options, FILE *out, const char *path,
		     int sync)
{
	int rc = qdb_export(db, p, f, options, file_write, out);
	int werr = close_out(out, sync && !rc);
	if ((!rc || rc == QDB_EIO) && werr)
		rc = qdb__fail(db, QDB_EIO, "%s: write failed: %s", path,
			       strerror(werr));
	return rc;
}

#ifdef QDB_COVERAGE
void __gcov_dump(void);   /* libgcov, in a --coverage build (make coverage) */
#endif

/*
 * The child's side: a connection of its own (SQLite connections must not
 * cross fork), the export into fd, and its message back through msgfd.
 */
static void child_export(qdb *parent, qdb_plugin_handle *p,
			 const qdb_filter *f, const char *const *options,
			 int fd, int msgfd, const char *path, int sync)
{
	qdb *db = NULL;
	int rc = qdb_open(&db, parent->path, QDB_OPEN_READONLY);
	if (!rc) {
		qdb_progress(db, parent->progress, parent->progress_every,
			     parent->progress_payload);
		FILE *out = fdopen(fd, "wb");
		if (!out)
			rc = qdb__fail(db, QDB_EIO, "%s: %s", path,
				       strerror(errno));
		else
			rc = export_to(db, p, f, options, out, path, sync);
	}
	if (rc) {
		const char *m = qdb_errmsg(db);
		ssize_t w = write(msgfd, m, strlen(m));
		(void)w;
	}
	/* _exit frees it all the same; closed first, what the export left
	 * allocated can be told from what the connection held (the
	 * allocation-failure test counts it). */
	qdb_close(db);
#ifdef QDB_COVERAGE
	/* gcov writes its counts from exit(), which _exit skips. */
	__gcov_dump();
#endif
	_exit(rc ? 1 : 0);
}

static long export_timeout(void)
{
	const char *t = getenv("QUOTEDB_EXPORT_TIMEOUT");
	long v = t ? strtol(t, NULL, 10) : 0;
	return v > 0 ? v : 300;
}

/*
 * Waits for the child.  When watch is set (a file of ours), stops it
 * once the output stops growing; a pipe or a device cannot be watched
 * that way (a slow reader looks the same as a hung plugin), so there the
 * user's Ctrl-C is the timeout.  The child holds the write end of msgfd:
 * poll() wakes when it writes its message or exits.  lost says what a
 * failure leaves of the output.
 */
static int wait_child(qdb *db, pid_t pid, int fd, int msgfd, const char *name,
		      int watch, const char *lost)
{
	long timeout = export_timeout(), idle = 0;
	off_t last = 0;
	int status;
	for (;;) {
		struct pollfd pfd = { msgfd, POLLIN, 0 };
		int r = poll(&pfd, 1, watch ? 1000 : -1);
		if (r < 0 && errno != EINTR)
			return qdb__fail(db, QDB_ERROR, "export: poll: %s",
					 strerror(errno));
		if (r > 0)
			break;   /* a message, or the child is gone */
		if (!watch)
			continue;
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_size != last) {
			last = st.st_size;
			idle = 0;
		} else if (++idle >= timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return qdb__fail(db, QDB_ERROR, "export: plugin '%s' made "
					 "no progress for %ld s and was stopped; "
					 "%s", name, timeout, lost);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return qdb__fail(db, QDB_ERROR, "export: wait: %s",
					 strerror(errno));
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		return qdb__fail(db, QDB_EIO, "export: write failed: the "
				 "output was closed (broken pipe)");
	if (WIFSIGNALED(status))
		return qdb__fail(db, QDB_ERROR, "export: plugin '%s' crashed "
				 "(%s); %s", name, strsignal(WTERMSIG(status)),
				 lost);
	if (WEXITSTATUS(status) != 0) {
		char m[QDB_ERROR_TEXT_LEN];
		ssize_t n = read(msgfd, m, sizeof m - 1);
		m[n > 0 ? n : 0] = '\0';
		return qdb__fail(db, QDB_ERROR, "%s", n > 0 ? m
				 : "export failed");
	}
	return 0;
}

/*
 * The export into fd, in a child process when flags ask for it and it can
 * be (a database in memory cannot be opened again by a child): a plugin
 * that crashes or aborts then fails the export instead of taking the
 * caller down.  fd stays open; sync asks for fsync, watch for the
 * no-progress timeout.
 */
static int export_isolated(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
			   const char *const *options, int fd,
			   const char *path, int sync, int watch,
			   const char *lost, unsigned flags)
{
	int pipefd[2];
	if ((flags & QDB_EXPORT_ISOLATE) && strcmp(db->path, ":memory:") != 0 &&
	    db->path[0] && pipe(pipefd) == 0) {
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			child_export(db, p, f, options, fd, pipefd[1], path,
				     sync);
		}
		close(pipefd[1]);
		int rc = pid < 0
			? qdb__fail(db, QDB_ERROR, "export: fork: %s",
				    strerror(errno))
			: wait_child(db, pid, fd, pipefd[0],
				     qdb_plugin_descriptor_of(p)->name, watch,
				     lost);
		close(pipefd[0]);
		return rc;
	}
	int copy = dup(fd);
	FILE *out = copy < 0 ? NULL : fdopen(copy, "wb");
	if (!out) {
		if (copy >= 0)
			close(copy);
		return qdb__fail(db, QDB_EIO, "%s: %s", path, strerror(errno));
	}
	return export_to(db, p, f, options, out, path, sync);
}

int qdb_export_fd(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		  const char *const *options, int fd, unsigned flags)
{
	if (!db || !p || fd < 0)
		return QDB_EINVALID;
	char name[32] = "standard output";
	if (fd != 1)
		snprintf(name, sizeof name, "file descriptor %d", fd);
	int rc = export_isolated(db, p, f, options, fd, name, 0, 0,
				 "the output is incomplete", flags);
	if (!rc)
		qdb__ok(db);
	return rc;
}

int qdb_export_file(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		    const char *const *options, const char *path,
		    unsigned flags)
{
	if (!db || !p || !path || !*path)
		return QDB_EINVALID;
	int rc;
	/* A device or pipe (/dev/stdout, /dev/full, a FIFO) cannot be
	 * replaced by rename: write to it directly. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return qdb__fail(db, QDB_EIO, "%s: cannot open: %s",
					 path, strerror(errno));
		rc = export_isolated(db, p, f, options, fd, path, 0, 0,
				     "the output is incomplete", flags);
		close(fd);
		if (!rc)
			qdb__ok(db);
		return rc;
	}
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
	rc = export_isolated(db, p, f, options, fd, path, 1, 1,
			     "nothing was written", flags);
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = qdb__fail(db, QDB_EIO, "%s: cannot rename into place: %s",
			       path, strerror(errno));
	if (rc)
		unlink(tmp);
	else
		qdb__ok(db);
	return rc;
}
