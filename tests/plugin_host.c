/*
 * plugin_host.c: the fake plugin host of plugin_host.h.
 */
#include "plugin_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fh_write(const qdb_plugin_host *h, const void *buf, size_t len)
{
	fake_host *fh = (fake_host *)h;
	if (fh->fail_after && fh->out.len + len > fh->fail_after)
		return -1;
	fh->nwrites++;
	if (len > fh->max_write)
		fh->max_write = len;
	return th_buf_write(buf, len, &fh->out);
}

static const char *fh_option(const qdb_plugin_host *h, const char *name)
{
	fake_host *fh = (fake_host *)h;
	const qdb_plugin_option *o = fh->plugin->options;
	while (o && o->name && strcmp(o->name, name) != 0)
		o++;
	if (!o || !o->name)
		return NULL;
	size_t n = strlen(name);
	for (const char *const *p = fh->options; p && *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return o->default_value;
}

__attribute__((format(printf, 2, 3)))
static void fh_error(const qdb_plugin_host *h, const char *fmt, ...)
{
	fake_host *fh = (fake_host *)h;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fh->err, sizeof fh->err, fmt, ap);
	va_end(ap);
	fh->nerrors++;
}

void fh_init(fake_host *fh, const qdb_plugin *p,
		    const char *const *options)
{
	memset(fh, 0, sizeof *fh);
	fh->h.size = sizeof(qdb_plugin_host);
	fh->h.abi_major = QDB_PLUGIN_ABI_MAJOR;
	fh->h.abi_minor = QDB_PLUGIN_ABI_MINOR;
	fh->h.write = fh_write;
	fh->h.option = fh_option;
	fh->h.error = fh_error;
	fh->plugin = p;
	fh->options = options;
}

/* begin, one quote call per quote, end: what the host does. */
int fh_export(fake_host *fh, const qdb_quote *qs, size_t n)
{
	void *state = NULL;
	int rc = fh->plugin->begin(&state, &fh->h);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = fh->plugin->quote(state, &qs[i], &fh->h);
	int erc = fh->plugin->end(state, rc, &fh->h);
	return rc ? rc : erc;
}
