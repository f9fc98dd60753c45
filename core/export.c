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
 * the caller with it.  A split export writes one file per source into a
 * new directory, renamed into place when every file is written.
 */
#define _DEFAULT_SOURCE   /* realpath() */
#include "internal.h"
#include "quotedb/plugin.h"

#include <dirent.h>
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
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

/*
 * The file export in progress, for qdb_export_interrupt(), which a signal
 * handler calls: the temporary file to remove and the child to stop.
 * Each is published only once valid (tmp_set after tmp is written) and
 * withdrawn before it stops being valid.
 */
static char interrupt_tmp[PATH_MAX];
static volatile sig_atomic_t interrupt_tmp_set;
static volatile sig_atomic_t interrupt_child;

void qdb_export_interrupt(void)
{
	pid_t child = (pid_t)interrupt_child;
	if (child > 0 && child != getpid())
		kill(child, SIGKILL);
	if (interrupt_tmp_set)
		unlink(interrupt_tmp);
}

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
	/* A split export (qdb_export_split): entities walks what the
	 * current file's quotes need, the source's row (0: none), and in
	 * the first file also what no quote refers to. */
	int split;
	sqlite3_int64 split_source;
	int split_unused;
	char *sort_as;   /* the last speaker_sort_as answer */
	int sort_rc;     /* why speaker_sort_as could not answer, or 0 */
} host;

static void host_free(host *h)
{
	if (h)
		free(h->sort_as);
	free(h);
}

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
	int rc = x->split
		? qdb__entity_aliases_of(x->db, kind, x->split_source,
					 x->split_unused, cb, payload)
		: qdb__entity_aliases(x->db, kind, cb, payload);
	if (rc < 0)
		host_error(h, "%s", qdb_errmsg(x->db));
	return rc;
}

static const char *host_speaker_sort_as(const qdb_plugin_host *h,
					const char *name)
{
	host *x = h->host_data;
	free(x->sort_as);
	x->sort_as = NULL;
	/* NULL cannot tell a failure from no key: the export fails after
	 * the plugin is done, with the reason, rather than sort wrong */
	int rc = name ? qdb__speaker_sort_as(&x->sort_as, x->db, name) : 0;
	if (rc && !x->sort_rc) {
		x->sort_rc = rc;
		host_error(h, "%s", qdb_errmsg(x->db));
	}
	return x->sort_as;
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
	h->pub.speaker_sort_as = host_speaker_sort_as;
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
		host_free(h);
		return rc;
	}
	void *state = NULL;
	if ((rc = d->begin(&state, &h->pub)) != 0) {
		qdb_cursor_free(c);
		rc = qdb__fail(db, rc < 0 ? rc : QDB_ERROR, "%s: %s", d->name,
			       h->msg[0] ? h->msg : h->write_failed
			       ? "write failed" : "could not start");
		host_free(h);
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
	if (!rc && h->sort_rc)
		rc = h->sort_rc;
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
	host_free(h);
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
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ)
		return qdb__fail(db, QDB_EIO, "export: write failed: file too "
				 "large (the file-size limit, ulimit -f); %s",
				 lost);
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
		pid_t parent = getpid();
		pid_t pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
#ifdef __linux__
			/* Dies with its parent, whatever kills that: an
			 * orphan would go on writing a file no one will
			 * rename. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
#else
			(void)parent;
#endif
			child_export(db, p, f, options, fd, pipefd[1], path,
				     sync);
		}
		close(pipefd[1]);
		if (pid > 0)
			interrupt_child = pid;
		int rc = pid < 0
			? qdb__fail(db, QDB_ERROR, "export: fork: %s",
				    strerror(errno))
			: wait_child(db, pid, fd, pipefd[0],
				     qdb_plugin_descriptor_of(p)->name, watch,
				     lost);
		interrupt_child = 0;
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

/*
 * Whether the file st (or, when st is NULL, the path real, which does not
 * exist yet) is the database of db or its -wal, -shm or -journal file:
 * an export there would destroy the collection.  Compared by device and
 * inode, so a symbolic link, a hard link or "./d.db" is seen through;
 * by resolved name when there is no file yet.
 */
