// SPDX-License-Identifier: GPL-2.0
/*
 * bloom-test - unit test of the SipHash-2-4 implementation and of the
 * bloom scheme (make check)
 */

#include <stdio.h>
#include <string.h>

#include "kdbus-bloom.h"
#include "unit-test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Reference vectors of the SipHash paper (Aumasson, Bernstein 2012): key
 * 00 01 .. 0f, message 00 01 .. (n - 1).
 */
static const struct {
	unsigned int n;
	uint64_t hash;
} sip_vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 2, 0x0d6c8009d9a94f5aULL },
	{ 3, 0x85676696d7fb7e2dULL },
	{ 15, 0xa129ca6149be45e5ULL },
	{ 63, 0x958a324ceb064572ULL },
};

/*
 * Bit indexes of single elements, computed by an independent
 * implementation (Python) of bloom-scheme.txt.
 */
static const struct {
	const char *elem;
	size_t size;
	unsigned int n_hash;
	unsigned int bits[8];
} bloom_vectors[] = {
	{ "message-type:signal", 64, 8,
	  { 388, 108, 102, 383, 132, 138, 312, 309 } },
	{ "interface:org.freedesktop.DBus", 64, 8,
	  { 419, 384, 90, 1, 317, 249, 417, 474 } },
	{ "path-slash-prefix:/", 64, 8,
	  { 163, 298, 112, 257, 171, 260, 48, 403 } },
	{ "message-type:signal", 8, 1, { 43 } },
	{ "interface:org.freedesktop.DBus", 8, 1, { 21 } },
	{ "message-type:signal", 64, 1, { 388 } },
};

static void test_siphash(void)
{
	uint8_t key[16], msg[64];
	unsigned int i;

	for (i = 0; i < 16; i++)
		key[i] = i;
	for (i = 0; i < 64; i++)
		msg[i] = i;

	for (i = 0; i < ARRAY_SIZE(sip_vectors); i++) {
		uint64_t h = kdbus_siphash24(msg, sip_vectors[i].n, key);

		CHECK(h == sip_vectors[i].hash,
		      "siphash n=%u: %016llx != %016llx", sip_vectors[i].n,
		      (unsigned long long)h,
		      (unsigned long long)sip_vectors[i].hash);
	}
}

static void test_vectors(void)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bloom_vectors); i++) {
		uint64_t got[8] = { 0 }, want[8] = { 0 };
		size_t size = bloom_vectors[i].size;

		kdbus_bloom_add_data(got, size, bloom_vectors[i].n_hash,
				     bloom_vectors[i].elem,
				     strlen(bloom_vectors[i].elem));
		for (j = 0; j < bloom_vectors[i].n_hash; j++) {
			unsigned int b = bloom_vectors[i].bits[j];

			want[b / 64] |= 1ULL << (b % 64);
		}
		CHECK(!memcmp(got, want, size), "bloom vector %u (%s)", i,
		      bloom_vectors[i].elem);
	}
}

/* mask of one pair must be contained in the filter that added it */
static int pair_in(const uint64_t *filter, const char *key,
		   const char *value)
{
	uint64_t mask[8] = { 0 };

	kdbus_bloom_add_pair(mask, 64, 8, key, value);
	return kdbus_bloom_test_bits(filter, mask, 64);
}

static void test_prefixes(void)
{
	uint64_t f[8] = { 0 };

	kdbus_bloom_add_prefixes(f, 64, 8, "path-slash-prefix", "/a/b/c",
				 '/');
	CHECK(pair_in(f, "path-slash-prefix", "/a/b/c"), "full path");
	CHECK(pair_in(f, "path-slash-prefix", "/a/b"), "prefix /a/b");
	CHECK(pair_in(f, "path-slash-prefix", "/a"), "prefix /a");
	CHECK(pair_in(f, "path-slash-prefix", "/"), "prefix /");
	CHECK(!pair_in(f, "path-slash-prefix", "/a/b/"), "no /a/b/");
	CHECK(!pair_in(f, "path-slash-prefix", "/a/bc"), "no /a/bc");
	CHECK(!pair_in(f, "path", "/a/b/c"), "other key");

	memset(f, 0, sizeof(f));
	kdbus_bloom_add_arg(f, 64, 8, 0, "org.example.Foo");
	CHECK(pair_in(f, "arg0", "org.example.Foo"), "arg0");
	CHECK(pair_in(f, "arg0-dot-prefix", "org.example.Foo"), "arg0 ns");
	CHECK(pair_in(f, "arg0-dot-prefix", "org.example"), "arg0 ns 2");
	CHECK(pair_in(f, "arg0-dot-prefix", "org"), "arg0 ns 1");
	CHECK(!pair_in(f, "arg0-dot-prefix", "org.ex"), "arg0 ns partial");
	CHECK(!pair_in(f, "arg1", "org.example.Foo"), "arg1");

	memset(f, 0, sizeof(f));
	kdbus_bloom_add_arg(f, 64, 8, 12, "/");
	CHECK(pair_in(f, "arg12-slash-prefix", "/"), "arg12 /");
	CHECK(pair_in(f, "arg12", "/"), "arg12");
}

static void test_params(void)
{
	CHECK(kdbus_bloom_check_params(64, 8) == 0, "64/8");
	CHECK(kdbus_bloom_check_params(64, 32) == 0, "64/32");
	CHECK(kdbus_bloom_check_params(64, 33) < 0, "64/33");
	CHECK(kdbus_bloom_check_params(8, 64) == 0, "8/64");
	CHECK(kdbus_bloom_check_params(4096, 32) == 0, "4096/32");
	CHECK(kdbus_bloom_check_params(4096, 33) < 0, "4096/33");
	CHECK(kdbus_bloom_check_params(12, 1) < 0, "12/1");
	CHECK(kdbus_bloom_check_params(64, 0) < 0, "64/0");
}

int main(void)
{
	test_siphash();
	test_vectors();
	test_prefixes();
	test_params();

	return test_summary("bloom-test");
}
