/* hash.c: the hash table of hash.h.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define HASH_MIN	16

uint32_t
hash_fnv1a(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint32_t		 h = 2166136261u;

	while (len-- > 0) {
		h ^= *s++;
		h *= 16777619u;
	}
	return h;
}

/* The slot of key, or the empty slot where it would go. */
static struct hash_slot *
find(const struct hash *t, const void *key, size_t len, uint32_t h)
{
	size_t			 mask = t->cap - 1, i = h & mask;
	struct hash_slot	*s;

	for (;; i = (i + 1) & mask) {
		s = &t->slots[i];
		if (s->key == NULL || (s->h == h && s->len == len &&
		    memcmp(s->key, key, len) == 0))
			return s;
	}
}

void *
hash_get(const struct hash *t, const void *key, size_t len)
{
	if (t->n == 0)
		return NULL;
	return find(t, key, len, hash_fnv1a(key, len))->val;
}

static int
grow(struct hash *t)
{
	struct hash	 old = *t;
	size_t		 i;

	t->cap = old.cap ? old.cap * 2 : HASH_MIN;
	if ((t->slots = calloc(t->cap, sizeof(*t->slots))) == NULL) {
		*t = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key != NULL)
			*find(t, old.slots[i].key, old.slots[i].len,
			    old.slots[i].h) = old.slots[i];
	free(old.slots);
	return 0;
}

int
hash_add(struct hash *t, const void *key, size_t len, void *val)
{
	struct hash_slot	*s;
	uint32_t		 h = hash_fnv1a(key, len);

	if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
		return -1;
	s = find(t, key, len, h);
	if (s->key != NULL)
		return 1;
	/* a zero-length key still needs a non-NULL copy */
	if ((s->key = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(s->key, key, len);
	s->len = len;
	s->h = h;
	s->val = val;
	t->n++;
	return 0;
}

int
hash_replace(struct hash *t, const void *key, size_t len, void *val)
{
	struct hash_slot *s;

	if (t->n == 0 || (s = find(t, key, len, hash_fnv1a(key, len)))->key ==
	    NULL)
		return -1;
	s->val = val;
	return 0;
}

int
hash_del(struct hash *t, const void *key, size_t len)
{
	size_t			 mask = t->cap - 1, i, j, home;
	struct hash_slot	*s;

	if (t->n == 0 || (s = find(t, key, len, hash_fnv1a(key, len)))->key ==
	    NULL)
		return -1;
	free(s->key);
	i = (size_t)(s - t->slots);
	/* shift back the entries that probed past the hole */
	for (j = (i + 1) & mask; t->slots[j].key != NULL; j = (j + 1) & mask) {
		home = t->slots[j].h & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->n--;
	return 0;
}

void
hash_free(struct hash *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
