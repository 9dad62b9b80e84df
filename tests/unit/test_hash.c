/* Unit tests for hash.c: adding, finding, removing, growing.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdio.h>
#include <string.h>

#include "../../src/hash.h"

#include "check.h"

#define N	20000

static int vals[N];

static void
test_fnv1a(void)
{
	/* the published FNV-1a 32-bit test vectors */
	CHECK(hash_fnv1a("", 0) == 0x811c9dc5u);
	CHECK(hash_fnv1a("a", 1) == 0xe40c292cu);
	CHECK(hash_fnv1a("foobar", 6) == 0xbf9cf968u);
}

static void
test_add_get(void)
{
	struct hash	t = { 0 };
	int		a = 1, b = 2;

	CHECK(hash_get(&t, "x", 1) == NULL);
	CHECK(hash_del(&t, "x", 1) == -1);
	CHECK(hash_replace(&t, "x", 1, &a) == -1);
	CHECK(hash_add(&t, "x", 1, &a) == 0);
	CHECK(hash_add(&t, "x", 1, &b) == 1);	/* the first one stays */
	CHECK(hash_get(&t, "x", 1) == &a);
	CHECK(hash_replace(&t, "x", 1, &b) == 0);
	CHECK(hash_get(&t, "x", 1) == &b);
	CHECK(hash_replace(&t, "y", 1, &b) == -1 && hash_get(&t, "y", 1) == NULL);
	CHECK(hash_replace(&t, "x", 1, &a) == 0);
	CHECK(hash_get(&t, "xy", 2) == NULL);
	CHECK(hash_get(&t, "", 0) == NULL);
	CHECK(hash_add(&t, "", 0, &b) == 0);	/* empty keys are keys */
	CHECK(hash_get(&t, "", 0) == &b);
	/* keys are bytes, NUL included, and copied */
	CHECK(hash_add(&t, "a\0b", 3, &a) == 0);
	CHECK(hash_get(&t, "a\0c", 3) == NULL);
	CHECK(hash_get(&t, "a", 1) == NULL);
	CHECK(t.n == 3);
	hash_free(&t);
	CHECK(t.n == 0 && t.cap == 0 && hash_get(&t, "x", 1) == NULL);
}

/* Many keys: each found, with its own value, through every growth; then
 * every other one removed, and the rest still found. */
static void
test_many(void)
{
	struct hash	t = { 0 };
	char		key[32];
	int		i, bad = 0;

	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "service%d", i);
		if (hash_add(&t, key, strlen(key), &vals[i]) != 0)
			bad++;
	}
	CHECK(bad == 0 && t.n == N && t.cap >= 2 * N);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "service%d", i);
		if (hash_get(&t, key, strlen(key)) != &vals[i])
			bad++;
	}
	CHECK(bad == 0);
	for (i = 0; i < N; i += 2) {
		snprintf(key, sizeof(key), "service%d", i);
		if (hash_del(&t, key, strlen(key)) != 0)
			bad++;
	}
	CHECK(bad == 0 && t.n == N / 2);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "service%d", i);
		if (hash_get(&t, key, strlen(key)) != (i % 2 ? &vals[i] : NULL))
			bad++;
	}
	CHECK(bad == 0);
	/* a removed key can come back */
	CHECK(hash_add(&t, "service0", 8, &vals[1]) == 0);
	CHECK(hash_get(&t, "service0", 8) == &vals[1]);
	hash_free(&t);
}

/* Keys that share a home slot: removing one in the middle of a probe
 * run leaves those after it reachable. */
static void
test_collisions(void)
{
	struct hash	t = { 0 };
	unsigned	k, keys[8];
	int		n = 0, i, bad = 0;

	/* 8 keys of one home slot in a table of 16 slots */
	CHECK(hash_add(&t, "seed", 4, &vals[0]) == 0);
	for (k = 0; n < 8 && k < 1000000; k++)
		if ((hash_fnv1a(&k, sizeof(k)) & 15) == 3)
			keys[n++] = k;
	CHECK(n == 8 && t.cap == 16);
	for (i = 0; i < 6; i++)		/* 7 keys: still under half full */
		CHECK(hash_add(&t, &keys[i], sizeof(keys[i]), &vals[i]) == 0);
	CHECK(t.cap == 16);
	CHECK(hash_del(&t, &keys[2], sizeof(keys[2])) == 0);
	for (i = 0; i < 6; i++)
		if (hash_get(&t, &keys[i], sizeof(keys[i])) !=
		    (i == 2 ? NULL : &vals[i]))
			bad++;
	CHECK(bad == 0);
	CHECK(hash_get(&t, "seed", 4) == &vals[0]);
	hash_free(&t);
}

int
main(void)
{
	test_fnv1a();
	test_add_get();
	test_many();
	test_collisions();
	printf("test_hash: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
