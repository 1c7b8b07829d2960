// SPDX-License-Identifier: GPL-2.0
/*
 * match-test - unit test of the match-rule parser, the matcher and the
 * rule -> bloom mask / message -> bloom filter agreement (make check)
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kdbus.h>

#include "kdbus-bloom.h"
#include "kdbus-lib.h"
#include "proxy-match.h"
#include "unit-test.h"

static const char * const valid_rules[] = {
	"",
	"   ",
	"type='signal'",
	"type='signal',",
	"type='signal', member='Foo'",
	"type=signal,interface=org.example.Foo",
	"sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.example.Foo'",
	"sender=':1.42'",
	"path='/org/example/Foo'",
	"path_namespace='/org/example'",
	"path_namespace='/'",
	"destination=':1.7'",
	"arg0=''",
	"arg63='x'",
	"arg0path='/aa/bb/'",
	"arg5path='/'",
	"arg0namespace='org.example'",
	"arg0namespace='org'",
	"eavesdrop='true'",
	"eavesdrop=false",
	"type='method_call'",
	"type='method_return'",
	"type='error'",
	"arg0='it'\\''s',arg1=\\'",
};

static const char * const invalid_rules[] = {
	"type='signa'",
	"type",
	"type='signal",
	"foo='bar'",
	"type='signal',type='signal'",
	"interface='org..foo'",
	"interface='foo'",
	"member='1abc'",
	"member='a.b'",
	"path='foo'",
	"path='/foo/'",
	"path='/a',path_namespace='/a'",
	"path_namespace='a'",
	"sender='org'",
	"sender='.org.foo'",
	"destination='x'",
	"arg64='x'",
	"arg100='x'",
	"arg1namespace='org.foo'",
	"arg0namespace=':1.2'",
	"arg0namespace='org..foo'",
	"arg0namespace=''",
	"arg0='a',arg0='b'",
	"arg0='a',arg0path='/b'",
	"argx='a'",
	"arg='a'",
	"arg0foo='a'",
	"eavesdrop='yes'",
	",,",
	"=x",
	"type = 'signal'",
	"type='signal',,member='x'",
};

static const char combo_rule[] =
	"type='signal',member='Changed',path_namespace='/org',arg0namespace='org',arg1path='/'";
static const char noc_rule[] =
	"sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.example.Foo'";

static struct match_rule *parse_ok(const char *text)
{
	struct match_rule *r = NULL;
	char err[256] = "";
	int ret;

	ret = match_rule_parse(text, &r, err, sizeof(err));
	CHECK(ret == 0, "valid rule rejected: \"%s\" (%s)", text, err);
	return ret == 0 ? r : NULL;
}

static void test_parse(void)
{
	struct match_rule *r;
	char err[256];
	char *big;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(valid_rules); i++)
		match_rule_free(parse_ok(valid_rules[i]));

	for (i = 0; i < ARRAY_SIZE(invalid_rules); i++) {
		r = NULL;
		err[0] = 0;
		CHECK(match_rule_parse(invalid_rules[i], &r, err,
				       sizeof(err)) < 0,
		      "invalid rule accepted: \"%s\"", invalid_rules[i]);
		CHECK(err[0], "no error message for \"%s\"",
		      invalid_rules[i]);
		match_rule_free(r);
	}

	big = malloc(2000);
	if (big) {
		memset(big, 'a', 1999);
		big[1999] = 0;
		memcpy(big, "arg0=", 5);
		r = NULL;
		CHECK(match_rule_parse(big, &r, err, sizeof(err)) < 0,
		      "over-long rule accepted");
		match_rule_free(r);
		free(big);
	}
}

static void test_escaping(void)
{
	struct match_rule *r;

	r = parse_ok("arg0='it'\\''s'");
	if (r) {
		CHECK(!strcmp(r->args[0].value, "it's"), "got [%s]",
		      r->args[0].value);
		match_rule_free(r);
	}
	/* inside quotes backslash is literal */
	r = parse_ok("arg0='a\\b',arg1='\\'");
	if (r) {
		CHECK(!strcmp(r->args[0].value, "a\\b"), "got [%s]",
		      r->args[0].value);
		CHECK(!strcmp(r->args[1].value, "\\"), "got [%s]",
		      r->args[1].value);
		match_rule_free(r);
	}
	/* outside quotes: \' is an apostrophe, other backslashes literal */
	r = parse_ok("arg0=\\',arg1=a\\b,arg2=x\\");
	if (r) {
		CHECK(!strcmp(r->args[0].value, "'"), "got [%s]",
		      r->args[0].value);
		CHECK(!strcmp(r->args[1].value, "a\\b"), "got [%s]",
		      r->args[1].value);
		CHECK(!strcmp(r->args[2].value, "x\\"), "got [%s]",
		      r->args[2].value);
		match_rule_free(r);
	}
	/* a comma inside quotes does not end the value */
	r = parse_ok("arg0='a,b',member=M");
	if (r) {
		CHECK(!strcmp(r->args[0].value, "a,b"), "got [%s]",
		      r->args[0].value);
		CHECK(r->member && !strcmp(r->member, "M"), "member");
		match_rule_free(r);
	}
	/* quotes may cover part of a value */
	r = parse_ok("arg0=ab'c d'e");
	if (r) {
		CHECK(!strcmp(r->args[0].value, "abc de"), "got [%s]",
		      r->args[0].value);
		match_rule_free(r);
	}
}

