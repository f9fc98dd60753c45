/*
 * plugin_host.c: what the plugin suites share (plugin_host.h): the fake
 * host, loading a plugin, quotes read from YAML as test input, FAILF.
 */
#include "plugin_host.h"
#include "../core/internal.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

/* The index of option name in the plugin's table, or -1. */
static int fh_option_index(const fake_host *fh, const char *name)
{
	for (int i = 0; fh->plugin->options && fh->plugin->options[i].name;
	     i++)
		if (!strcmp(fh->plugin->options[i].name, name))
			return i;
	return -1;
}

static const char *fh_option(const qdb_plugin_host *h, const char *name)
{
	const fake_host *fh = (const fake_host *)h;
	int i = fh_option_index(fh, name);
	return i < 0 ? NULL : fh->values[i];
}

static long long fh_option_int(const qdb_plugin_host *h, const char *name)
{
	const fake_host *fh = (const fake_host *)h;
	int i = fh_option_index(fh, name);
	return i < 0 ? 0 : fh->nums[i];
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

/* The entities the test gave, each line split at its tabs. */
static int fh_entities(const qdb_plugin_host *h, qdb_entity_kind kind,
		       int (*cb)(const char *name, const char *const *aliases,
				 size_t naliases, void *payload),
		       void *payload)
{
	const fake_host *fh = (const fake_host *)h;
	const char *const *lines = fh->entities[kind == QDB_OUTLET];
	for (size_t i = 0; lines && lines[i]; i++) {
		char buf[512], *parts[16];
		size_t n = 0;
		snprintf(buf, sizeof buf, "%s", lines[i]);
		for (char *save = NULL, *t = strtok_r(buf, "\t", &save);
		     t && n < 16; t = strtok_r(NULL, "\t", &save))
			parts[n++] = t;
		int rc = cb(parts[0], (const char *const *)parts + 1, n - 1,
			    payload);
		if (rc)
			return rc;
	}
	return 0;
}

/* The key of a "name\tkey" line of the test's, or NULL. */
static const char *fh_sort_as(const qdb_plugin_host *h, const char *name)
{
	fake_host *fh = (fake_host *)(void *)h;
	size_t n = strlen(name);
	for (size_t i = 0; fh->sort_keys && fh->sort_keys[i]; i++) {
		const char *l = fh->sort_keys[i];
		if (!strncmp(l, name, n) && l[n] == '\t') {
			snprintf(fh->sort_buf, sizeof fh->sort_buf, "%s",
				 l + n + 1);
			return fh->sort_buf;
		}
	}
	return NULL;
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
	fh->h.option_int = fh_option_int;
	fh->h.error = fh_error;
	fh->h.sort = p->sort;
	fh->h.fields = qdb_fields(&fh->h.nfields);
	fh->h.entities = fh_entities;
	fh->h.speaker_sort_as = fh_sort_as;
	fh->plugin = p;
	fh->options = options;
	/* The host's own check of the options (core/plugin.c). */
	qdb_error err = { 0 };
	CU_ASSERT_FATAL(qdb__plugin_noptions(p) <= FH_OPTIONS);
	fh->options_rc = qdb__plugin_options(fh->values, fh->nums, p, options,
					     &err);
	if (fh->options_rc)
		snprintf(fh->err, sizeof fh->err, "%s", err.text);
}

/* begin, one quote call per quote, end: what the host does. */
int fh_export(fake_host *fh, const qdb_quote *qs, size_t n)
{
	void *state = NULL;
	if (fh->options_rc)
		return QDB_EINVALID;
	int rc = fh->plugin->begin(&state, &fh->h);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = fh->plugin->quote(state, &qs[i], &fh->h);
	int erc = fh->plugin->end(state, rc, &fh->h);
	return rc ? rc : erc;
}

/* The quote the contract checks send. */
static qdb_quote contract_quote(const char *text)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = (qdb_str){ text, strlen(text) };
	q.speaker = (qdb_str){ "Speaker", 7 };
	return q;
}