static int is_database(const qdb *db, const struct stat *st,
		       const char *real)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char dbreal[PATH_MAX], p[PATH_MAX + 16];
	const char *bases[2] = { db->path, NULL };
	if (realpath(db->path, dbreal))
		bases[1] = dbreal;
	for (size_t b = 0; b < 2 && bases[b]; b++) {
		for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
			struct stat d;
			snprintf(p, sizeof p, "%s%s", bases[b], suffix[i]);
			if (st && stat(p, &d) == 0 && d.st_dev == st->st_dev &&
			    d.st_ino == st->st_ino)
				return 1;
			if (!st && b == 1 && !strcmp(p, real))
				return 1;
		}
	}
	return 0;
}

/* Whether the directory of path lies in /dev or /proc, once resolved:
 * what is there names a device or a descriptor (/dev/stdout,
 * /proc/self/fd/1), never a file to replace. */
static int in_dev_or_proc(const char *path)
{
	char dir[PATH_MAX], real[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (!realpath(dir, real))
		return 0;
	return !strcmp(real, "/dev") || !strncmp(real, "/dev/", 5) ||
	       !strcmp(real, "/proc") || !strncmp(real, "/proc/", 6);
}

/*
 * Where an export to path goes.  Symbolic links are followed, hop by hop,
 * and never replaced: real becomes the file at the end of the chain, and
 * the temporary file is renamed over that.  *direct is set when the
 * output must be written in place instead: a link or name in /dev or
 * /proc (/dev/stdout, /dev/fd/3), or anything that is not a regular file
 * (a device, a FIFO).  *exists says whether real exists, with its stat in
 * *st.  0, or an errno value.
 */
static int out_target(const char *path, char *real, struct stat *st,
		      int *exists, int *direct)
{
	char cur[PATH_MAX], link[PATH_MAX];
	*direct = *exists = 0;
	if (strlen(path) >= sizeof cur)
		return ENAMETOOLONG;
	snprintf(cur, sizeof cur, "%s", path);
	for (int hops = 0; hops < 40; hops++) {
		if (in_dev_or_proc(cur)) {
			*direct = 1;
			break;
		}
		if (lstat(cur, st) != 0) {
			if (errno != ENOENT)
				return errno;
			break;   /* a new file, made here */
		}
		if (!S_ISLNK(st->st_mode)) {
			*exists = 1;
			*direct = !S_ISREG(st->st_mode);
			break;
		}
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return errno;
		link[n] = '\0';
		char *slash = strrchr(cur, '/');
		if (link[0] == '/' || !slash) {
			snprintf(cur, sizeof cur, "%s", link);
		} else {
			slash[1] = '\0';
			if (strlen(cur) + (size_t)n >= sizeof cur)
				return ENAMETOOLONG;
			strcat(cur, link);
		}
		if (hops == 39)
			return ELOOP;
	}
	if (*direct && stat(path, st) == 0)
		*exists = 1;
	snprintf(real, PATH_MAX, "%s", cur);
	return 0;
}

/* The export written in place into the device, pipe or descriptor at
 * path: no temporary file, no rename. */
static int export_in_place(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
			   const char *const *options, const char *path,
			   unsigned flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return qdb__fail(db, QDB_EIO, "%s: cannot open: %s", path,
				 strerror(errno));
	int rc = export_isolated(db, p, f, options, fd, path, 0, 0,
				 "the output is incomplete", flags);
	close(fd);
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
	int rc, exists, direct;
	char target[PATH_MAX], dirpart[PATH_MAX];
	struct stat st;
	if ((rc = out_target(path, target, &st, &exists, &direct)) != 0)
		return qdb__fail(db, QDB_EIO, "%s: %s", path, strerror(rc));
	if (!exists) {
		/* Compared by name: a -wal that is not there yet. */
		char *slash = strrchr(target, '/');
		snprintf(dirpart, sizeof dirpart, "%.*s", slash
			 ? (int)(slash - target) : 1, slash ? target : ".");
		char rdir[PATH_MAX], rfull[2 * PATH_MAX + 2];
		if (slash == target)
			snprintf(dirpart, sizeof dirpart, "/");
		if (realpath(dirpart, rdir)) {
			snprintf(rfull, sizeof rfull, "%s/%s", strcmp(rdir, "/")
				 ? rdir : "", slash ? slash + 1 : target);
			if (is_database(db, NULL, rfull))
				goto is_db;
		}
	} else if (is_database(db, &st, NULL)) {
		goto is_db;
	}
	if (direct)
		return export_in_place(db, p, f, options, path, flags);
	if (exists && !(flags & QDB_EXPORT_FORCE)) {
		/* Replaced by rename, the file gets a new inode: the other
		 * names of a hard link would keep the old content. */
		if (st.st_nlink > 1)
			return qdb__fail(db, QDB_EINVALID, "%s: has %lu hard "
					 "links; an export replaces the file, "
					 "so the other names would keep the "
					 "old content (--force replaces it "
					 "anyway)", path,
					 (unsigned long)st.st_nlink);
		if (!(st.st_mode & 0222) || access(target, W_OK) != 0)
			return qdb__fail(db, QDB_EINVALID, "%s: is read-only "
					 "(mode %03o); --force replaces it",
					 path, (unsigned)(st.st_mode & 0777));
	}
	size_t n = strlen(target);
	if (n + 16 > PATH_MAX)
		return qdb__fail(db, QDB_EINVALID, "%s: path too long", path);
	char tmp[PATH_MAX];
	/* Beside the target, so the rename stays on one file system. */
	memcpy(tmp, target, n);   /* n + 16 <= PATH_MAX, checked above */
	memcpy(tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
	/* Published before it exists, so that a signal between mkstemp
	 * and its return cannot leave it behind; mkstemp fills in the
	 * name before it creates the file. */
	interrupt_tmp_set = 0;
	memcpy(interrupt_tmp, tmp, sizeof tmp);
	interrupt_tmp_set = 1;
	int fd = mkstemp(interrupt_tmp);
	if (fd < 0) {
		interrupt_tmp_set = 0;
		return qdb__fail(db, QDB_EIO, "%s: cannot create: %s", tmp,
				 strerror(errno));
	}
	memcpy(tmp, interrupt_tmp, sizeof tmp);
	/* The target's owner, group and mode where the caller may set them
	 * (only root gives a file to another user); a new file's are the
	 * caller's, with the umask. */
	if (exists) {
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
		    fchown(fd, st.st_uid, st.st_gid) != 0 &&
		    fchown(fd, (uid_t)-1, st.st_gid) != 0) {
			/* not ours to give away: the caller's, then */
		}
		fchmod(fd, st.st_mode & 0777);
	} else {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	rc = export_isolated(db, p, f, options, fd, path, 1, 1,
			     "nothing was written", flags);
	close(fd);
	if (!rc && rename(tmp, target) != 0)
		rc = qdb__fail(db, QDB_EIO, "%s: cannot rename into place: %s",
			       path, strerror(errno));
	if (rc)
		unlink(tmp);
	interrupt_tmp_set = 0;
	if (!rc)
		qdb__ok(db);
	return rc;
is_db:
	return qdb__fail(db, QDB_EINVALID, "%s: is the database itself (or "
			 "its -wal/-shm file); exporting there would destroy "
			 "it: choose another file", path);
}

/* ---- one file per source ------------------------------------------ */

/* Whether a and b have the same source (every source field). */
static int same_source(const qdb_quote *a, const qdb_quote *b)
{
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		if (!(f->flags & QDB_FIELD_SOURCE))
			continue;
		qdb_str x = qdb_quote_str(a, f), y = qdb_quote_str(b, f);
		if (!x.ptr != !y.ptr || (x.ptr && (x.len != y.len ||
		    memcmp(x.ptr, y.ptr, x.len))))
			return 0;
	}
	return 1;
}

/*
 * The name (without extension) of the file for q's source: the stem of
 * its text's file (source.file) when it has one, else its title,
 * lowercased; ASCII letters, digits and '_' kept, every other run one
 * '-', at most 64 bytes; "no-source" for a quote without a source.
 */
static void split_name(char *name, size_t cap, const qdb_quote *q)
{
	const char *p = q->source_file.ptr, *end;
	int lower = 0;
	if (p) {
		const char *slash = strrchr(p, '/');
		p = slash ? slash + 1 : p;
		const char *dot = strrchr(p, '.');
		end = dot && dot > p ? dot : p + strlen(p);
	} else if (q->source.ptr) {
		p = q->source.ptr;
		end = p + q->source.len;
		lower = 1;
	} else {
		snprintf(name, cap, "no-source");
		return;
	}
	size_t n = 0, max = cap - 1 < 64 ? cap - 1 : 64;
	for (; p < end && n < max; p++) {
		unsigned char c = (unsigned char)*p;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_';
		if (keep)
			name[n++] = (char)(lower && c >= 'A' && c <= 'Z'
					   ? c + 32 : c);
		else if (n && name[n - 1] != '-')
			name[n++] = '-';
	}
	while (n && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	if (!n)
		snprintf(name, cap, "source");
}

/* Creates dir/NAME.ext for q's source, NAME made unique with -2, -3 ...
 * against the files already there; the path goes to path. */
static int split_open(FILE **out, char *path, size_t cap, qdb *db,
		      const char *dir, const qdb_quote *q, const char *ext)
{
	char name[80];
	split_name(name, sizeof name, q);
	for (unsigned i = 1; i < 100000; i++) {
		char suffix[16] = "";
		if (i > 1)
			snprintf(suffix, sizeof suffix, "-%u", i);
		if ((size_t)snprintf(path, cap, "%s/%s%s%s%s", dir, name,
				     suffix, ext && *ext ? "." : "",
				     ext ? ext : "") >= cap)
			return qdb__fail(db, QDB_EINVALID, "%s: path too "
					 "long", dir);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0666);
		if (fd < 0 && errno == EEXIST)
			continue;
		FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
		if (!f) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return qdb__fail(db, QDB_EIO, "%s: cannot create: %s",
					 path, strerror(e));
		}
		*out = f;
		return 0;
	}
	return qdb__fail(db, QDB_EIO, "%s: too many files named %s", dir,
			 name);
}

