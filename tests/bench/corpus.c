/*
 * corpus.c: the deterministic pieces shared by the generator (gen.c) and
 * the query benchmark (query.c); see corpus.h.
 */
#include "corpus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t bench_next(bench_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double bench_unit(bench_rng *r)
{
	return (double)(bench_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t bench_below(bench_rng *r, uint32_t n)
{
	return (uint32_t)(bench_unit(r) * n);
}

int bench_zipf_init(bench_zipf *z, size_t n, double s)
{
	z->cdf = malloc(n * sizeof *z->cdf);
	z->n = n;
	if (!z->cdf)
		return -1;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum += 1.0 / pow((double)(i + 1), s);
		z->cdf[i] = sum;
	}
	for (size_t i = 0; i < n; i++)
		z->cdf[i] /= sum;
	return 0;
}

size_t bench_zipf_draw(const bench_zipf *z, bench_rng *r)
{
	double u = bench_unit(r);
	size_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void bench_zipf_free(bench_zipf *z)
{
	free(z->cdf);
	z->cdf = NULL;
}

/* 64 x 80 = 5120 distinct names; a few accented and non-Latin ones. */
static const char *const first[64] = {
	"James", "Maria", "Ahmed", "Olga", "Chen", "Fatima", "John", "Sara",
	"David", "Leila", "Yusuf", "Anna", "Michael", "Noura", "Pierre",
	"Ingrid", "Kwame", "Aiko", "Carlos", "Hannah", "Omar", "Elena",
	"Raj", "Zoë", "José", "Łukasz", "Søren", "Amélie", "Björn", "Dvořák",
	"Владимир", "محمد", "李", "Γιώργος", "Thomas", "Rachel", "Ali",
	"Ruth", "Samuel", "Yael", "Hassan", "Grace", "Viktor", "Amina",
	"Daniel", "Mei", "Ibrahim", "Clara", "Peter", "Nadia", "Tariq",
	"Julia", "Mark", "Dina", "Karim", "Lucy", "Ivan", "Rana", "Paul",
	"Hiba", "George", "Layla", "Benjamin", "Miriam"
};
static const char *const last[80] = {
	"Smith", "Haddad", "Ivanova", "Wang", "Khan", "Cohen", "Müller",
	"García", "Okafor", "Tanaka", "Rossi", "Nowak", "Hansen", "Dubois",
	"Al-Masri", "Levi", "Kaya", "Nguyen", "Silva", "Schmidt", "O'Brien",
	"Petrov", "Mansour", "Friedman", "Jensen", "Moreau", "Yilmaz",
	"Kowalski", "Ferreira", "Suzuki", "Brown", "Nasser", "Katz",
	"Popescu", "Horvath", "Lindqvist", "Mahmoud", "Rahman", "Ortiz",
	"Sato", "Walker", "Barakat", "Shapiro", "Novák", "Þórsson", "Øberg",
	"Çelik", "Đorđević", "Şahin", "Иванов", "حداد", "王", "Παπαδόπουλος",
	"Kim", "Park", "Taylor", "Hussein", "Mizrahi", "Bauer", "Laurent",
	"Costa", "Singh", "Patel", "Abbas", "Rosen", "Fischer", "Lambert",
	"Morales", "Yamamoto", "Green", "Saleh", "Weiss", "Kaplan", "Vogel",
	"Mercier", "Romero", "Ito", "Hall", "Darwish", "Stein"
};

/* rank -> (first, last): 7919 is prime, so the map is a permutation of
 * 0..5119 and the frequent speakers do not share one surname. */
static void split(size_t rank, size_t *f, size_t *l)
{
	size_t k = (rank * 7919u + 11u) % (64u * 80u);
	*f = k % 64u;
	*l = k / 64u;
}

const char *bench_speaker_name(char *buf, size_t size, size_t rank)
{
	size_t f, l;
	split(rank, &f, &l);
	snprintf(buf, size, "%s %s", first[f], last[l]);
	return buf;
}

const char *bench_speaker_alias(char *buf, size_t size, size_t rank)
{
	size_t f, l;
	split(rank, &f, &l);
	snprintf(buf, size, "%s, %s", last[l], first[f]);
	return buf;
}

/* 25 x 20 = 500 distinct outlets. */
static const char *const place[25] = {
	"New York", "London", "Jerusalem", "Beirut", "Cairo", "Paris",
	"Berlin", "Tokyo", "Washington", "Gulf", "Tehran", "Istanbul",
	"Moscow", "São Paulo", "Zürich", "Kyiv", "Amman", "Doha", "Sydney",
	"Toronto", "Mumbai", "Seoul", "Athens", "Warsaw", "Global"
};
static const char *const paper[20] = {
	"Times", "Post", "Herald", "Tribune", "Radio", "Television",
	"Gazette", "Chronicle", "Observer", "Review", "Journal", "Daily",
	"Monitor", "Standard", "Courier", "Express", "Telegraph", "Dispatch",
	"News Agency", "Broadcasting"
};

const char *bench_outlet_name(char *buf, size_t size, size_t rank)
{
	size_t k = (rank * 313u + 7u) % 500u;
	snprintf(buf, size, "%s%s %s", k % 3 == 0 ? "The " : "",
		 place[k % 25u], paper[k / 25u]);
	return buf;
}

const char *const bench_phrases[BENCH_PHRASES] = {
	"we will", "the people", "prime minister", "this war",
	"security council", "human rights", "no evidence", "united nations",
	"foreign ministry", "national security", "white house",
	"press conference", "civilian casualties", "humanitarian aid",
	"peace process", "military operation", "international law",
	"armed forces", "border crossing", "hostage deal", "air strikes",
	"supreme leader", "state department", "war crimes", "public opinion",
	"economic sanctions", "nuclear program", "regional stability",
	"diplomatic efforts", "political solution", "intelligence failure",
	"defence minister", "foreign minister", "chief negotiator",
	"election campaign", "climate change", "interest rates",
	"central bank", "trade agreement", "supply chain", "energy prices",
	"refugee camp", "aid convoy", "ground offensive", "rocket fire",
	"tunnel network", "two states", "lasting peace", "full support",
	"clear message", "red line", "strong response", "right to",
	"self defence", "innocent civilians", "our friends", "their leaders",
	"direct talks", "final decision", "joint statement", "senior official",
	"military aid", "tax cuts", "health care", "free speech",
	"rule of", "common ground", "great power", "weapons shipments",
	"naval blockade", "safe passage", "medical supplies", "fuel shortage",
	"power plant", "water supply", "food security", "border wall",
	"migrant workers", "labour market", "housing crisis", "budget deficit",
	"public debt", "stock market", "oil prices", "gas pipeline",
	"cyber attack", "fake news", "social media", "voter turnout",
	"polling stations", "coalition talks", "cabinet meeting",
	"emergency session", "general strike", "police violence",
	"court ruling", "supreme court", "constitutional reform",
	"judicial review", "press freedom", "open letter", "formal apology",
	"secret deal", "prisoner exchange", "truce proposal",
	"sovereign wealth", "carbon tax", "renewable energy", "coal mines",
	"drone strike", "missile defence", "troop withdrawal",
	"arms embargo", "peace treaty", "trade war", "debt relief",
	"vaccine rollout", "field hospital", "mass grave", "war cabinet"
};

/* Every third phrase from the top, then the rest in a fixed stride, so
 * the searched 100 run from the commonest to the rare tail. */
size_t bench_search_phrase(size_t i)
{
	return (i * 37u) % BENCH_PHRASES;
}