void fh_check_streams(const qdb_plugin *p, th_buf *out)
{
	qdb_quote q = contract_quote("a quote of some length, repeated");
	fake_host fh;
	void *state = NULL;
	fh_init(&fh, p, NULL);
	CU_ASSERT_EQUAL_FATAL(p->begin(&state, &fh.h), 0);
	for (int i = 0; i < 20000; i++)
		CU_ASSERT_EQUAL_FATAL(p->quote(state, &q, &fh.h), 0);
	size_t before_end = fh.out.len;
	CU_ASSERT_EQUAL(p->end(state, 0, &fh.h), 0);
	CU_ASSERT(before_end > fh.out.len / 2);
	CU_ASSERT(fh.nwrites > 1);
	CU_ASSERT(fh.max_write <= 64 * 1024);
	if (out)
		*out = fh.out;
	else
		th_buf_free(&fh.out);
}

void fh_check_write_error(const qdb_plugin *p, const char *msg)
{
	qdb_quote q = contract_quote("text");
	fake_host fh;
	void *state = NULL;
	int rc = 0;
	fh_init(&fh, p, NULL);
	fh.fail_after = 1;
	CU_ASSERT_EQUAL_FATAL(p->begin(&state, &fh.h), 0);
	for (int i = 0; i < 10000 && !rc; i++)
		rc = p->quote(state, &q, &fh.h);
	CU_ASSERT_EQUAL(rc, QDB_EIO);
	CU_ASSERT_STRING_EQUAL(fh.err, msg);
	CU_ASSERT_EQUAL(p->end(state, rc, &fh.h), 0);
	th_buf_free(&fh.out);
	/* and at the final flush in end */
	fh_init(&fh, p, NULL);
	fh.fail_after = 1;
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EIO);
	th_buf_free(&fh.out);
}

void fh_check_abort(const qdb_plugin *p)
{
	qdb_quote q = contract_quote("text");
	fake_host fh;
	void *state = NULL;
	fh_init(&fh, p, NULL);
	CU_ASSERT_EQUAL_FATAL(p->begin(&state, &fh.h), 0);
	CU_ASSERT_EQUAL(p->quote(state, &q, &fh.h), 0);
	CU_ASSERT_EQUAL(p->end(state, QDB_EUSER, &fh.h), 0);
	CU_ASSERT_EQUAL(fh.out.len, 0);
	th_buf_free(&fh.out);
}

void fh_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}

const qdb_plugin *fh_load(const char *name, void **dl)
{
	qdb_plugin_entry_fn entry;
	*dl = dlopen(th_plugin(name), RTLD_NOW | RTLD_LOCAL);
	if (!*dl) {
		fprintf(stderr, "%s: %s\n", name, dlerror());
		return NULL;
	}
	void *sym = dlsym(*dl, QDB_PLUGIN_SYMBOL);
	if (!sym) {
		fprintf(stderr, "%s: %s\n", name, dlerror());
		return NULL;
	}
	memcpy(&entry, &sym, sizeof entry);
	return entry();
}

void fh_check_one_symbol(const char *path)
{
	char *out = NULL;
	int rc = th_run(&out, NULL, "nm -D --defined-only '%s' | awk '$NF !~ "
			"/^__gcov_/ && $NF != \"mangle_path\" { print $NF }'",
			path);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, QDB_PLUGIN_SYMBOL "\n");
	free(out);
}

