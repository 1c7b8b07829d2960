// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-bloom - bloom filter scheme for kdbus signals
 *
 * This is the historical sd-bus scheme: every element is a "key:value"
 * string, hashed with SipHash-2-4 under a fixed sequence of eight keys; the
 * hash output bytes are cut into bit indexes. The exact definition is in
 * bloom-scheme.txt (Documentation/kdbus.txt); keep both in sync.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kdbus-bloom.h"

/* The eight 128-bit keys, used one after another (bloom-scheme.txt) */
static const uint8_t bloom_keys[KDBUS_BLOOM_N_KEYS][16] = {
	{ 0xb9, 0x66, 0x0b, 0xf0, 0x46, 0x70, 0x47, 0xc1,
	  0x88, 0x75, 0xc4, 0x9c, 0x54, 0xb9, 0xbd, 0x15 },
	{ 0xaa, 0xa1, 0x54, 0xa2, 0xe0, 0x71, 0x4b, 0x39,
	  0xbf, 0xe1, 0xdd, 0x2e, 0x9f, 0xc5, 0x4a, 0x3b },
	{ 0x63, 0xfd, 0xae, 0xbe, 0xcd, 0x82, 0x48, 0x12,
	  0xa1, 0x6e, 0x41, 0x26, 0xcb, 0xfa, 0xa0, 0xc8 },
	{ 0x23, 0xbe, 0x45, 0x29, 0x32, 0xd2, 0x46, 0x2d,
	  0x82, 0x03, 0x52, 0x28, 0xfe, 0x37, 0x17, 0xf5 },
	{ 0x56, 0x3b, 0xbf, 0xee, 0x5a, 0x4f, 0x43, 0x39,
	  0xaf, 0xaa, 0x94, 0x08, 0xdf, 0xf0, 0xfc, 0x10 },
	{ 0x31, 0x80, 0xc8, 0x73, 0xc7, 0xea, 0x46, 0xd3,
	  0xaa, 0x25, 0x75, 0x0f, 0x9e, 0x4c, 0x09, 0x29 },
	{ 0x7d, 0xf7, 0x18, 0x4b, 0x7b, 0xa4, 0x44, 0xd5,
	  0x85, 0x3c, 0x06, 0xe0, 0x65, 0x53, 0x96, 0x6d },
	{ 0xf2, 0x77, 0xe9, 0x6f, 0x93, 0xb5, 0x4e, 0x71,
	  0x9a, 0x0c, 0x34, 0x88, 0x39, 0x25, 0xbf, 0x35 },
};

static inline uint64_t rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl64(v[1], 13);
	v[1] ^= v[0];
	v[0] = rotl64(v[0], 32);
	v[2] += v[3];
	v[3] = rotl64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = rotl64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = rotl64(v[1], 17);
	v[1] ^= v[2];
	v[2] = rotl64(v[2], 32);
}

/**
 * kdbus_siphash24() - SipHash-2-4 with 64-bit output
 * @in:		Data to hash
 * @inlen:	Length of @in in bytes
 * @k:		128-bit key as 16 bytes (k0 = bytes 0..7 little-endian,
 *		k1 = bytes 8..15 little-endian)
 *
 * Return: the 64-bit hash value (Aumasson/Bernstein reference semantics).
 */
