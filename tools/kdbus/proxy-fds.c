// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-fds - moving unix fds between DBusMessages and kdbus FDS items
 *
 * libdbus has no public API to get at or to set the fd array of a
 * DBusMessage, and dbus_message_demarshal() refuses a message whose
 * UNIX_FDS header field announces fds it was not given ("Unix file
 * descriptor missing"). The public API we do have is the argument
 * iterator: dbus_message_iter_get_basic() on a DBUS_TYPE_UNIX_FD argument
 * returns a dup() of the referenced fd (-1 if there is none), and
 * dbus_message_iter_append_basic() of a DBUS_TYPE_UNIX_FD dup()s the fd
 * into the new message and records the next free index.
 *
 * Receive (kdbus -> client), fds_neutralize_header() + fds_attach():
 *   1. The UNIX_FDS header field of the marshalled bytes is set to 0 by a
 *      minimal walk of the header field array (the only wire-format code
 *      here; it touches nothing else, and libdbus then validates the
 *      whole message as usual). Now dbus_message_demarshal() accepts it.
 *   2. The demarshalled message is copied argument by argument into a new
 *      message (headers copied with the setters); every UNIX_FD argument
 *      is replaced by the next fd of the kdbus FDS item, in the order the
 *      arguments appear.
 *   Limitation: the fd index stored in a UNIX_FD argument cannot be read
 *   through the public API (get_basic returns -1 for out-of-range
 *   indexes), so the k-th UNIX_FD argument (depth-first order) is bound to
 *   fds[k]. libdbus, sd-bus and GDBus senders number fds exactly in this
 *   order (each append takes the next index), and so does this proxy when
 *   sending (fds_detach). A message whose count of UNIX_FD arguments
 *   differs from the number of fds received is rejected (-EBADMSG); a
 *   sender that permutes indexes is not detected.
 *
 * Send (client -> kdbus), fds_detach():
 *   The message from the client is copied the same way; each UNIX_FD
 *   argument's fd (a dup from get_basic) is collected into an array in
 *   argument order and appended to the copy, so in the copy index k is
 *   exactly the k-th UNIX_FD argument and fds[k] is its file. The copy is
 *   marshalled as the payload and fds[] becomes the KDBUS_ITEM_FDS item.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy-fds.h"

#define HDR_FIELD_UNIX_FDS	9
#define MAX_FDS			16	/* kdbus limit per message */

static uint32_t rd32(const uint8_t *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* alignment and size of a basic single-type value; 0 if unsupported */
static int basic_layout(char t, size_t *align, size_t *size)
{
	switch (t) {
	case 'y':
		*align = 1;
		*size = 1;
		return 1;
	case 'n': case 'q':
		*align = 2;
		*size = 2;
		return 1;
	case 'b': case 'i': case 'u': case 'h':
		*align = 4;
		*size = 4;
		return 1;
	case 'x': case 't': case 'd':
		*align = 8;
		*size = 8;
		return 1;
	case 's': case 'o':
		*align = 4;
		*size = 0;	/* uint32 length + bytes + NUL */
		return 1;
	case 'g':
		*align = 1;
		*size = 0;	/* byte length + bytes + NUL */
		return 1;
	}
	return 0;
}

/**
 * fds_neutralize_header() - set the UNIX_FDS header field to 0 in place
 * @data:	Marshalled D-Bus message
 * @len:	Its length
 * @n_fds:	Output: the previous value (0 if the field is absent)
 *
 * Walks the header field array (a(yv)); only fields whose variant holds a
 * single basic value can be skipped, which covers all fields defined by
 * the specification. Anything else is refused.
 *
 * Return: 0 or -EBADMSG.
 */
int fds_neutralize_header(uint8_t *data, size_t len, uint32_t *n_fds)
{
	size_t pos, end, fields_len;
	bool be;

	*n_fds = 0;
	if (len < 16)
		return -EBADMSG;
	if (data[0] == 'B')
		be = true;
	else if (data[0] == 'l')
		be = false;
	else
		return -EBADMSG;

	fields_len = rd32(data + 12, be);
	if (fields_len > len - 16)
		return -EBADMSG;
	pos = 16;
	end = 16 + fields_len;

	while (pos < end) {
		size_t align, size, siglen;
		uint8_t code;
		char t;

		pos = align_up(pos, 8);
		if (pos + 4 > end)
			return -EBADMSG;
		code = data[pos];
		siglen = data[pos + 1];
		if (siglen != 1 || data[pos + 3] != 0)
			return -EBADMSG;
		t = data[pos + 2];
		pos += 4;
		if (!basic_layout(t, &align, &size))
			return -EBADMSG;
		pos = align_up(pos, align);

		if (t == 's' || t == 'o') {
			if (pos + 4 > end)
				return -EBADMSG;
			size = 4 + (size_t)rd32(data + pos, be) + 1;
		} else if (t == 'g') {
			if (pos + 1 > end)
				return -EBADMSG;
			size = 1 + (size_t)data[pos] + 1;
		}
		if (size > end - pos)
			return -EBADMSG;

		if (code == HDR_FIELD_UNIX_FDS && t == 'u') {
			*n_fds = rd32(data + pos, be);
			memset(data + pos, 0, 4);
		}
		pos += size;
	}
	return 0;
}

struct fd_ctx {
	const int *in;		/* attach: fds to substitute */
	unsigned int n_in;
	int *out;		/* detach: collected fds */
	unsigned int n_out;
	unsigned int n_seen;
	bool attach;
};

static int copy_fd(DBusMessageIter *src, DBusMessageIter *dst,
		   struct fd_ctx *ctx)
{
	int fd = -1;

	if (ctx->attach) {
		if (ctx->n_seen >= ctx->n_in)
			return -EBADMSG;
		fd = ctx->in[ctx->n_seen++];
		if (fd < 0)
			return -EBADF;
		if (!dbus_message_iter_append_basic(dst, DBUS_TYPE_UNIX_FD,
						    &fd))
			return -ENOMEM;
		return 0;
	}

	dbus_message_iter_get_basic(src, &fd);
	if (fd < 0)
		return -EBADF;
	if (ctx->n_out >= MAX_FDS) {
		close(fd);
		return -EMFILE;
	}
	ctx->out[ctx->n_out++] = fd;
	if (!dbus_message_iter_append_basic(dst, DBUS_TYPE_UNIX_FD, &fd))
		return -ENOMEM;
	return 0;
}

static int copy_args(DBusMessageIter *src, DBusMessageIter *dst,
		     struct fd_ctx *ctx);

static int copy_container(DBusMessageIter *src, DBusMessageIter *dst,
			  int type, struct fd_ctx *ctx)
{
	DBusMessageIter s2, d2;
	char *sig = NULL;
	int ret, et;

	dbus_message_iter_recurse(src, &s2);

	if (type == DBUS_TYPE_ARRAY) {
		char *full = dbus_message_iter_get_signature(src);

		if (!full)
			return -ENOMEM;
		sig = strdup(full + 1);
		dbus_free(full);
		if (!sig)
			return -ENOMEM;
	} else if (type == DBUS_TYPE_VARIANT) {
		char *vs = dbus_message_iter_get_signature(&s2);

		if (!vs)
			return -ENOMEM;
		sig = strdup(vs);
		dbus_free(vs);
		if (!sig)
			return -ENOMEM;
	}

	if (!dbus_message_iter_open_container(dst, type, sig, &d2)) {
		free(sig);
		return -ENOMEM;
	}
	free(sig);

	et = type == DBUS_TYPE_ARRAY ?
	     dbus_message_iter_get_element_type(src) : DBUS_TYPE_INVALID;
	if (et != DBUS_TYPE_INVALID && dbus_type_is_fixed(et) &&
	    et != DBUS_TYPE_UNIX_FD) {
		/* fast path for byte arrays and friends */
		const void *vals;
		int n = 0;

		dbus_message_iter_get_fixed_array(&s2, &vals, &n);
		ret = 0;
		if (n && !dbus_message_iter_append_fixed_array(&d2, et, &vals,
							       n))
			ret = -ENOMEM;
	} else {
		ret = copy_args(&s2, &d2, ctx);
	}

	if (ret < 0) {
		dbus_message_iter_abandon_container(dst, &d2);
		return ret;
	}
	if (!dbus_message_iter_close_container(dst, &d2))
		return -ENOMEM;
	return 0;
}

static int copy_args(DBusMessageIter *src, DBusMessageIter *dst,
		     struct fd_ctx *ctx)
{
	int type, ret;

	while ((type = dbus_message_iter_get_arg_type(src)) !=
	       DBUS_TYPE_INVALID) {
		if (type == DBUS_TYPE_UNIX_FD) {
			ret = copy_fd(src, dst, ctx);
		} else if (dbus_type_is_basic(type)) {
			DBusBasicValue v;

			dbus_message_iter_get_basic(src, &v);
			ret = dbus_message_iter_append_basic(dst, type, &v) ?
			      0 : -ENOMEM;
		} else {
			ret = copy_container(src, dst, type, ctx);
		}
		if (ret < 0)
			return ret;
		dbus_message_iter_next(src);
	}
	return 0;
}

static bool set_opt(dbus_bool_t (*fn)(DBusMessage *, const char *),
		    DBusMessage *m, const char *v)
{
	return !v || fn(m, v);
}

static DBusMessage *copy_message(DBusMessage *src, struct fd_ctx *ctx,
				 int *error)
{
	DBusMessageIter si, di;
	DBusMessage *m;
	dbus_bool_t ia;
	int ret = 0;

	m = dbus_message_new(dbus_message_get_type(src));
	if (!m) {
		*error = -ENOMEM;
		return NULL;
	}

	if (!set_opt(dbus_message_set_path, m, dbus_message_get_path(src)) ||
	    !set_opt(dbus_message_set_interface, m,
		     dbus_message_get_interface(src)) ||
	    !set_opt(dbus_message_set_member, m,
		     dbus_message_get_member(src)) ||
	    !set_opt(dbus_message_set_error_name, m,
		     dbus_message_get_error_name(src)) ||
	    !set_opt(dbus_message_set_destination, m,
		     dbus_message_get_destination(src)) ||
	    !set_opt(dbus_message_set_sender, m,
		     dbus_message_get_sender(src)) ||
	    (dbus_message_get_reply_serial(src) &&
	     !dbus_message_set_reply_serial(m,
				dbus_message_get_reply_serial(src)))) {
		ret = -ENOMEM;
		goto fail;
	}
	dbus_message_set_no_reply(m, dbus_message_get_no_reply(src));
	dbus_message_set_auto_start(m, dbus_message_get_auto_start(src));
	ia = dbus_message_get_allow_interactive_authorization(src);
	dbus_message_set_allow_interactive_authorization(m, ia);
	if (dbus_message_get_serial(src))
		dbus_message_set_serial(m, dbus_message_get_serial(src));

	dbus_message_iter_init_append(m, &di);
	if (dbus_message_iter_init(src, &si))
		ret = copy_args(&si, &di, ctx);
	if (ret < 0)
		goto fail;
	return m;

fail:
	dbus_message_unref(m);
	*error = ret;
	return NULL;
}

/**
 * fds_attach() - copy a demarshalled message, binding UNIX_FD arguments
 * @src:	Message demarshalled after fds_neutralize_header()
 * @fds:	fds received in the kdbus FDS item (not consumed: the copy
 *		holds dups; the caller still closes @fds)
 * @n_fds:	Number of fds
 * @error:	Output: negative errno on failure
 *
 * Return: the new message carrying the fds, or NULL.
 */
DBusMessage *fds_attach(DBusMessage *src, const int *fds, unsigned int n_fds,
			int *error)
{
	struct fd_ctx ctx = { .in = fds, .n_in = n_fds, .attach = true };
	DBusMessage *m;

	m = copy_message(src, &ctx, error);
	if (m && ctx.n_seen != n_fds) {
		dbus_message_unref(m);
		*error = -EBADMSG;
		return NULL;
	}
	return m;
}

/**
 * fds_detach() - copy a client message, collecting its fds in index order
 * @src:	Message from a client (carrying unix fds)
 * @fds:	Output: malloc()ed array of fds owned by the caller
 * @n_fds:	Output: number of fds
 * @error:	Output: negative errno on failure
 *
 * Return: the renumbered copy (to be marshalled), or NULL.
 */
DBusMessage *fds_detach(DBusMessage *src, int **fds, unsigned int *n_fds,
			int *error)
{
	struct fd_ctx ctx = { .attach = false };
	DBusMessage *m;

	ctx.out = calloc(MAX_FDS, sizeof(int));
	if (!ctx.out) {
		*error = -ENOMEM;
		return NULL;
	}
	m = copy_message(src, &ctx, error);
	if (!m) {
		fds_close_array(ctx.out, ctx.n_out);
		return NULL;
	}
	*fds = ctx.out;
	*n_fds = ctx.n_out;
	return m;
}

/**
 * fds_close_array() - close and free an fd array from fds_detach()
 * @fds:	Array or NULL
 * @n_fds:	Number of fds
 */
void fds_close_array(int *fds, unsigned int n_fds)
{
	unsigned int i;

	if (!fds)
		return;
	for (i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
