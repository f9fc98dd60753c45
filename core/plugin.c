/*
 * plugin.c: finding, checking and loading export plugins.
 *
 * A name with a '/' is a path; any other name is NAME.so looked up along
 * $QUOTEDB_PLUGIN_PATH, then the install directory, then the plugins
 * directory beside the running program when it runs from the build tree.
 * Only absolute directories are searched: an empty or relative entry
 * never means the current directory.  A file is checked before dlopen
 * runs any of its code: a regular file, owned by the user or root, that
 * no one else can write.  The descriptor is then checked the way SQLite
 * checks an extension: ABI major and minor, size, required fields.
 */
#include "internal.h"
#include "quotedb/plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef QDB_PLUGIN_DIR
#define QDB_PLUGIN_DIR "/usr/local/lib/quotedb/plugins"
#endif

struct qdb_plugin_handle {
	void *dl;
	const qdb_plugin *desc;
	char *path;
};

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

/* Before any of the file's code runs. */
static int check_file(const char *path, qdb_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return refuse(err, path, QDB_ENOTFOUND, "cannot use plugin: %s",
			      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(err, path, QDB_EINVALID, "plugin is not a regular "
			      "file");
	if (st.st_uid != 0 && st.st_uid != getuid())
		return refuse(err, path, QDB_EINVALID, "plugin is owned by "
			      "another user (uid %u)", (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return refuse(err, path, QDB_EINVALID, "plugin is writable by "
			      "others (mode %03o); chmod go-w it",
			      (unsigned)(st.st_mode & 0777));
	return 0;
}

static int check_descriptor(const qdb_plugin *d, const char *path,
			    qdb_error *err)
{
	if (!d)
		return refuse(err, path, QDB_EABI, "%s() returned NULL",
			      QDB_PLUGIN_SYMBOL);
	if (d->abi_major != QDB_PLUGIN_ABI_MAJOR)
		return refuse(err, path, QDB_EABI, "plugin ABI %d.%d, this "
			      "quotedb speaks %d.%d; rebuild the plugin",
			      d->abi_major, d->abi_minor, QDB_PLUGIN_ABI_MAJOR,
			      QDB_PLUGIN_ABI_MINOR);
	if (d->abi_minor > QDB_PLUGIN_ABI_MINOR)
		return refuse(err, path, QDB_EABI, "plugin needs ABI %d.%d, "
			      "newer than this quotedb (%d.%d); upgrade quotedb",
			      d->abi_major, d->abi_minor, QDB_PLUGIN_ABI_MAJOR,
			      QDB_PLUGIN_ABI_MINOR);
	if (d->size < sizeof(qdb_plugin))
		return refuse(err, path, QDB_EABI, "plugin descriptor is %zu "
			      "bytes, shorter than the %zu of ABI %d.%d",
			      d->size, sizeof(qdb_plugin), QDB_PLUGIN_ABI_MAJOR,
			      QDB_PLUGIN_ABI_MINOR);
	const char *missing = !d->name ? "name" : !d->version ? "version"
		: !d->description ? "description" : !d->extension ? "extension"
		: !d->begin ? "begin" : !d->quote ? "quote" : !d->end ? "end"
		: NULL;
	if (missing)
		return refuse(err, path, QDB_EABI, "plugin descriptor has no %s",
			      missing);
	for (const qdb_plugin_option *o = d->options; o && o->name; o++) {
		if (!o->help)
			return refuse(err, path, QDB_EABI, "plugin option '%s' "
				      "has no help", o->name);
	}
	return 0;
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
	int rc = check_file(path, err);
	if (rc)
		return rc;
	dlerror();
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return refuse(err, path, QDB_EINVALID, "cannot load plugin: %s",
			      dlerror());
	qdb_plugin_entry_fn entry;
	/* POSIX blesses this cast for dlsym's result. */
	*(void **)&entry = dlsym(dl, QDB_PLUGIN_SYMBOL);
	if (!entry) {
		const char *why = dlerror();
		rc = refuse(err, path, QDB_EABI, "not a quotedb plugin: no "
			    "symbol %s (%s)", QDB_PLUGIN_SYMBOL,
			    why ? why : "missing");
		dlclose(dl);
		return rc;
	}
	const qdb_plugin *d = entry();
	if ((rc = check_descriptor(d, path, err)) != 0) {
		dlclose(dl);
		return rc;
	}
	qdb_plugin_handle *h = calloc(1, sizeof *h);
	if (!h || !(h->path = strdup(path))) {
		free(h);
		dlclose(dl);
		return refuse(err, path, QDB_ENOMEM, "out of memory");
	}
	h->dl = dl;
	h->desc = d;
	*out = h;
	return 0;
}

void qdb_plugin_unload(qdb_plugin_handle *p)
{
	if (!p)
		return;
	dlclose(p->dl);
	free(p->path);
	free(p);
}

const struct qdb_plugin *qdb_plugin_descriptor_of(const qdb_plugin_handle *p)
{
	return p ? p->desc : NULL;
}

const char *qdb_plugin_path(const qdb_plugin_handle *p)
{
	return p ? p->path : NULL;
}

struct each_so {
	qdb_path_cb cb;
	void *payload;
	char seen[64][64];     /* names found earlier shadow later ones */
	int nseen;
};

static int list_dir(const char *dir, void *payload)
{
	struct each_so *e = payload;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[256];
	int n = 0, rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 3 && !strcmp(de->d_name + l - 3, ".so") &&
		    de->d_name[0] != '.')
			if ((names[n] = strdup(de->d_name)) != NULL)
				n++;
	}
	closedir(d);
	for (int i = 1; i < n; i++)      /* insertion sort: a few names */
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int k = 0; k < e->nseen; k++)
			dup |= !strcmp(e->seen[k], names[i]);
		if (!dup && !rc) {
			char path[PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			if (e->nseen < 64)
				snprintf(e->seen[e->nseen++], 64, "%s", names[i]);
			rc = e->cb(path, e->payload);
		}
		free(names[i]);
	}
	return rc;
}

int qdb_plugin_foreach(qdb_path_cb cb, void *payload)
{
	if (!cb)
		return QDB_EINVALID;
	struct each_so e;
	e.cb = cb;
	e.payload = payload;
	e.nseen = 0;
	return each_dir(list_dir, &e);
}
