/*
 * plugin.c: finding, checking and loading export plugins.
 *
 * A name with a '/' is a path; any other name is NAME.so looked up along
 * $QUOTEDB_PLUGIN_PATH, then the install directory, then the plugins
 * directory beside the running program when it runs from the build tree.
 * Only absolute directories are searched: an empty or relative entry
 * never means the current directory.  A file is opened once and checked
 * before dlopen runs any of its code: a regular file, owned by the user
 * or root, that no one else can write, in directories no one else can
 * write; dlopen then loads that descriptor.  The plugin's descriptor is
 * then checked the way SQLite checks an extension: ABI major and minor,
 * size, required fields.
 */
#define _DEFAULT_SOURCE   /* S_ISVTX */
#include "internal.h"
#include "quotedb/plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef QDB_PLUGIN_DIR
#define QDB_PLUGIN_DIR "/usr/local/lib/quotedb/plugins"
#endif

/*
 * A loaded plugin.  desc and options are the plugin's, read through
 * zeroed copies of this host's sizes: a plugin built for an older minor
 * has what it lacks as zero, and everything above reads one layout.
 */
struct qdb_plugin_handle {
	void *dl;
	/* The descriptor dlopen loaded through /proc/self/fd/N, open as
	 * long as the plugin is: glibc knows a loaded object by that name
	 * first, so two plugins loaded at once must never share an N. */
	int fd;
	qdb_plugin desc;
	qdb_plugin_option *options;   /* desc.options points here */
	size_t noptions;
	char *path;
};

/* The descriptor and option sizes of ABI 1.0, the smallest accepted, and
 * of each later minor (when 1.2 appends to qdb_plugin_option, the size of
 * 1.1 becomes an offsetof and the 1.2 entry is sizeof). */
#define DESCRIPTOR_SIZE_1_0 offsetof(qdb_plugin, option_size)
#define OPTION_SIZE_1_0 offsetof(qdb_plugin_option, type)
static const size_t option_size_of_minor[] = {
	OPTION_SIZE_1_0, sizeof(qdb_plugin_option), sizeof(qdb_plugin_option),
	sizeof(qdb_plugin_option)
};
_Static_assert(sizeof option_size_of_minor / sizeof option_size_of_minor[0]
	       == QDB_PLUGIN_ABI_MINOR + 1, "an option size for every minor");
/* More options than any format needs: a table without its end. */
#define MAX_OPTIONS 256

/* Calls cb for each directory of the search path, in order. */
static int each_dir(int (*cb)(const char *dir, void *payload), void *payload)
{
	const char *env = getenv("QUOTEDB_PLUGIN_PATH");
	int rc;
	if (env) {
		const char *s = env;
		while (*s) {
			const char *e = strchr(s, ':');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n > 0 && s[0] == '/' && n < PATH_MAX) {
				char dir[PATH_MAX];
				memcpy(dir, s, n);
				dir[n] = '\0';
				if ((rc = cb(dir, payload)) != 0)
					return rc;
			}
			if (!e)
				break;
			s = e + 1;
		}
	}
	if ((rc = cb(QDB_PLUGIN_DIR, payload)) != 0)
		return rc;
	/* The build tree: build/quotedb beside build/plugins/. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash && (size_t)(slash - exe) + 9 < sizeof exe) {
			strcpy(slash, "/plugins");
			if (strcmp(exe, QDB_PLUGIN_DIR) != 0 &&
			    (rc = cb(exe, payload)) != 0)
				return rc;
		}
	}
	return 0;
}

struct find {
	const char *name;
	char path[PATH_MAX];
};

static int find_in(const char *dir, void *payload)
{
	struct find *f = payload;
	struct stat st;
	snprintf(f->path, sizeof f->path, "%s/%s.so", dir, f->name);
	if (stat(f->path, &st) == 0)
		return 1;
	f->path[0] = '\0';
	return 0;
}

static int refuse(qdb_error *err, const char *path, int code,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(qdb_error *err, const char *path, int code,
		  const char *fmt, ...)
{
	if (!err)
		return code;
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", path);
	va_list ap;
	va_start(ap, fmt);
	qdb__error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

/* Whether the owner of st may be trusted with code the caller runs:
 * root or the caller. */
static int trusted_owner(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == getuid();
}

/*
 * Checks every directory from dir up to "/": owned by root or the
 * caller, and writable by no one else, unless it is sticky and root's
 * (/tmp): there no one may rename or delete what another user owns.  A
 * directory someone else may write to lets them swap the plugin for
 * their own between any check and the load.
 */