uint64_t kdbus_siphash24(const void *in, size_t inlen, const uint8_t k[16])
{
	const uint8_t *p = in;
	const uint8_t *end = p + (inlen & ~(size_t)7);
	uint64_t k0 = get_le64(k), k1 = get_le64(k + 8);
	uint64_t v[4] = {
		0x736f6d6570736575ULL ^ k0,
		0x646f72616e646f6dULL ^ k1,
		0x6c7967656e657261ULL ^ k0,
		0x7465646279746573ULL ^ k1,
	};
	uint64_t b = (uint64_t)inlen << 56;
	uint64_t m;
	size_t left = inlen & 7;

	for (; p != end; p += 8) {
		m = get_le64(p);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}

	while (left--)
		b |= (uint64_t)p[left] << (8 * left);

	v[3] ^= b;
	sipround(v);
	sipround(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	sipround(v);

	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* floor(log2(m)) for m > 0 */
static unsigned int log2_u64(uint64_t m)
{
	unsigned int r = 0;

	while (m >>= 1)
		r++;
	return r;
}

/* Bytes of hash output consumed per bit index for a filter of m bits */
static unsigned int bloom_bytes_per_index(uint64_t m)
{
	return (log2_u64(m) + 7) / 8;
}

/**
 * kdbus_bloom_check_params() - check bloom parameters against the scheme
 * @size:	Filter size in bytes (from HELLO)
 * @n_hash:	Number of hash functions (from HELLO)
 *
 * Return: 0 if the scheme can serve these parameters, -EINVAL otherwise.
 */
int kdbus_bloom_check_params(uint64_t size, uint64_t n_hash)
{
	if (size < 8 || size % 8 || size > 4096 || n_hash < 1)
		return -EINVAL;
	if (n_hash * bloom_bytes_per_index(size * 8) > KDBUS_BLOOM_N_KEYS * 8)
		return -EINVAL;
	return 0;
}

/**
 * kdbus_bloom_add_data() - add one element to a filter or mask
 * @filter:	Filter, @size bytes, 64-bit words
 * @size:	Filter size in bytes (multiple of 8)
 * @n_hash:	Number of bits set per element
 * @data:	Element bytes (no terminating NUL)
 * @len:	Length of @data
 */
void kdbus_bloom_add_data(uint64_t *filter, size_t size, unsigned int n_hash,
			  const void *data, size_t len)
{
	uint64_t m = (uint64_t)size * 8;
	unsigned int w = bloom_bytes_per_index(m);
	unsigned int i, d, key = 0, left = 0;
	uint64_t h = 0;

	if (kdbus_bloom_check_params(size, n_hash) < 0)
		return;

	for (i = 0; i < n_hash; i++) {
		uint64_t p = 0;

		for (d = 0; d < w; d++) {
			if (!left) {
				h = kdbus_siphash24(data, len, bloom_keys[key++]);
				left = 8;
			}
			/* output bytes in little-endian order of the value */
			p = (p << 8) | ((h >> (8 * (8 - left))) & 0xff);
			left--;
		}

		p &= m - 1;
		filter[p / 64] |= 1ULL << (p % 64);
	}
}

/**
 * kdbus_bloom_add_pair() - add the element "@key:@value"
 * @filter:	Filter
 * @size:	Filter size in bytes
 * @n_hash:	Number of hash functions
 * @key:	Field name, e.g. "interface"
 * @value:	Field value
 */
void kdbus_bloom_add_pair(uint64_t *filter, size_t size, unsigned int n_hash,
			  const char *key, const char *value)
{
	kdbus_bloom_add_prefixes(filter, size, n_hash, key, value, 0);
}

/**
 * kdbus_bloom_add_prefixes() - add "@key:@value" and its @sep prefixes
 * @filter:	Filter
 * @size:	Filter size in bytes
 * @n_hash:	Number of hash functions
 * @key:	Field name, e.g. "path-slash-prefix"
 * @value:	Field value
 * @sep:	Separator, '/' or '.'; 0 adds no prefixes
 *
 * Adds "@key:@value", then for every occurrence of @sep at position i > 0
 * of @value the element "@key:" followed by the first i bytes of @value
 * (the prefix ending just before the separator), and if @value starts with
 * @sep the element "@key:" followed by that single separator.
 */
void kdbus_bloom_add_prefixes(uint64_t *filter, size_t size,
			      unsigned int n_hash, const char *key,
			      const char *value, char sep)
{
	size_t kl = strlen(key), vl = strlen(value), i;
	char stackbuf[256];
	char *buf = stackbuf;

	if (kl + vl + 2 > sizeof(stackbuf)) {
		buf = malloc(kl + vl + 2);
		if (!buf) {
			/*
			 * Out of memory: make the filter match everything
			 * rather than lose a signal (filters only; masks are
			 * built by callers that can fail).
			 */
			memset(filter, 0xff, size);
			return;
		}
	}

	memcpy(buf, key, kl);
	buf[kl] = ':';
	memcpy(buf + kl + 1, value, vl);
	kdbus_bloom_add_data(filter, size, n_hash, buf, kl + 1 + vl);

	for (i = vl; sep && i-- > 0;) {
		if (value[i] != sep)
			continue;
		kdbus_bloom_add_data(filter, size, n_hash, buf,
				     kl + 1 + (i ? i : 1));
	}

	if (buf != stackbuf)
		free(buf);
}

/**
 * kdbus_bloom_add_arg() - add the elements of string argument @argno
 * @filter:	Filter
 * @size:	Filter size in bytes
 * @n_hash:	Number of hash functions
 * @argno:	Argument number, 0..63
 * @value:	The string (also object path or signature) argument
 */
void kdbus_bloom_add_arg(uint64_t *filter, size_t size, unsigned int n_hash,
			 unsigned int argno, const char *value)
{
	char key[sizeof("arg63-slash-prefix")];

	if (argno > KDBUS_BLOOM_MAX_ARG)
		return;

	snprintf(key, sizeof(key), "arg%u", argno);
	kdbus_bloom_add_pair(filter, size, n_hash, key, value);
	snprintf(key, sizeof(key), "arg%u-dot-prefix", argno);
	kdbus_bloom_add_prefixes(filter, size, n_hash, key, value, '.');
	snprintf(key, sizeof(key), "arg%u-slash-prefix", argno);
	kdbus_bloom_add_prefixes(filter, size, n_hash, key, value, '/');
}

/**
 * kdbus_bloom_add_arg_has() - add one element of string-array arg @argno
 * @filter:	Filter
 * @size:	Filter size in bytes
 * @n_hash:	Number of hash functions
 * @argno:	Argument number, 0..63
 * @value:	One element of the array
 */
void kdbus_bloom_add_arg_has(uint64_t *filter, size_t size,
			     unsigned int n_hash, unsigned int argno,
			     const char *value)
{
	char key[sizeof("arg63-has")];

	if (argno > KDBUS_BLOOM_MAX_ARG)
		return;

	snprintf(key, sizeof(key), "arg%u-has", argno);
	kdbus_bloom_add_pair(filter, size, n_hash, key, value);
}

/**
 * kdbus_bloom_test_bits() - the kernel's match test, for user-space checks
 * @filter:	Message filter
 * @mask:	Match mask
 * @size:	Size of both in bytes
 *
 * Return: 1 if every bit of @mask is set in @filter, else 0.
 */
int kdbus_bloom_test_bits(const uint64_t *filter, const uint64_t *mask,
			  size_t size)
{
	size_t i;

	for (i = 0; i < size / 8; i++)
		if ((filter[i] & mask[i]) != mask[i])
			return 0;
	return 1;
}