static bool owner_cb(void *data, const char *name, const char *unique)
{
	(void)data;
	return !strcmp(name, "org.example.Owned") && !strcmp(unique, ":1.5");
}

static DBusMessage *signal_msg(const char *path, const char *iface,
			       const char *member, const char *sender,
			       const char *a0, const char *a1)
{
	DBusMessage *m = dbus_message_new_signal(path, iface, member);

	if (!m)
		exit(2);
	if (sender)
		dbus_message_set_sender(m, sender);
	if (a0)
		dbus_message_append_args(m, DBUS_TYPE_STRING, &a0,
					 DBUS_TYPE_INVALID);
	if (a1)
		dbus_message_append_args(m, DBUS_TYPE_STRING, &a1,
					 DBUS_TYPE_INVALID);
	return m;
}

struct capture {
	int n;
	uint64_t mask[8];
	bool have_mask;
	bool have_id, have_name, have_notify;
};

static int capture_add(void *data, const void *items, size_t size)
{
	struct capture *c = data;
	const struct kdbus_item *item;

	c->n++;
	KDBUS_ITEM_FOREACH(item, (const struct kdbus_item *)items, size) {
		if (item->type == KDBUS_ITEM_BLOOM_MASK) {
			memcpy(c->mask, item->data64, 64);
			c->have_mask = true;
		} else if (item->type == KDBUS_ITEM_ID) {
			c->have_id = true;
		} else if (item->type == KDBUS_ITEM_NAME) {
			c->have_name = true;
		} else if (item->type >= KDBUS_ITEM_NAME_ADD) {
			c->have_notify = true;
		}
	}
	return 0;
}

/* the rule must match the message, and its mask must pass its filter */
static void expect(const char *text, DBusMessage *m, bool want)
{
	struct match_rule *r = parse_ok(text);
	struct capture c = { 0 };
	uint64_t filter[8];

	if (!r)
		return;
	CHECK(match_rule_matches(r, m, owner_cb, NULL) == want,
	      "rule \"%s\" should %smatch", text, want ? "" : "not ");
	if (want) {
		match_bloom_message(m, filter, 64, 8);
		CHECK(match_rule_to_kdbus(r, 64, 8, capture_add, &c) == 0,
		      "translate \"%s\"", text);
		CHECK(!c.have_mask || kdbus_bloom_test_bits(filter, c.mask, 64),
		      "bloom mask of \"%s\" does not pass the filter", text);
	}
	match_rule_free(r);
}