static int check_dirs(const char *dir, const char *path, qdb_error *err)
{
	char d[PATH_MAX];
	snprintf(d, sizeof d, "%s", dir);
	for (;;) {
		struct stat st;
		if (stat(d, &st) != 0)
			return refuse(err, path, QDB_EINVALID, "cannot use "
				      "plugin: directory %s: %s", d,
				      strerror(errno));
		if (!trusted_owner(&st))
			return refuse(err, path, QDB_EINVALID, "plugin "
				      "directory %s is owned by another user "
				      "(uid %u)", d, (unsigned)st.st_uid);
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !((st.st_mode & S_ISVTX) && st.st_uid == 0))
			return refuse(err, path, QDB_EINVALID, "plugin "
				      "directory %s is writable by others "
				      "(mode %03o); chmod go-w it", d,
				      (unsigned)(st.st_mode & 0777));
		char *slash = strrchr(d, '/');
		if (!slash || slash == d) {
			if (d[1] == '\0')
				return 0;
			d[1] = '\0';   /* then "/" itself */
			continue;
		}
		*slash = '\0';
	}
}

/*
 * Opens the plugin at path once and checks what was opened, before any of
 * its code runs: a regular file, owned by root or the caller, that no one
 * else can write, in directories no one else can write (check_dirs).
 * The descriptor is then what dlopen loads, through /proc/self/fd: a file
 * swapped in after the checks is never the one loaded.  *fd is the
 * caller's to close.
 */