void fh_check_descriptor(const qdb_plugin *p, const char *name,
			 const char *extension, const char *const (*options)[2])
{
	CU_ASSERT_EQUAL(p->abi_major, QDB_PLUGIN_ABI_MAJOR);
	CU_ASSERT_EQUAL(p->abi_minor, QDB_PLUGIN_ABI_MINOR);
	CU_ASSERT_EQUAL(p->size, sizeof(qdb_plugin));
	CU_ASSERT_EQUAL(p->option_size, sizeof(qdb_plugin_option));
	CU_ASSERT_STRING_EQUAL(p->name, name);
	CU_ASSERT_PTR_NOT_NULL(p->version);
	CU_ASSERT_STRING_EQUAL(p->extension, extension);
	CU_ASSERT_PTR_NOT_NULL(p->description);
	CU_ASSERT_PTR_NOT_NULL(p->begin);
	CU_ASSERT_PTR_NOT_NULL(p->quote);
	CU_ASSERT_PTR_NOT_NULL(p->end);
	size_t i = 0;
	for (; options[i][0]; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(p->options);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p->options[i].name);
		CU_ASSERT_STRING_EQUAL(p->options[i].name, options[i][0]);
		CU_ASSERT_STRING_EQUAL(p->options[i].default_value,
				       options[i][1]);
		CU_ASSERT_PTR_NOT_NULL(p->options[i].help);
	}
	CU_ASSERT(!p->options || !p->options[i].name);
}

/* ---- Quotes from YAML (docs/format.md), for test input ------------- */

qdb_str str_dup(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return (qdb_str){ s, n };
}

static qdb_str str_copy(qdb_str s)
{
	return s.ptr ? str_dup(s.ptr, s.len) : s;
}

static void quote_clear(qdb_quote *q)
{
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	for (size_t i = 0; i < n; i++)
		if (f[i].kind != QDB_FIELD_TAGS)
			free((void *)qdb_quote_str(q, &f[i]).ptr);
	for (size_t i = 0; i < q->ntags; i++)
		free((void *)q->tags[i].ptr);
	free((void *)q->tags);
}

void quotes_free(quote_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		quote_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The field of q that key names, or NULL. */
/* The string field of q whose YAML key is key (path for a source field),
 * from the field table; NULL for tags or no such key. */
static qdb_str *field_at(qdb_quote *q, const char *path)
{
	const qdb_field *f = qdb_field_find(path);
	if (!f || f->kind == QDB_FIELD_TAGS || strcmp(f->key, path) != 0)
		return NULL;
	return (qdb_str *)(void *)((char *)q + f->offset);
}

qdb_str *quote_field(qdb_quote *q, const char *key)
{
	return strchr(key, '.') ? NULL : field_at(q, key);
}

qdb_str *source_field(qdb_quote *q, const char *key)
{
	char path[64];
	snprintf(path, sizeof path, "source.%s", key);
	return field_at(q, path);
}

static int scalar(yaml_node_t *n, const char **p, size_t *len)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return -1;
	*p = (const char *)n->data.scalar.value;
	*len = n->data.scalar.length;
	return 0;
}

/* Fills the source fields of q from a source: mapping. */
static int load_source(qdb_quote *q, yaml_document_t *d, yaml_node_t *m,
		       char *err, size_t errlen)
{
	if (!m || m->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "source: not a mapping");
		return -1;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		const char *k, *v;
		size_t kl, vl;
		qdb_str *f;
		if (scalar(yaml_document_get_node(d, p->key), &k, &kl) ||
		    !(f = source_field(q, k)) ||
		    scalar(yaml_document_get_node(d, p->value), &v, &vl)) {
			snprintf(err, errlen, "source: bad key or value");
			return -1;
		}
		free((void *)f->ptr);
		*f = str_dup(v, vl);
	}
	return 0;
}