/* Ends the plugin's run on the current file and closes it; 0, or the
 * first failure with its message on db. */
static int split_close(qdb *db, const qdb_plugin *d, host *h, void *state,
		       int rc, FILE *out, const char *path)
{
	int erc = d->end(state, rc, &h->pub);
	if (!rc && erc)
		rc = erc < 0 ? erc : QDB_ERROR;
	if (!rc && h->write_failed)
		rc = QDB_EIO;
	if (rc && rc != QDB_EIO && h->msg[0])
		qdb__fail(db, rc, "%s: %s: %s", d->name, path, h->msg);
	int werr = close_out(out, !rc);
	if ((!rc || rc == QDB_EIO) && (werr || h->write_failed))
		rc = qdb__fail(db, QDB_EIO, "%s: write failed: %s", path,
			       strerror(werr ? werr : EIO));
	return rc;
}

/* The split export into the (new, empty) directory dir, in this
 * process. */
static int split_run(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		     const char *const *options, const char *dir)
{
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	host *h = host_new(db, d, qdb_plugin_path(p), options,
			   QDB_SORT_SOURCE, file_write, NULL);
	if (!h)
		return qdb_last_error(db)->code;
	h->split = 1;
	qdb_cursor *c = NULL;
	int rc = qdb_cursor_open(&c, db, f);
	if (rc) {
		free(h);
		return rc;
	}
	qdb_quote *cur = NULL;      /* the current file's source */
	FILE *out = NULL;
	void *state = NULL;
	char path[PATH_MAX];
	unsigned long nfiles = 0;
	int64_t done = 0;
	const qdb_quote *q;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		if (!cur || !same_source(cur, q)) {
			if (out && (rc = split_close(db, d, h, state, 0, out,
						     path)))
				break;
			out = NULL;
			qdb_quote_free(cur);
			cur = NULL;
			if (qdb_quote_dup(&cur, q)) {
				rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
				break;
			}
			if ((rc = qdb__source_id(&h->split_source, db, q)) ||
			    (rc = split_open(&out, path, sizeof path, db, dir,
					     q, d->extension)))
				break;
			h->split_unused = nfiles++ == 0;
			h->payload = out;
			h->write_failed = 0;
			h->msg[0] = '\0';
			if ((rc = d->begin(&state, &h->pub)) != 0) {
				rc = qdb__fail(db, rc < 0 ? rc : QDB_ERROR,
					       "%s: %s: %s", d->name, path,
					       h->msg[0] ? h->msg
					       : "could not start");
				close_out(out, 0);
				out = NULL;
				break;
			}
		}
		if ((rc = d->quote(state, q, &h->pub)) != 0) {
			if (!h->msg[0] && !h->write_failed)
				snprintf(h->msg, sizeof h->msg, "the plugin "
					 "failed without a message");
			break;
		}
		if ((rc = qdb__progress_step(db, ++done)) != 0)
			break;
	}
	if (rc == QDB_ITEROVER)
		rc = 0;
	if (out) {
		int frc = split_close(db, d, h, state, rc, out, path);
		if (!rc)
			rc = frc;
	}
	qdb_quote_free(cur);
	qdb_cursor_free(c);
	free(h);
	return rc;
}