static int open_checked(int *fd, const char *path, qdb_error *err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return refuse(err, path, errno == ENOENT ? QDB_ENOTFOUND
			      : QDB_EINVALID, "cannot use plugin: %s",
			      strerror(errno));
	struct stat st;
	char link[64], real[PATH_MAX];
	int rc = 0;
	if (fstat(*fd, &st) != 0)
		rc = refuse(err, path, QDB_EINVALID, "cannot use plugin: %s",
			    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = refuse(err, path, QDB_EINVALID, "plugin is not a regular "
			    "file");
	else if (!trusted_owner(&st))
		rc = refuse(err, path, QDB_EINVALID, "plugin is owned by "
			    "another user (uid %u)", (unsigned)st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = refuse(err, path, QDB_EINVALID, "plugin is writable by "
			    "others (mode %03o); chmod go-w it",
			    (unsigned)(st.st_mode & 0777));
	if (rc)
		goto fail;
	/* The directories of the file opened, wherever links led. */
	snprintf(link, sizeof link, "/proc/self/fd/%d", *fd);
	ssize_t n = readlink(link, real, sizeof real - 1);
	if (n <= 0 || real[0] != '/') {
		rc = refuse(err, path, QDB_EINVALID, "cannot load plugin "
			    "safely: %s: %s (is /proc mounted?)", link,
			    n < 0 ? strerror(errno) : "not a path");
		goto fail;
	}
	real[n] = '\0';
	*strrchr(real, '/') = '\0';
	if ((rc = check_dirs(real[0] ? real : "/", path, err)) == 0)
		return 0;
fail:
	close(*fd);
	*fd = -1;
	return rc;
}

/* "a, b or c" for the values of an enum option, into buf. */
static void list_values(char *buf, size_t size, const char *const *v)
{
	size_t n = 0, k = 0;
	buf[0] = '\0';
	while (v[k])
		k++;
	for (size_t i = 0; i < k && n < size; i++) {
		int w = snprintf(buf + n, size - n, "%s%s", i == 0 ? ""
				 : i + 1 == k ? " or " : ", ", v[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/*
 * Parses value for option o into *num: 0, or QDB_EINVALID with err->text
 * saying why.  A boolean's value is given back normalized in *shown.
 */
static int parse_value(long long *num, const char **shown,
		       const qdb_plugin_option *o, const char *value,
		       qdb_error *err)
{
	static const char *const yes[] = { "1", "yes", "true", "on", NULL };
	static const char *const no[] = { "0", "no", "false", "off", NULL };
	char list[256];
	*num = 0;
	switch (o->type) {
	case QDB_OPTION_STRING:
		return 0;
	case QDB_OPTION_BOOL:
		for (int i = 0; yes[i]; i++) {
			if (!strcmp(value, yes[i])) {
				*num = 1;
				*shown = "1";
				return 0;
			}
			if (!strcmp(value, no[i])) {
				*shown = "0";
				return 0;
			}
		}
		return qdb__error_set(err, QDB_EINVALID, "option %s: \"%s\" is "
				      "not 0 or 1 (or yes/no, true/false, "
				      "on/off)", o->name, value);
	case QDB_OPTION_ENUM:
		for (int i = 0; o->values[i]; i++)
			if (!strcmp(value, o->values[i])) {
				*num = i;
				return 0;
			}
		list_values(list, sizeof list, o->values);
		return qdb__error_set(err, QDB_EINVALID, "option %s: \"%s\" is "
				      "not %s", o->name, value, list);
	case QDB_OPTION_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (!*value || *end || errno || v < o->min || v > o->max)
			return qdb__error_set(err, QDB_EINVALID, "option %s: "
					      "\"%s\" is not a whole number "
					      "from %lld to %lld", o->name,
					      value, o->min, o->max);
		*num = v;
		return 0;
	}
	}
	return qdb__error_set(err, QDB_EINVALID, "option %s has no known type",
			      o->name);
}

/* Copies the plugin's option table into h, one zeroed entry of this
 * host's size per entry of the plugin's, and checks each. */
static int take_options(qdb_plugin_handle *h, const char *path,
			qdb_error *err)
{
	const qdb_plugin *d = &h->desc;
	/* option_size says the stride; a descriptor that leaves it 0 (one
	 * written before 1.1, rebuilt with positional initializers) has the
	 * options of the minor it was built for. */
	size_t stride = d->abi_minor >= 1 && d->option_size ? d->option_size
		: option_size_of_minor[d->abi_minor];
	if (!d->options) {
		h->desc.option_size = sizeof(qdb_plugin_option);
		return 0;
	}
	if (stride < OPTION_SIZE_1_0)
		return refuse(err, path, QDB_EABI, "plugin options are %zu "
			      "bytes each, shorter than the %zu of ABI %d.0",
			      stride, OPTION_SIZE_1_0, QDB_PLUGIN_ABI_MAJOR);
	const char *base = (const char *)d->options;
	size_t n = 0;
	while (n < MAX_OPTIONS &&
	       ((const qdb_plugin_option *)(const void *)(base + n * stride))
	       ->name)
		n++;
	if (n == MAX_OPTIONS)
		return refuse(err, path, QDB_EABI, "plugin option table has no "
			      "end within %d entries", MAX_OPTIONS);
	h->options = calloc(n + 1, sizeof *h->options);
	if (!h->options)
		return refuse(err, path, QDB_ENOMEM, "out of memory");
	h->noptions = n;
	for (size_t i = 0; i < n; i++) {
		qdb_plugin_option *o = &h->options[i];
		memcpy(o, base + i * stride, stride < sizeof *o ? stride
		       : sizeof *o);
		if (!o->help)
			return refuse(err, path, QDB_EABI, "plugin option '%s' "
				      "has no help", o->name);
		if ((unsigned)o->type > QDB_OPTION_INT ||
		    (o->type == QDB_OPTION_ENUM && !o->values) ||
		    (o->type == QDB_OPTION_ENUM && !o->values[0]) ||
		    (o->type == QDB_OPTION_INT && o->min > o->max))
			return refuse(err, path, QDB_EABI, "plugin option '%s' "
				      "has a bad type", o->name);
		long long num;
		const char *shown = o->default_value;
		qdb_error why = { 0 };
		if (o->default_value && o->type != QDB_OPTION_STRING &&
		    parse_value(&num, &shown, o, o->default_value, &why))
			return refuse(err, path, QDB_EABI, "plugin default: %s",
				      why.text);
	}
	h->desc.options = h->options;
	h->desc.option_size = sizeof(qdb_plugin_option);
	return 0;
}

size_t qdb__plugin_noptions(const qdb_plugin *d)
{
	size_t n = 0;
	while (d->options && d->options[n].name)
		n++;
	return n;
}

/* The names of d's options, "a, b, c", for a message; "none". */
static void option_names(char *buf, size_t size, const qdb_plugin *d)
{
	size_t n = 0;
	buf[0] = '\0';
	for (const qdb_plugin_option *o = d->options; o && o->name; o++) {
		int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				 o->name);
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	if (!n)
		snprintf(buf, size, "none");
}

int qdb__plugin_options(const char **values, long long *nums,
			const qdb_plugin *d, const char *const *options,
			qdb_error *err)
{
	size_t n = qdb__plugin_noptions(d);
	for (size_t i = 0; i < n; i++) {
		values[i] = NULL;
		nums[i] = 0;
	}
	for (; options && *options; options++) {
		const char *eq = strchr(*options, '=');
		if (!eq)
			return qdb__error_set(err, QDB_EINVALID, "option '%s' "
					      "needs a value: key=value",
					      *options);
		size_t len = (size_t)(eq - *options), i;
		for (i = 0; i < n; i++)
			if (strlen(d->options[i].name) == len &&
			    !strncmp(d->options[i].name, *options, len))
				break;
		if (i == n) {
			char names[512];
			option_names(names, sizeof names, d);
			return qdb__error_set(err, QDB_ENOTFOUND, "format '%s' "
					      "has no option '%.*s'; it takes: %s",
					      d->name, (int)len, *options, names);
		}
		values[i] = eq + 1;   /* the last one given wins */
	}
	for (size_t i = 0; i < n; i++) {
		const qdb_plugin_option *o = &d->options[i];
		if (!values[i])
			values[i] = o->default_value;
		if (values[i] && parse_value(&nums[i], &values[i], o, values[i],
					     err))
			return QDB_EINVALID;
	}
	return 0;
}

/*
 * Copies the descriptor d of the plugin at path into h, checking it the
 * way SQLite checks an extension: ABI major and minor, size, required
 * fields; then each option.
 */
static int take_descriptor(qdb_plugin_handle *h, const qdb_plugin *d,
			   const char *path, qdb_error *err)
{
	if (!d)
		return refuse(err, path, QDB_EABI, "%s() returned NULL",
			      QDB_PLUGIN_SYMBOL);
	if (d->abi_major != QDB_PLUGIN_ABI_MAJOR)
		return refuse(err, path, QDB_EABI, "plugin ABI %d.%d, this "
			      "quotedb speaks %d.%d; rebuild the plugin",
			      d->abi_major, d->abi_minor, QDB_PLUGIN_ABI_MAJOR,
			      QDB_PLUGIN_ABI_MINOR);
	if (d->abi_minor > QDB_PLUGIN_ABI_MINOR || d->abi_minor < 0)
		return refuse(err, path, QDB_EABI, "plugin needs ABI %d.%d, "
			      "newer than this quotedb (%d.%d); upgrade quotedb",
			      d->abi_major, d->abi_minor, QDB_PLUGIN_ABI_MAJOR,
			      QDB_PLUGIN_ABI_MINOR);
	if (d->size < DESCRIPTOR_SIZE_1_0)
		return refuse(err, path, QDB_EABI, "plugin descriptor is %zu "
			      "bytes, shorter than the %zu of ABI %d.0",
			      d->size, DESCRIPTOR_SIZE_1_0, QDB_PLUGIN_ABI_MAJOR);
	memset(&h->desc, 0, sizeof h->desc);
	memcpy(&h->desc, d, d->size < sizeof h->desc ? d->size
	       : sizeof h->desc);
	d = &h->desc;
	const char *missing = !d->name ? "name" : !d->version ? "version"
		: !d->description ? "description" : !d->extension ? "extension"
		: !d->begin ? "begin" : !d->quote ? "quote" : !d->end ? "end"
		: NULL;
	if (missing)
		return refuse(err, path, QDB_EABI, "plugin descriptor has no %s",
			      missing);
	/* rank needs a search: a plugin cannot ask for it */
	if ((unsigned)d->sort > QDB_SORT_SOURCE || d->sort == QDB_SORT_RANK)
		return refuse(err, path, QDB_EABI, "plugin asks for sort %d, "
			      "which is none of added, date, speaker, outlet "
			      "or source", (int)d->sort);
	return take_options(h, path, err);
}

/*
 * Whether addr lies in an executable mapping of this process: 0 when it
 * does, 1 when it does not, -1 when /proc/self/maps cannot be read.
 */
static int executable(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;   /* errno says why */
	uintptr_t a = (uintptr_t)addr;
	char *line = NULL;
	size_t cap = 0;
	int rc = 1;
	for (;;) {
		errno = 0;
		if (getline(&line, &cap, f) < 0) {
			if (errno || ferror(f))
				rc = -1;   /* out of memory: no answer */
			break;
		}
		unsigned long lo, hi;
		char perms[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    a >= lo && a < hi) {
			rc = perms[2] == 'x' ? 0 : 1;
			break;
		}
	}
	int saved = errno;
	free(line);
	fclose(f);
	errno = saved;
	return rc;
}

static int valid_name(const char *name)
{
	if (!*name)
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return 0;
	return 1;
}

int qdb_plugin_load(qdb_plugin_handle **out, const char *name, qdb_error *err)
{
	if (!out || !name)
		return QDB_EINVALID;
	*out = NULL;
	struct find f = { name, "" };
	const char *path = name;
	if (!strchr(name, '/')) {
		if (!valid_name(name))
			return refuse(err, name, QDB_EINVALID, "not a format "
				      "name (letters, digits, - and _)");
		each_dir(find_in, &f);
		if (!f.path[0])
			return refuse(err, name, QDB_ENOTFOUND, "no plugin "
				      "'%s' (%s.so) along QUOTEDB_PLUGIN_PATH, "
				      "%s or the build tree; see "
				      "'quotedb formats'", name, name,
				      QDB_PLUGIN_DIR);
		path = f.path;
	}
	int fd;
	int rc = open_checked(&fd, path, err);
	if (rc)
		return rc;
	char fdpath[64];
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	dlerror();
	void *dl = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		rc = refuse(err, path, QDB_EINVALID, "cannot load plugin: %s",
			    dlerror());
		close(fd);
		return rc;
	}
	qdb_plugin_entry_fn entry;
	/* POSIX blesses this cast for dlsym's result. */
	*(void **)&entry = dlsym(dl, QDB_PLUGIN_SYMBOL);
	if (!entry) {
		const char *why = dlerror();
		rc = refuse(err, path, QDB_EABI, "not a quotedb plugin: no "
			    "symbol %s (%s)", QDB_PLUGIN_SYMBOL,
			    why ? why : "missing");
		dlclose(dl);
		close(fd);
		return rc;
	}
	/* A data symbol of that name would be "called" into: refused
	 * before, not a crash after. */
	if ((rc = executable(*(void **)&entry)) != 0) {
		rc = rc > 0 ? refuse(err, path, QDB_EABI, "not a quotedb "
				     "plugin: %s is not a function (it is not "
				     "in an executable part of the file)",
				     QDB_PLUGIN_SYMBOL)
			: refuse(err, path, errno == ENOMEM ? QDB_ENOMEM
				 : QDB_EINVALID, "cannot check plugin: "
				 "/proc/self/maps: %s", strerror(errno ? errno
								 : EIO));
		dlclose(dl);
		close(fd);
		return rc;
	}
	qdb_plugin_handle *h = calloc(1, sizeof *h);
	if (!h || !(h->path = strdup(path))) {
		free(h);
		dlclose(dl);
		close(fd);
		return refuse(err, path, QDB_ENOMEM, "out of memory");
	}
	h->dl = dl;
	h->fd = fd;
	if ((rc = take_descriptor(h, entry(), path, err)) != 0) {
		qdb_plugin_unload(h);
		return rc;
	}
	*out = h;
	return 0;
}

void qdb_plugin_unload(qdb_plugin_handle *p)
{
	if (!p)
		return;
	dlclose(p->dl);
	close(p->fd);
	free(p->options);
	free(p->path);
	free(p);
}

const struct qdb_plugin *qdb_plugin_descriptor_of(const qdb_plugin_handle *p)
{
	return p ? &p->desc : NULL;
}

const char *qdb_plugin_path(const qdb_plugin_handle *p)
{
	return p ? p->path : NULL;
}

/* The names (NAME of NAME.so) found along the search path: a growing,
 * deduplicated list, as many as there are. */
struct names {
	char **v;
	size_t n, cap;
	int failed;
};

static int names_has(const struct names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], name))
			return 1;
	return 0;
}

static int collect_dir(const char *dir, void *payload)
{
	struct names *l = payload;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0 ||
		    de->d_name[0] == '.')
			continue;
		char *name = strndup(de->d_name, len - 3);
		if (!name) {
			l->failed = 1;
			break;
		}
		if (names_has(l, name)) {
			free(name);
			continue;
		}
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			char **v = realloc(l->v, cap * sizeof *v);
			if (!v) {
				free(name);
				l->failed = 1;
				break;
			}
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = name;
	}
	closedir(d);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every plugin name found along the search path, sorted, each given to cb
 * with the file qdb_plugin_load would load for that name: the same
 * lookup (find_in), so `formats` and `export --format NAME` cannot
 * disagree, however many plugins there are.  A file whose name is no
 * format name (valid_name) can only be loaded by its path: such a name is
 * listed after the others, by the path of its first file.
 */
int qdb_plugin_foreach(qdb_path_cb cb, void *payload)
{
	if (!cb)
		return QDB_EINVALID;
	struct names l = { 0 };
	each_dir(collect_dir, &l);
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, by_name);
	int rc = l.failed ? QDB_ENOMEM : 0;
	for (size_t i = 0; i < l.n && !rc; i++) {
		if (!valid_name(l.v[i]))
			continue;
		struct find f = { l.v[i], "" };
		each_dir(find_in, &f);
		if (f.path[0])
			rc = cb(f.path, payload);
	}
	for (size_t i = 0; i < l.n && !rc; i++) {
		if (valid_name(l.v[i]))
			continue;
		struct find f = { l.v[i], "" };
		each_dir(find_in, &f);
		if (f.path[0])
			rc = cb(f.path, payload);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}
