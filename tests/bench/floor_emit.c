/*
 * floor_emit.c: the least work that writes every quote of a quotedb
 * database as YAML, as the floor the yaml export plugin is measured
 * against: the cursor's SELECT with its joins, and libyaml's emitter with
 * the plugin's settings and document shape (double-quoted values, flow
 * tags, sorted by source with one document per source, its source:
 * mapping on top), straight into a stdio file.  No plugin host, no quote
 * records, no temporary file or fsync.
 *
 * Usage: floor_emit DB OUT
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static yaml_emitter_t em;

static void fail(const char *what)
{
	fprintf(stderr, "floor_emit: %s: %s\n", what,
		em.problem ? em.problem : "error");
	exit(1);
}

static void emit(yaml_event_t *ev)
{
	if (!yaml_emitter_emit(&em, ev))
		fail("emit");
}

static void scalar(const char *s, int len, int plain)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
					  len, plain, !plain, plain
					  ? YAML_PLAIN_SCALAR_STYLE
					  : YAML_DOUBLE_QUOTED_SCALAR_STYLE))
		fail("scalar");
	emit(&ev);
}

static void mapping(int start)
{
	yaml_event_t ev;
	if (start)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_mapping_end_event_initialize(&ev);
	emit(&ev);
}

static void field(sqlite3_stmt *st, int col, const char *key)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	if (!v)
		return;
	scalar(key, (int)strlen(key), 1);
	scalar(v, sqlite3_column_bytes(st, col), 0);
}

static void end_document(void)
{
	yaml_event_t ev;
	yaml_sequence_end_event_initialize(&ev);
	emit(&ev);
	mapping(0);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&ev);
}

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor_emit DB OUT\n");
		return 2;
	}
	sqlite3 *db;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_prepare_v2(db,
		"SELECT q.id, q.text, s.name, q.role, q.date, q.date_text, "
		"o.name, q.programme, q.occasion, q.reported_by, q.locator, "
		"q.language, q.translated, q.context, q.tags, src.title, "
		"src.author, src.date, src.url, src.file, src.id"
		" FROM quotes q JOIN speakers s ON s.id = q.speaker_id"
		" LEFT JOIN outlets o ON o.id = q.outlet_id"
		" LEFT JOIN sources src ON src.id = q.source_id"
		/* the cursor's QDB_SORT_SOURCE */
		" ORDER BY src.title IS NULL, src.title, src.id, q.locator,"
		" q.date_lo IS NULL, q.date_lo, q.date_hi DESC, q.qid",
		-1, &st, NULL)) {
		fprintf(stderr, "floor_emit: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	FILE *out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	static const char *const keys[14] = {
		"id", "text", "speaker", "role", "date", "date_text",
		"outlet", "programme", "occasion", "reported_by", "locator",
		"language", "translated", "context"
	};
	static const char *const skeys[5] = { "title", "author", "date",
		"url", "file" };
	yaml_event_t ev;
	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_encoding(&em, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&ev);
	long n = 0;
	sqlite3_int64 cur = -1;   /* the document's source; 0: none */
	while (sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_int64 src = sqlite3_column_int64(st, 20);
		if (src != cur) {
			if (cur >= 0)
				end_document();
			cur = src;
			yaml_document_start_event_initialize(&ev, NULL, NULL,
							     NULL, 1);
			emit(&ev);
			mapping(1);
			if (src) {
				scalar("source", 6, 1);
				mapping(1);
				for (int i = 0; i < 5; i++)
					field(st, 15 + i, skeys[i]);
				mapping(0);
			}
			scalar("quotes", 6, 1);
			yaml_sequence_start_event_initialize(&ev, NULL, NULL,
				1, YAML_BLOCK_SEQUENCE_STYLE);
			emit(&ev);
		}
		mapping(1);
		for (int i = 0; i < 14; i++)
			field(st, i, keys[i]);
		const char *tags = (const char *)sqlite3_column_text(st, 14);
		if (tags) {
			const char *end = tags + sqlite3_column_bytes(st, 14);
			scalar("tags", 4, 1);
			yaml_sequence_start_event_initialize(&ev, NULL, NULL,
				1, YAML_FLOW_SEQUENCE_STYLE);
			emit(&ev);
			for (const char *p = tags; p <= end;) {
				const char *sep = memchr(p, '\x1f',
							 (size_t)(end - p));
				if (!sep)
					sep = end;
				scalar(p, (int)(sep - p), 0);
				p = sep + 1;
			}
			yaml_sequence_end_event_initialize(&ev);
			emit(&ev);
		}
		mapping(0);
		n++;
	}
	if (cur >= 0) {
		end_document();
	} else {
		/* no quotes */
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		emit(&ev);
		mapping(1);
		scalar("quotes", 6, 1);
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_FLOW_SEQUENCE_STYLE);
		emit(&ev);
		end_document();
	}
	yaml_stream_end_event_initialize(&ev);
	emit(&ev);
	if (!yaml_emitter_flush(&em) || fclose(out) != 0)
		fail("write");
	yaml_emitter_delete(&em);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fprintf(stderr, "floor_emit: %ld quotes\n", n);
	return 0;
}