/* The child's side of an isolated split: its own connection, the split
 * into dir, its message back through msgfd. */
static void split_child(qdb *parent, qdb_plugin_handle *p,
			const qdb_filter *f, const char *const *options,
			const char *dir, int msgfd)
{
	qdb *db = NULL;
	int rc = qdb_open(&db, parent->path, QDB_OPEN_READONLY);
	if (!rc)
		rc = split_run(db, p, f, options, dir);
	if (rc) {
		const char *m = qdb_errmsg(db);
		ssize_t w = write(msgfd, m, strlen(m));
		(void)w;
	}
	qdb_close(db);
#ifdef QDB_COVERAGE
	__gcov_dump();
#endif
	_exit(rc ? 1 : 0);
}

/* Removes dir and the files in it (a directory this export made, or one
 * checked to hold only its own kind of files). */
static void remove_files_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 256];
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) <
		    sizeof p)
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/*
 * What dir holds: *n entries; 0, or a refusal when it holds what a
 * replacement must not remove: anything but regular files named *.ext,
 * or the database.
 */
static int split_target(qdb *db, const char *dir, const char *ext,
			size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return qdb__fail(db, QDB_EIO, "%s: %s", dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	size_t el = ext ? strlen(ext) : 0;
	while (!rc && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		(*n)++;
		char p[PATH_MAX + 256];
		struct stat st;
		size_t l = strlen(e->d_name);
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		int ours = lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			!is_database(db, &st, NULL) && el && l > el + 1 &&
			e->d_name[l - el - 1] == '.' &&
			!strcmp(e->d_name + l - el, ext);
		if (!ours)
			rc = qdb__fail(db, QDB_EINVALID, "%s: holds %s, which "
				       "a split export does not write; it "
				       "replaces only a directory of .%s "
				       "files", dir, e->d_name,
				       ext ? ext : "");
	}
	closedir(d);
	return rc;
}

int qdb_export_split(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		     const char *const *options, const char *dir,
		     unsigned flags)
{
	if (!db || !p || !dir || !*dir)
		return QDB_EINVALID;
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	qdb_filter sorted = QDB_FILTER_INIT;
	qdb_error err = { 0 };
	if (f && qdb__versioned(&sorted, sizeof sorted, f, f->size,
				QDB_FILTER_SIZE_0_1, "qdb_filter", &err))
		return qdb__fail(db, QDB_EINVALID, "%s", err.text);
	if (sorted.sort != QDB_SORT_ADDED && sorted.sort != QDB_SORT_SOURCE)
		return qdb__fail(db, QDB_EINVALID, "a split export writes one "
				 "file per source, so the quotes come by "
				 "source: leave out the sort order");
	sorted.sort = QDB_SORT_SOURCE;
	char base[PATH_MAX], tmp[PATH_MAX + 16], old[PATH_MAX + 16];
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n + 16 > sizeof base)
		return qdb__fail(db, QDB_EINVALID, "%s: path too long", dir);
	memcpy(base, dir, n);
	base[n] = '\0';
	struct stat st;
	size_t have = 0;
	int exists = stat(base, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode))
		return qdb__fail(db, QDB_EINVALID, "%s: is not a directory",
				 base);
	if (exists) {
		int rc = split_target(db, base, d->extension, &have);
		if (have && !(flags & QDB_EXPORT_FORCE))
			return qdb__fail(db, QDB_EEXISTS, "%s: is not empty; "
					 "--force replaces it", base);
		if (rc)
			return rc;
	}
	snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", base);
	if (!mkdtemp(tmp))
		return qdb__fail(db, QDB_EIO, "%s: cannot create: %s", tmp,
				 strerror(errno));
	mode_t mask = umask(0);
	umask(mask);
	chmod(tmp, 0777 & ~mask);
	int rc, pipefd[2];
	if ((flags & QDB_EXPORT_ISOLATE) && strcmp(db->path, ":memory:") &&
	    db->path[0] && pipe(pipefd) == 0) {
		fflush(NULL);
		pid_t parent = getpid();
		pid_t pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
#else
			(void)parent;
#endif
			split_child(db, p, &sorted, options, tmp, pipefd[1]);
		}
		close(pipefd[1]);
		if (pid > 0)
			interrupt_child = pid;
		rc = pid < 0 ? qdb__fail(db, QDB_ERROR, "export: fork: %s",
					 strerror(errno))
			: wait_child(db, pid, -1, pipefd[0], d->name, 0,
				     "nothing was written");
		interrupt_child = 0;
		close(pipefd[0]);
	} else {
		rc = split_run(db, p, &sorted, options, tmp);
	}
	/* The directory's entries are on disk before it takes dir's name. */
	int dfd = rc ? -1 : open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	if (!rc && exists && have) {
		/* Aside first, so that dir is never half the old files and
		 * half the new: rename() replaces only an empty directory. */
		snprintf(old, sizeof old, "%s.oldXXXXXX", base);
		if (!mkdtemp(old) || rename(base, old) != 0)
			rc = qdb__fail(db, QDB_EIO, "%s: cannot move aside: "
				       "%s", base, strerror(errno));
		else if (rename(tmp, base) != 0) {
			rc = qdb__fail(db, QDB_EIO, "%s: cannot rename into "
				       "place: %s", base, strerror(errno));
			rename(old, base);
		} else {
			remove_files_dir(old);
		}
	} else if (!rc && rename(tmp, base) != 0) {
		rc = qdb__fail(db, QDB_EIO, "%s: cannot rename into place: %s",
			       base, strerror(errno));
	}
	if (rc)
		remove_files_dir(tmp);
	else
		qdb__ok(db);
	return rc;
}