static void test_matching(void)
{
	DBusMessage *m;

	m = signal_msg("/org/example/Foo/Bar", "org.example.Iface", "Changed",
		       ":1.5", "org.example.Foo.Sub", "/aa/bb/cc");
	expect("", m, true);
	expect("type='signal'", m, true);
	expect("type='method_call'", m, false);
	expect("interface='org.example.Iface'", m, true);
	expect("interface='org.example.Other'", m, false);
	expect("member='Changed'", m, true);
	expect("member='Change'", m, false);
	expect("path='/org/example/Foo/Bar'", m, true);
	expect("path='/org/example/Foo'", m, false);
	expect("path_namespace='/org/example/Foo'", m, true);
	expect("path_namespace='/org/example/Foo/Bar'", m, true);
	expect("path_namespace='/org/example/Fo'", m, false);
	expect("path_namespace='/'", m, true);
	expect("sender=':1.5'", m, true);
	expect("sender=':1.6'", m, false);
	expect("sender='org.example.Owned'", m, true);
	expect("sender='org.example.NotOwned'", m, false);
	expect("sender='org.freedesktop.DBus'", m, false);
	expect("arg0='org.example.Foo.Sub'", m, true);
	expect("arg0='org.example.Foo'", m, false);
	expect("arg0namespace='org.example.Foo'", m, true);
	expect("arg0namespace='org.example.Foo.Sub'", m, true);
	expect("arg0namespace='org.example.Fo'", m, false);
	expect("arg1path='/aa/bb/'", m, true);
	expect("arg1path='/aa/bb/cc'", m, true);
	expect("arg1path='/aa/b'", m, false);
	expect("arg1path='/aa/bb/cc/dd'", m, false);
	expect("arg1='/aa/bb/cc'", m, true);
	expect("arg2=''", m, false);
	expect("destination=':1.9'", m, false);
	expect(combo_rule, m, true);
	dbus_message_unref(m);

	m = signal_msg("/x", "a.b", "C", ":1.5", "/aa/", NULL);
	dbus_message_set_destination(m, ":1.9");
	expect("arg0path='/aa/bb/cc'", m, true);
	expect("arg0path='/aa'", m, false);
	expect("destination=':1.9'", m, true);
	dbus_message_unref(m);
}

static void test_translation(void)
{
	struct capture c;
	struct match_rule *r;

	r = parse_ok("type='signal',sender=':1.3',member='X'");
	memset(&c, 0, sizeof(c));
	if (r && !match_rule_to_kdbus(r, 64, 8, capture_add, &c))
		CHECK(c.n == 1 && c.have_mask && c.have_id && !c.have_notify,
		      "unique sender match");
	match_rule_free(r);

	r = parse_ok("sender='org.example.Foo'");
	memset(&c, 0, sizeof(c));
	if (r && !match_rule_to_kdbus(r, 64, 8, capture_add, &c))
		CHECK(c.n == 1 && !c.have_mask && c.have_name,
		      "well-known sender match");
	match_rule_free(r);

	r = parse_ok(noc_rule);
	memset(&c, 0, sizeof(c));
	if (r && !match_rule_to_kdbus(r, 64, 8, capture_add, &c))
		CHECK(c.n == 3 && c.have_notify && !c.have_mask,
		      "NameOwnerChanged for a name: %d matches", c.n);
	match_rule_free(r);

	r = parse_ok("member='NameOwnerChanged'");
	memset(&c, 0, sizeof(c));
	if (r && !match_rule_to_kdbus(r, 64, 8, capture_add, &c))
		CHECK(c.n == 6, "NameOwnerChanged any: %d matches", c.n);
	match_rule_free(r);

	r = parse_ok("type='method_call'");
	memset(&c, 0, sizeof(c));
	if (r && !match_rule_to_kdbus(r, 64, 8, capture_add, &c))
		CHECK(c.n == 0, "method_call rule installs %d matches", c.n);
	match_rule_free(r);
}

static void test_equal(void)
{
	struct match_rule *a = parse_ok("type='signal',member='X'");
	struct match_rule *b = parse_ok("member=X, type=signal");
	struct match_rule *c = parse_ok("type='signal',member='Y'");

	if (a && b && c) {
		CHECK(match_rule_equal(a, b), "equal rules");
		CHECK(!match_rule_equal(a, c), "different rules");
	}
	match_rule_free(a);
	match_rule_free(b);
	match_rule_free(c);
}

int main(void)
{
	test_parse();
	test_escaping();
	test_matching();
	test_translation();
	test_equal();

	return test_summary("match-test");
}
