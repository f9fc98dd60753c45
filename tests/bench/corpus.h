/*
 * corpus.h: what the benchmark generator and the query benchmark must agree
 * on: the deterministic random source, speaker and outlet names by rank, the
 * two-word phrases the generator plants and the search benchmark looks for.
 */
#ifndef QDB_BENCH_CORPUS_H
#define QDB_BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_SEED 0x5eedc0ffee123457ULL
#define BENCH_SPEAKERS 5000
#define BENCH_OUTLETS 500
#define BENCH_PHRASES 120      /* planted collocations */
#define BENCH_SEARCHES 100     /* the first 100 of them are searched */

/* splitmix64: small, fast and the same on every platform. */
typedef struct bench_rng {
	uint64_t s;
} bench_rng;

uint64_t bench_next(bench_rng *r);
double bench_unit(bench_rng *r);              /* [0, 1) */
uint32_t bench_below(bench_rng *r, uint32_t n); /* [0, n) */

/* A Zipf-like (1/rank^s) distribution over n ranks, sampled by bisection. */
typedef struct bench_zipf {
	double *cdf;
	size_t n;
} bench_zipf;

int bench_zipf_init(bench_zipf *z, size_t n, double s);
size_t bench_zipf_draw(const bench_zipf *z, bench_rng *r);  /* 0-based */
void bench_zipf_free(bench_zipf *z);

/* Canonical names by 0-based frequency rank, written into buf. */
const char *bench_speaker_name(char *buf, size_t size, size_t rank);
const char *bench_speaker_alias(char *buf, size_t size, size_t rank);
const char *bench_outlet_name(char *buf, size_t size, size_t rank);

/* The planted two-word phrases, most frequent first. */
extern const char *const bench_phrases[BENCH_PHRASES];

/* Search order: a fixed mix of frequent and rare phrases. */
size_t bench_search_phrase(size_t i);

#endif
