/*
 * outbuf.h: the output buffer the csv and latex plugins share.  A plugin
 * writes many small pieces; they are gathered here and reach the host in
 * calls of at most 64 KiB (the bound the plugin tests check), so an
 * export costs one host write per 64 KiB, not one per piece.
 *
 * Private to the plugins of this tree, not part of the plugin ABI: static
 * inline, so each plugin still builds from its own file into one .so.
 */
#ifndef QDB_PLUGINS_OUTBUF_H
#define QDB_PLUGINS_OUTBUF_H

#include <string.h>

#include "quotedb/plugin.h"

#define QDB_OUTBUF_CAP (64 * 1024)

typedef struct qdb_outbuf {
	const qdb_plugin_host *host;
	const char *format;      /* "CSV": named when a write fails */
	size_t len;              /* bytes waiting in data */
	char data[QDB_OUTBUF_CAP];
} qdb_outbuf;

/* Hands what is waiting to the host; QDB_EIO, with the host told why,
 * when its write fails. */
static inline int qdb_outbuf_flush(qdb_outbuf *b)
{
	if (b->len == 0)
		return 0;
	if (b->host->write(b->host, b->data, b->len) != 0) {
		b->host->error(b->host, "cannot write the %s output",
			       b->format);
		return QDB_EIO;
	}
	b->len = 0;
	return 0;
}

static inline int qdb_outbuf_put(qdb_outbuf *b, const char *p, size_t n)
{
	while (n > 0) {
		if (b->len == QDB_OUTBUF_CAP) {
			int rc = qdb_outbuf_flush(b);
			if (rc)
				return rc;
		}
		size_t room = QDB_OUTBUF_CAP - b->len;
		size_t k = n < room ? n : room;
		memcpy(b->data + b->len, p, k);
		b->len += k;
		p += k;
		n -= k;
	}
	return 0;
}

#endif