static int load_quote(qdb_quote *q, const qdb_quote *file_source,
		      yaml_document_t *d, yaml_node_t *m, char *err,
		      size_t errlen)
{
	*q = (qdb_quote)QDB_QUOTE_INIT;
	q->source = str_copy(file_source->source);
	q->source_author = str_copy(file_source->source_author);
	q->source_date = str_copy(file_source->source_date);
	q->source_url = str_copy(file_source->source_url);
	q->source_file = str_copy(file_source->source_file);
	if (m->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "quote: not a mapping");
		return -1;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		const char *k, *v;
		size_t kl, vl;
		yaml_node_t *val = yaml_document_get_node(d, p->value);
		qdb_str *f;
		if (scalar(yaml_document_get_node(d, p->key), &k, &kl)) {
			snprintf(err, errlen, "quote: key not a scalar");
			return -1;
		}
		if (strcmp(k, "source") == 0) {
			/* a quote's source replaces the file's */
			qdb_str *s[] = { &q->source, &q->source_author,
					 &q->source_date, &q->source_url,
					 &q->source_file };
			for (size_t i = 0; i < 5; i++) {
				free((void *)s[i]->ptr);
				*s[i] = (qdb_str){ NULL, 0 };
			}
			if (load_source(q, d, val, err, errlen))
				return -1;
		} else if (strcmp(k, "tags") == 0) {
			if (!val || val->type != YAML_SEQUENCE_NODE) {
				snprintf(err, errlen, "tags: not a sequence");
				return -1;
			}
			size_t n = (size_t)(val->data.sequence.items.top -
					    val->data.sequence.items.start);
			qdb_str *tags = calloc(n ? n : 1, sizeof *tags);
			q->tags = tags;
			for (size_t i = 0; i < n; i++) {
				yaml_node_t *t = yaml_document_get_node(d,
					val->data.sequence.items.start[i]);
				if (scalar(t, &v, &vl)) {
					snprintf(err, errlen, "tags: item");
					return -1;
				}
				tags[i] = str_dup(v, vl);
				q->ntags = i + 1;
			}
		} else if ((f = quote_field(q, k)) && !f->ptr &&
			   !scalar(val, &v, &vl)) {
			*f = str_dup(v, vl);
		} else {
			snprintf(err, errlen, "quote: bad key %s", k);
			return -1;
		}
	}
	return 0;
}

/* Appends the quotes of one document to out; 0, or -1 with a reason. */
static int load_document(quote_list *out, yaml_document_t *doc, char *err,
			 size_t errlen)
{
	qdb_quote file_source = QDB_QUOTE_INIT;
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_t *quotes = NULL;
	int rc = -1;
	if (!root || root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "root: not a mapping");
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		const char *k;
		size_t kl;
		yaml_node_t *val = yaml_document_get_node(doc, p->value);
		if (scalar(yaml_document_get_node(doc, p->key), &k, &kl)) {
			snprintf(err, errlen, "root: key not a scalar");
			goto done;
		}
		if (strcmp(k, "source") == 0) {
			if (load_source(&file_source, doc, val, err, errlen))
				goto done;
		} else if (strcmp(k, "quotes") == 0) {
			quotes = val;
		} else if (strcmp(k, "speakers") && strcmp(k, "outlets")) {
			snprintf(err, errlen, "root: bad key %s", k);
			goto done;
		}
	}
	if (!quotes || quotes->type != YAML_SEQUENCE_NODE) {
		snprintf(err, errlen, "quotes: missing or not a sequence");
		goto done;
	}
	size_t n = (size_t)(quotes->data.sequence.items.top -
			    quotes->data.sequence.items.start);
	qdb_quote *v = realloc(out->v, (out->n + n + 1) * sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	out->v = v;
	memset(v + out->n, 0, (n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = yaml_document_get_node(doc,
			quotes->data.sequence.items.start[i]);
		if (!m || load_quote(&out->v[out->n++], &file_source, doc, m,
				     err, errlen))
			goto done;
	}
	rc = 0;
done:
	quote_clear(&file_source);
	return rc;
}

/* Reads quotes from YAML in buf, every document of it in turn (each with
 * its own source:); 0, or -1 with a reason in err. */
int load_quotes(quote_list *out, const char *buf, size_t len,
		char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0;
	size_t ndocs = 0;
	out->v = calloc(1, sizeof *out->v);
	out->n = 0;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
				     len);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			snprintf(err, errlen, "YAML: %s at line %zu",
				 parser.problem ? parser.problem : "error",
				 parser.problem_mark.line + 1);
			rc = -1;
			break;
		}
		/* An empty document marks the end of the stream. */
		int last = !yaml_document_get_root_node(&doc);
		if (!last || ndocs == 0)
			rc = load_document(out, &doc, err, errlen);
		yaml_document_delete(&doc);
		ndocs++;
		if (last || rc)
			break;
	}
	if (rc)
		quotes_free(out);
	yaml_parser_delete(&parser);
	return rc;
}
