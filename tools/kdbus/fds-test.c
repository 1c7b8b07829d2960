// SPDX-License-Identifier: GPL-2.0
/*
 * fds-test - unit test of the fd handling of the proxy (make check):
 * a message with fds nested in containers is detached (renumbered),
 * marshalled, its UNIX_FDS header neutralized, demarshalled and re-bound
 * to a different set of fds, as on the way through kdbus.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "proxy-fds.h"
#include "unit-test.h"

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* signature "sha{sv}(hay)v" with fds p[0], p[1], p[0] (again), p[1] */
static DBusMessage *build(const int *p)
{
	DBusMessageIter it, a, e, v, s, ay;
	DBusMessage *m;
	const char *str = "hello", *key = "k";
	unsigned char bytes[3] = { 1, 2, 3 };
	const unsigned char *bp = bytes;
	int32_t i32 = 7;

	m = dbus_message_new_signal("/a/b", "org.example.I", "Sig");
	if (!m)
		exit(2);
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &str);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_UNIX_FD, &p[0]);

	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &a);
	dbus_message_iter_open_container(&a, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "h", &v);
	dbus_message_iter_append_basic(&v, DBUS_TYPE_UNIX_FD, &p[1]);
	dbus_message_iter_close_container(&e, &v);
	dbus_message_iter_close_container(&a, &e);
	dbus_message_iter_close_container(&it, &a);

	dbus_message_iter_open_container(&it, DBUS_TYPE_STRUCT, NULL, &s);
	dbus_message_iter_append_basic(&s, DBUS_TYPE_UNIX_FD, &p[0]);
	dbus_message_iter_open_container(&s, DBUS_TYPE_ARRAY, "y", &ay);
	dbus_message_iter_append_fixed_array(&ay, DBUS_TYPE_BYTE, &bp, 3);
	dbus_message_iter_close_container(&s, &ay);
	dbus_message_iter_close_container(&it, &s);

	dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, "i", &v);
	dbus_message_iter_append_basic(&v, DBUS_TYPE_INT32, &i32);
	dbus_message_iter_close_container(&it, &v);

	dbus_message_iter_append_basic(&it, DBUS_TYPE_UNIX_FD, &p[1]);
	dbus_message_set_serial(m, 42);
	dbus_message_set_sender(m, ":1.3");
	return m;
}

/* collect the fds of all UNIX_FD arguments, depth first */
static void walk(DBusMessageIter *it, int *out, unsigned int *n)
{
	int type;

	while ((type = dbus_message_iter_get_arg_type(it)) !=
	       DBUS_TYPE_INVALID) {
		if (type == DBUS_TYPE_UNIX_FD) {
			int fd = -1;

			dbus_message_iter_get_basic(it, &fd);
			if (*n < 8)
				out[(*n)++] = fd;
		} else if (!dbus_type_is_basic(type)) {
			DBusMessageIter sub;

			dbus_message_iter_recurse(it, &sub);
			walk(&sub, out, n);
		}
		dbus_message_iter_next(it);
	}
}

static void test_roundtrip(void)
{
	int p[2], q[2], got[8], *fds = NULL;
	unsigned int n_fds = 0, n_got = 0, i;
	DBusMessage *m, *det, *dem, *att;
	DBusError derr;
	uint32_t n_hdr = 0;
	char *buf;
	int len, err = 0;

	if (pipe(p) < 0 || pipe(q) < 0) {
		CHECK(0, "pipe: %s", strerror(errno));
		return;
	}

	m = build(p);
	det = fds_detach(m, &fds, &n_fds, &err);
	CHECK(det, "detach failed: %d", err);
	if (!det)
		return;
	CHECK(n_fds == 4, "detach: %u fds", n_fds);
	CHECK(n_fds == 4 && same_file(fds[0], p[0]) &&
	      same_file(fds[1], p[1]) && same_file(fds[2], p[0]) &&
	      same_file(fds[3], p[1]), "detach order");

	CHECK(dbus_message_marshal(det, &buf, &len), "marshal");
	dbus_error_init(&derr);
	dem = dbus_message_demarshal(buf, len, &derr);
	CHECK(!dem, "demarshal unexpectedly accepted fds");
	if (dem)
		dbus_message_unref(dem);
	dbus_error_free(&derr);

	CHECK(fds_neutralize_header((uint8_t *)buf, len, &n_hdr) == 0,
	      "neutralize");
	CHECK(n_hdr == 4, "header announced %u fds", n_hdr);
	dem = dbus_message_demarshal(buf, len, &derr);
	CHECK(dem, "demarshal after neutralize: %s",
	      derr.message ? derr.message : "");
	dbus_free(buf);
	if (!dem)
		return;
	CHECK(!strcmp(dbus_message_get_signature(dem), "sha{sv}(hay)vh"),
	      "signature %s", dbus_message_get_signature(dem));

	/* bind to other files: q[0] q[1] q[0] q[1] */
	{
		int newfds[4] = { q[0], q[1], q[0], q[1] };

		att = fds_attach(dem, newfds, 4, &err);
		CHECK(att, "attach failed: %d", err);
		if (att) {
			DBusMessageIter it;

			CHECK(dbus_message_get_serial(att) == 42, "serial");
			CHECK(!strcmp(dbus_message_get_sender(att), ":1.3"),
			      "sender");
			CHECK(!strcmp(dbus_message_get_path(att), "/a/b"),
			      "path");
			CHECK(!strcmp(dbus_message_get_signature(att),
				      "sha{sv}(hay)vh"), "sig after attach");
			dbus_message_iter_init(att, &it);
			walk(&it, got, &n_got);
			CHECK(n_got == 4, "attached %u", n_got);
			for (i = 0; i < n_got && i < 4; i++) {
				CHECK(same_file(got[i], newfds[i]),
				      "fd %u bound wrongly", i);
				close(got[i]);
			}
			dbus_message_unref(att);
		}

		att = fds_attach(dem, newfds, 3, &err);
		CHECK(!att && err == -EBADMSG, "too few fds accepted");
		{
			int many[5] = { q[0], q[1], q[0], q[1], q[0] };

			att = fds_attach(dem, many, 5, &err);
			CHECK(!att && err == -EBADMSG, "too many fds accepted");
		}
	}

	dbus_message_unref(dem);
	dbus_message_unref(det);
	dbus_message_unref(m);
	fds_close_array(fds, n_fds);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void test_header_no_fds(void)
{
	DBusMessage *m = dbus_message_new_method_call("org.x.Y", "/p",
						      "org.x.I", "M");
	uint32_t n = 99;
	char *buf;
	int len;

	dbus_message_set_serial(m, 1);
	dbus_message_marshal(m, &buf, &len);
	CHECK(fds_neutralize_header((uint8_t *)buf, len, &n) == 0 && n == 0,
	      "no UNIX_FDS field");
	CHECK(fds_neutralize_header((uint8_t *)buf, 10, &n) < 0, "short");
	buf[0] = 'x';
	CHECK(fds_neutralize_header((uint8_t *)buf, len, &n) < 0, "endian");
	dbus_free(buf);
	dbus_message_unref(m);
}

int main(void)
{
	test_roundtrip();
	test_header_no_fds();

	return test_summary("fds-test");
}
