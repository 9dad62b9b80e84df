/* hash.h: one small hash table for the whole daemon: byte-string keys
 * (copied) to non-NULL pointers. FNV-1a, open addressing with linear
 * probing, doubled at half full: a lookup costs the same with ten or
 * ten thousand entries.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_HASH_H
#define PINETD_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash {
	struct hash_slot {
		void		*key;	/* NULL: empty */
		size_t		 len;
		uint32_t	 h;
		void		*val;
	}		*slots;
	size_t		 cap, n;	/* cap: 0 or a power of two */
};

uint32_t	 hash_fnv1a(const void *p, size_t len);
/* The value of key, or NULL. */
void		*hash_get(const struct hash *, const void *key, size_t len);
/* Adds key -> val (val not NULL): 0, or 1 when key is there already
 * (its value is left), or -1 when out of memory. */
int		 hash_add(struct hash *, const void *key, size_t len,
		    void *val);
/* Gives key, which is there, the value val (not NULL): 0, or -1 when
 * it is not there. */
int		 hash_replace(struct hash *, const void *key, size_t len,
		    void *val);
/* Removes key: 0, or -1 when it is not there. */
int		 hash_del(struct hash *, const void *key, size_t len);
void		 hash_free(struct hash *);

#endif
