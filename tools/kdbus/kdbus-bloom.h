/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus-bloom - the bloom filter scheme shared by native kdbus peers and
 * the D-Bus compatibility proxy. See bloom-scheme.txt for the exact
 * definition; this implementation is the reference for it.
 */

#ifndef KDBUS_BLOOM_H
#define KDBUS_BLOOM_H

#include <stddef.h>
#include <stdint.h>

/* Number of 128-bit SipHash keys: limits n_hash * bytes-per-index to 64 */
#define KDBUS_BLOOM_N_KEYS	8

/* Highest argument number that takes part in the filter (arg0..arg63) */
#define KDBUS_BLOOM_MAX_ARG	63

uint64_t kdbus_siphash24(const void *in, size_t inlen, const uint8_t k[16]);

int kdbus_bloom_check_params(uint64_t size, uint64_t n_hash);

void kdbus_bloom_add_data(uint64_t *filter, size_t size, unsigned int n_hash,
			  const void *data, size_t len);
void kdbus_bloom_add_pair(uint64_t *filter, size_t size, unsigned int n_hash,
			  const char *key, const char *value);
void kdbus_bloom_add_prefixes(uint64_t *filter, size_t size,
			      unsigned int n_hash, const char *key,
			      const char *value, char sep);
void kdbus_bloom_add_arg(uint64_t *filter, size_t size, unsigned int n_hash,
			 unsigned int argno, const char *value);
void kdbus_bloom_add_arg_has(uint64_t *filter, size_t size,
			     unsigned int n_hash, unsigned int argno,
			     const char *value);
int kdbus_bloom_test_bits(const uint64_t *filter, const uint64_t *mask,
			  size_t size);

#endif /* KDBUS_BLOOM_H */
