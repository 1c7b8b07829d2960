// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - command arguments and items
 *
 * Every ioctl argument is copied and checked in this order (see the
 * "Common conventions" of Documentation/kdbus.txt):
 *
 *   1. pointer 8-byte aligned and readable		-EFAULT
 *   2. size >= fixed size of the command		-EINVAL
 *   3. size <= KDBUS_CMD_MAX_SIZE			-EMSGSIZE
 *   4. size unchanged in the full copy			-EINVAL
 *   5. no flag outside the command's allowed set	-EINVAL
 *   6. the items tile the tail exactly			-EINVAL
 *   7. every item type accepted by the command		-EINVAL
 *   8. every item payload well-formed			-EINVAL and others
 *   9. no duplicate of a single-instance item		-EINVAL
 *  10. all mandatory items present			-EINVAL
 *  11. negotiation: KDBUS_ITEM_NEGOTIATE rewritten in user memory;
 *      with KDBUS_FLAG_NEGOTIATE the allowed flags are written to the
 *      user's flags field and the command does nothing else.
 *
 * Each step runs over all items before the next one starts, so the error
 * reported for an argument with several defects is deterministic.
 */

#include <kunit/test.h>
#include <linux/align.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "item.h"
#include "limits.h"
#include "names.h"

static const struct kdbus_arg_spec kdbus_args_bus_make[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_MAKE_NAME, KDBUS_ARG_MANDATORY },
	{ KDBUS_ITEM_BLOOM_PARAMETER, KDBUS_ARG_MANDATORY },
	{ KDBUS_ITEM_ATTACH_FLAGS_SEND, 0 },
	{ KDBUS_ITEM_ATTACH_FLAGS_RECV, 0 },
};

static const struct kdbus_arg_spec kdbus_args_endpoint_make[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_MAKE_NAME, KDBUS_ARG_MANDATORY },
};

static const struct kdbus_arg_spec kdbus_args_endpoint_update[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_NAME, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_POLICY_ACCESS, KDBUS_ARG_MULTI },
};

static const struct kdbus_arg_spec kdbus_args_hello[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_NAME, 0 },
	{ KDBUS_ITEM_CREDS, 0 },
	{ KDBUS_ITEM_PIDS, 0 },
	{ KDBUS_ITEM_SECLABEL, 0 },
	{ KDBUS_ITEM_CONN_DESCRIPTION, 0 },
	{ KDBUS_ITEM_POLICY_ACCESS, KDBUS_ARG_MULTI },
};

static const struct kdbus_arg_spec kdbus_args_update[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_ATTACH_FLAGS_SEND, 0 },
	{ KDBUS_ITEM_ATTACH_FLAGS_RECV, 0 },
	{ KDBUS_ITEM_NAME, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_POLICY_ACCESS, KDBUS_ARG_MULTI },
};

/* BYEBYE, FREE, BUS_CREATOR_INFO, LIST, RECV, MATCH_REMOVE */
static const struct kdbus_arg_spec kdbus_args_negotiate_only[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
};

static const struct kdbus_arg_spec kdbus_args_conn_info[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_NAME, 0 },
};

static const struct kdbus_arg_spec kdbus_args_send[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_CANCEL_FD, 0 },
};

/* NAME_ACQUIRE, NAME_RELEASE */
static const struct kdbus_arg_spec kdbus_args_name[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_NAME, KDBUS_ARG_MANDATORY },
};

static const struct kdbus_arg_spec kdbus_args_match_add[] = {
	{ KDBUS_ITEM_NEGOTIATE, 0 },
	{ KDBUS_ITEM_BLOOM_MASK, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_NAME, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_ID, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_NAME_ADD, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_NAME_REMOVE, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_NAME_CHANGE, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_ID_ADD, KDBUS_ARG_MULTI },
	{ KDBUS_ITEM_ID_REMOVE, KDBUS_ARG_MULTI },
};

static const struct kdbus_cmd_spec kdbus_cmd_specs[] = {
	{
		.cmd = KDBUS_CMD_BUS_MAKE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = KDBUS_MAKE_ACCESS_GROUP |
				 KDBUS_MAKE_ACCESS_WORLD,
		.argc = ARRAY_SIZE(kdbus_args_bus_make),
		.argv = kdbus_args_bus_make,
	}, {
		.cmd = KDBUS_CMD_ENDPOINT_MAKE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = KDBUS_MAKE_ACCESS_GROUP |
				 KDBUS_MAKE_ACCESS_WORLD,
		.argc = ARRAY_SIZE(kdbus_args_endpoint_make),
		.argv = kdbus_args_endpoint_make,
	}, {
		.cmd = KDBUS_CMD_ENDPOINT_UPDATE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_endpoint_update),
		.argv = kdbus_args_endpoint_update,
	}, {
		.cmd = KDBUS_CMD_HELLO,
		.fixed_size = sizeof(struct kdbus_cmd_hello),
		.allowed_flags = KDBUS_HELLO_ACCEPT_FD |
				 KDBUS_HELLO_ACTIVATOR |
				 KDBUS_HELLO_POLICY_HOLDER |
				 KDBUS_HELLO_MONITOR,
		.argc = ARRAY_SIZE(kdbus_args_hello),
		.argv = kdbus_args_hello,
	}, {
		.cmd = KDBUS_CMD_UPDATE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_update),
		.argv = kdbus_args_update,
	}, {
		.cmd = KDBUS_CMD_BYEBYE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	}, {
		.cmd = KDBUS_CMD_FREE,
		.fixed_size = sizeof(struct kdbus_cmd_free),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	}, {
		.cmd = KDBUS_CMD_CONN_INFO,
		.fixed_size = sizeof(struct kdbus_cmd_info),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_conn_info),
		.argv = kdbus_args_conn_info,
	}, {
		.cmd = KDBUS_CMD_BUS_CREATOR_INFO,
		.fixed_size = sizeof(struct kdbus_cmd_info),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	}, {
		.cmd = KDBUS_CMD_LIST,
		.fixed_size = sizeof(struct kdbus_cmd_list),
		.allowed_flags = KDBUS_LIST_UNIQUE |
				 KDBUS_LIST_NAMES |
				 KDBUS_LIST_ACTIVATORS |
				 KDBUS_LIST_QUEUED,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	}, {
		.cmd = KDBUS_CMD_SEND,
		.fixed_size = sizeof(struct kdbus_cmd_send),
		.allowed_flags = KDBUS_SEND_SYNC_REPLY,
		.argc = ARRAY_SIZE(kdbus_args_send),
		.argv = kdbus_args_send,
	}, {
		.cmd = KDBUS_CMD_RECV,
		.fixed_size = sizeof(struct kdbus_cmd_recv),
		.allowed_flags = KDBUS_RECV_PEEK |
				 KDBUS_RECV_DROP |
				 KDBUS_RECV_USE_PRIORITY,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	}, {
		.cmd = KDBUS_CMD_NAME_ACQUIRE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = KDBUS_NAME_REPLACE_EXISTING |
				 KDBUS_NAME_ALLOW_REPLACEMENT |
				 KDBUS_NAME_QUEUE,
		.argc = ARRAY_SIZE(kdbus_args_name),
		.argv = kdbus_args_name,
	}, {
		.cmd = KDBUS_CMD_NAME_RELEASE,
		.fixed_size = sizeof(struct kdbus_cmd),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_name),
		.argv = kdbus_args_name,
	}, {
		.cmd = KDBUS_CMD_MATCH_ADD,
		.fixed_size = sizeof(struct kdbus_cmd_match),
		.allowed_flags = KDBUS_MATCH_REPLACE,
		.argc = ARRAY_SIZE(kdbus_args_match_add),
		.argv = kdbus_args_match_add,
	}, {
		.cmd = KDBUS_CMD_MATCH_REMOVE,
		.fixed_size = sizeof(struct kdbus_cmd_match),
		.allowed_flags = 0,
		.argc = ARRAY_SIZE(kdbus_args_negotiate_only),
		.argv = kdbus_args_negotiate_only,
	},
};

/**
 * kdbus_cmd_spec_find() - look up the specification of a command
 * @cmd:	ioctl number
 *
 * Return: the specification, or NULL if @cmd is not a kdbus command.
 */
const struct kdbus_cmd_spec *kdbus_cmd_spec_find(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kdbus_cmd_specs); i++)
		if (kdbus_cmd_specs[i].cmd == cmd)
			return &kdbus_cmd_specs[i];
	return NULL;
}

static int kdbus_spec_slot(const struct kdbus_cmd_spec *spec, u64 type)
{
	unsigned int i;

	for (i = 0; i < spec->argc; i++)
		if (spec->argv[i].type == type)
			return i;
	return -1;
}

/**
 * kdbus_items_tile() - check that items tile a region exactly
 * @items:	Start of the region, 8-byte aligned
 * @size:	Size of the region in bytes
 *
 * Every item must have a size of at least the item header and end inside
 * the region; each next item starts at the 8-byte aligned end of the
 * previous one; no bytes may be left over except the padding of the last
 * item. An empty region is valid.
 *
 * Return: 0 if the region is well-formed, -EINVAL otherwise.
 */
int kdbus_items_tile(const struct kdbus_item *items, size_t size)
{
	size_t pos = 0;

	while (pos < size) {
		const struct kdbus_item *item =
			(const struct kdbus_item *)((const u8 *)items + pos);

		/* stray bytes or a partial header at the end */
		if (size - pos < KDBUS_ITEM_HEADER_SIZE)
			return -EINVAL;
		if (item->size < KDBUS_ITEM_HEADER_SIZE ||
		    item->size > size - pos)
			return -EINVAL;

		pos += ALIGN(item->size, 8);
	}

	/* here pos == ALIGN(size, 8): positions are aligned, items end <= size */
	return 0;
}

/**
 * kdbus_item_is_string() - check a string payload
 * @item:	Item with a validated size
 *
 * Return: true if the payload is non-empty and its only NUL byte is its
 * last byte.
 */
bool kdbus_item_is_string(const struct kdbus_item *item)
{
	size_t len = kdbus_item_payload_size(item);
	const char *str = kdbus_item_payload(item);

	return len > 0 && memchr(str, '\0', len) == str + len - 1;
}

static bool kdbus_item_name_change_valid(const struct kdbus_item *item)
{
	size_t len = kdbus_item_payload_size(item);
	size_t off = sizeof(struct kdbus_notify_name_change);
	const char *name = (const char *)kdbus_item_payload(item) + off;

	if (len < off)
		return false;
	if (len == off)
		return true;
	return memchr(name, '\0', len - off) == name + len - off - 1;
}

/**
 * kdbus_item_validate() - per-type payload check of an input item
 * @item:	Item whose size lies within its region
 *
 * Applies the generic checks of each item type; semantic checks (name
 * prefixes, bloom sizes, fds) are up to the command. Unknown types pass;
 * whether a type is accepted is decided by the command specification.
 *
 * Return: 0 if valid; -EINVAL, -ENAMETOOLONG or -EBADF otherwise.
 */
int kdbus_item_validate(const struct kdbus_item *item)
{
	size_t len = kdbus_item_payload_size(item);

	switch (item->type) {
	case KDBUS_ITEM_NEGOTIATE:
		if (!IS_ALIGNED(len, sizeof(u64)))
			return -EINVAL;
		break;

	case KDBUS_ITEM_PAYLOAD_VEC:
	case KDBUS_ITEM_PAYLOAD_OFF:
		if (len != sizeof(struct kdbus_vec) || item->vec.size == 0)
			return -EINVAL;
		break;

	case KDBUS_ITEM_PAYLOAD_MEMFD:
		if (len != sizeof(struct kdbus_memfd) || item->memfd.size == 0)
			return -EINVAL;
		if (item->memfd.fd < 0)
			return -EBADF;
		break;

	case KDBUS_ITEM_FDS:
		if (!IS_ALIGNED(len, sizeof(int)))
			return -EINVAL;
		break;

	case KDBUS_ITEM_CANCEL_FD:
		if (len != sizeof(int))
			return -EINVAL;
		break;

	case KDBUS_ITEM_BLOOM_PARAMETER:
		if (len != sizeof(struct kdbus_bloom_parameter))
			return -EINVAL;
		break;

	case KDBUS_ITEM_BLOOM_FILTER:
		if (len < sizeof(struct kdbus_bloom_filter))
			return -EINVAL;
		break;

	case KDBUS_ITEM_BLOOM_MASK:
		/* size checked against the bus bloom size by MATCH_ADD */
		break;

	case KDBUS_ITEM_MAKE_NAME:
	case KDBUS_ITEM_CONN_DESCRIPTION:
		if (!kdbus_item_is_string(item))
			return -EINVAL;
		return kdbus_sysname_validate(kdbus_item_payload(item),
					      len - 1);

	case KDBUS_ITEM_ATTACH_FLAGS_SEND:
	case KDBUS_ITEM_ATTACH_FLAGS_RECV:
	case KDBUS_ITEM_ID:
		if (len != sizeof(u64))
			return -EINVAL;
		break;

	case KDBUS_ITEM_TIMESTAMP:
		if (len != sizeof(struct kdbus_timestamp))
			return -EINVAL;
		break;

	case KDBUS_ITEM_CREDS:
		if (len != sizeof(struct kdbus_creds))
			return -EINVAL;
		break;

	case KDBUS_ITEM_PIDS:
		if (len != sizeof(struct kdbus_pids))
			return -EINVAL;
		break;

	case KDBUS_ITEM_AUXGROUPS:
		if (!IS_ALIGNED(len, sizeof(u32)))
			return -EINVAL;
		break;

	case KDBUS_ITEM_NAME:
	case KDBUS_ITEM_DST_NAME:
	case KDBUS_ITEM_PID_COMM:
	case KDBUS_ITEM_TID_COMM:
	case KDBUS_ITEM_EXE:
	case KDBUS_ITEM_CMDLINE:
	case KDBUS_ITEM_CGROUP:
	case KDBUS_ITEM_SECLABEL:
		if (!kdbus_item_is_string(item))
			return -EINVAL;
		break;

	case KDBUS_ITEM_CAPS:
		if (len < sizeof(u32))
			return -EINVAL;
		if (len < sizeof(u32) + 4ULL * sizeof(u32) *
			  (item->caps.last_cap >> 5))
			return -EINVAL;
		break;

	case KDBUS_ITEM_AUDIT:
		if (len != sizeof(struct kdbus_audit))
			return -EINVAL;
		break;

	case KDBUS_ITEM_POLICY_ACCESS:
		if (len != sizeof(struct kdbus_policy_access))
			return -EINVAL;
		break;

	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		if (!kdbus_item_name_change_valid(item))
			return -EINVAL;
		break;

	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		if (len != sizeof(struct kdbus_notify_id_change))
			return -EINVAL;
		break;

	case KDBUS_ITEM_REPLY_TIMEOUT:
	case KDBUS_ITEM_REPLY_DEAD:
		if (len != 0)
			return -EINVAL;
		break;
	}

	return 0;
}

/**
 * kdbus_sanitize_attach_flags() - check an attach mask from user space
 * @flags:		Mask as passed by user space
 * @attach_flags:	Output: the mask to use
 *
 * _KDBUS_ATTACH_ANY means "everything" and becomes _KDBUS_ATTACH_ALL; any
 * other value must not have bits outside _KDBUS_ATTACH_ALL.
 *
 * Return: 0 on success, -EINVAL on unknown bits.
 */
int kdbus_sanitize_attach_flags(u64 flags, u64 *attach_flags)
{
	if (flags == _KDBUS_ATTACH_ANY)
		flags = _KDBUS_ATTACH_ALL;
	else if (flags & ~(u64)_KDBUS_ATTACH_ALL)
		return -EINVAL;

	*attach_flags = flags;
	return 0;
}

/**
 * kdbus_negotiate_filter() - zero the item types a command does not accept
 * @spec:	Command specification
 * @types:	Array of item types (payload of a KDBUS_ITEM_NEGOTIATE item)
 * @n:		Number of entries in @types
 *
 * Return: true if at least one entry was changed.
 */
bool kdbus_negotiate_filter(const struct kdbus_cmd_spec *spec, u64 *types,
			    size_t n)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (types[i] != 0 && kdbus_spec_slot(spec, types[i]) < 0) {
			types[i] = 0;
			changed = true;
		}
	}

	return changed;
}

/**
 * kdbus_args_item() - the first item of a type in a parsed argument
 * @args:	Parsed argument
 * @type:	KDBUS_ITEM_* type accepted by the command
 *
 * Return: the first item of that type, or NULL if there is none.
 */
struct kdbus_item *kdbus_args_item(const struct kdbus_args *args, u64 type)
{
	int slot = kdbus_spec_slot(args->spec, type);

	return slot < 0 ? NULL : args->argv[slot];
}

/**
 * kdbus_args_check() - validate a copied command argument
 * @args:	Argument with @args->spec and @args->cmd set; @args->cmd->size
 *		is the size of the copy and at least the fixed size
 *
 * Runs steps 5 to 10 of the validation order on the kernel copy and fills
 * @args->items, @args->items_size and @args->argv.
 *
 * Return: 0 if the argument is valid, negative error code otherwise.
 */
int kdbus_args_check(struct kdbus_args *args)
{
	const struct kdbus_cmd_spec *spec = args->spec;
	const struct kdbus_item *item;
	unsigned int i;
	int ret, slot;

	memset(args->argv, 0, sizeof(args->argv));

	/* 5. flags */
	if (args->cmd->flags & ~(spec->allowed_flags | KDBUS_FLAG_NEGOTIATE))
		return -EINVAL;

	/* 6. tiling */
	args->items = (struct kdbus_item *)((u8 *)args->cmd + spec->fixed_size);
	args->items_size = args->cmd->size - spec->fixed_size;
	ret = kdbus_items_tile(args->items, args->items_size);
	if (ret < 0)
		return ret;

	/* 7. accepted types */
	for (item = args->items;
	     kdbus_item_in(item, args->items, args->items_size);
	     item = kdbus_item_next(item))
		if (kdbus_spec_slot(spec, item->type) < 0)
			return -EINVAL;

	/* 8. payloads */
	for (item = args->items;
	     kdbus_item_in(item, args->items, args->items_size);
	     item = kdbus_item_next(item)) {
		ret = kdbus_item_validate(item);
		if (ret < 0)
			return ret;
	}

	/* 9. duplicates */
	for (item = args->items;
	     kdbus_item_in(item, args->items, args->items_size);
	     item = kdbus_item_next(item)) {
		slot = kdbus_spec_slot(spec, item->type);
		if (args->argv[slot]) {
			if (!(spec->argv[slot].flags & KDBUS_ARG_MULTI))
				return -EINVAL;
			continue;
		}
		args->argv[slot] = (struct kdbus_item *)item;
	}

	/* 10. mandatory items */
	for (i = 0; i < spec->argc; i++)
		if ((spec->argv[i].flags & KDBUS_ARG_MANDATORY) &&
		    !args->argv[i])
			return -EINVAL;

	return 0;
}

/**
 * kdbus_args_parse() - copy in and validate a command argument
 * @args:	Argument to fill
 * @spec:	Specification of the command
 * @argp:	Argument in user memory
 *
 * On a return value other than 0, nothing needs to be cleaned up: on
 * failure the argument was released (with return_flags written back if
 * it was copied), on a negotiation request (return value 1) the user's
 * flags field holds the allowed flags and the command must do nothing
 * else. On 0, the caller runs the command and finishes with
 * kdbus_args_clear().
 *
 * Return: 0 to run the command, 1 after negotiation, negative error code
 * on failure.
 */
int kdbus_args_parse(struct kdbus_args *args, const struct kdbus_cmd_spec *spec,
		     void __user *argp)
{
	struct kdbus_cmd __user *user = argp;
	struct kdbus_item *item;
	u64 size;
	int ret;

	memset(args, 0, sizeof(*args));
	args->spec = spec;
	args->user = argp;

	/* 1. - 3. */
	if (!IS_ALIGNED((unsigned long)argp, 8))
		return -EFAULT;
	if (get_user(size, &user->size))
		return -EFAULT;
	if (size < spec->fixed_size)
		return -EINVAL;
	if (size > KDBUS_CMD_MAX_SIZE)
		return -EMSGSIZE;

	args->cmd = vmemdup_user(argp, size);
	if (IS_ERR(args->cmd)) {
		ret = PTR_ERR(args->cmd);
		args->cmd = NULL;
		return ret;
	}
	args->cmd->return_flags = 0;

	/* 4. */
	if (args->cmd->size != size) {
		ret = -EINVAL;
		goto exit_clear;
	}

	/* 5. - 10. */
	ret = kdbus_args_check(args);
	if (ret < 0)
		goto exit_clear;

	/* 11. */
	item = kdbus_args_item(args, KDBUS_ITEM_NEGOTIATE);
	if (item) {
		size_t n = kdbus_item_payload_size(item) / sizeof(u64);
		u64 *types = kdbus_item_payload(item);

		if (kdbus_negotiate_filter(spec, types, n)) {
			u8 __user *uptr = (u8 __user *)argp +
				((u8 *)types - (u8 *)args->cmd);

			if (copy_to_user(uptr, types, n * sizeof(u64))) {
				ret = -EFAULT;
				goto exit_clear;
			}
		}
	}

	if (args->cmd->flags & KDBUS_FLAG_NEGOTIATE) {
		if (put_user(spec->allowed_flags, &user->flags)) {
			ret = -EFAULT;
			goto exit_clear;
		}
		kvfree(args->cmd);
		args->cmd = NULL;
		args->negotiated = true;
		return 1;
	}

	/* return_flags is cleared on entry; fail before any side effect */
	if (put_user(0, &user->return_flags)) {
		ret = -EFAULT;
		goto exit_clear;
	}

	return 0;

exit_clear:
	return kdbus_args_clear(args, ret);
}

/**
 * kdbus_args_clear() - finish a command
 * @args:	Argument parsed by kdbus_args_parse()
 * @ret:	Result of the command
 *
 * Writes return_flags back to user space and releases the argument copy.
 * Safe to call more than once.
 *
 * Return: @ret, or -EFAULT if @ret was 0 and return_flags could not be
 * written.
 */
int kdbus_args_clear(struct kdbus_args *args, int ret)
{
	struct kdbus_cmd __user *user = args->user;

	if (!args->cmd)
		return ret;

	if (put_user(args->cmd->return_flags, &user->return_flags) && !ret)
		ret = -EFAULT;

	kvfree(args->cmd);
	args->cmd = NULL;
	return ret;
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)

/* a command argument under construction, 8-byte aligned */
struct kdbus_test_buf {
	u64 data[512];
	size_t size;
};

static void kdbus_test_init(struct kdbus_test_buf *b, size_t fixed, u64 flags)
{
	struct kdbus_cmd *cmd = (struct kdbus_cmd *)b->data;

	memset(b, 0, sizeof(*b));
	b->size = fixed;
	cmd->flags = flags;
	cmd->size = fixed;
}

/* append an item with a payload of @len bytes; return it */
static struct kdbus_item *kdbus_test_add(struct kdbus_test_buf *b, u64 type,
					 const void *payload, size_t len)
{
	struct kdbus_cmd *cmd = (struct kdbus_cmd *)b->data;
	struct kdbus_item *item;

	b->size = ALIGN(b->size, 8);
	item = (struct kdbus_item *)((u8 *)b->data + b->size);
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = type;
	if (payload)
		memcpy(kdbus_item_payload(item), payload, len);
	b->size += item->size;
	cmd->size = b->size;
	return item;
}

static struct kdbus_item *kdbus_test_add_str(struct kdbus_test_buf *b,
					     u64 type, const char *str)
{
	return kdbus_test_add(b, type, str, strlen(str) + 1);
}

static struct kdbus_item *kdbus_test_add_u64(struct kdbus_test_buf *b,
					     u64 type, u64 value)
{
	return kdbus_test_add(b, type, &value, sizeof(value));
}

static int kdbus_test_check(struct kdbus_test_buf *b, unsigned int cmd,
			    struct kdbus_args *args)
{
	memset(args, 0, sizeof(*args));
	args->spec = kdbus_cmd_spec_find(cmd);
	args->cmd = (struct kdbus_cmd *)b->data;
	return kdbus_args_check(args);
}

static void kdbus_test_bus_make_args(struct kdbus_test_buf *b)
{
	struct kdbus_bloom_parameter bloom = { .size = 64, .n_hash = 1 };

	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-foo");
	kdbus_test_add(b, KDBUS_ITEM_BLOOM_PARAMETER, &bloom, sizeof(bloom));
}

static void kdbus_test_tiling(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_item *items, *item;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	items = (struct kdbus_item *)b->data;

	/* empty region */
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 0));

	/* one item without padding, and with the padding omitted */
	items->size = 20;
	items->type = KDBUS_ITEM_CANCEL_FD;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 20));
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 24));

	/* stray bytes after the padding */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 28));
	/* a partial header after the item */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 24 + 15));
	/* item larger than the region */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 19));
	/* region smaller than a header */
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 8));

	/* item smaller than its header */
	items->size = 15;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 16));
	items->size = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 16));

	/* an empty item is fine */
	items->size = 16;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 16));

	/* two items, the second one overflowing */
	items->size = 24;
	item = kdbus_item_next(items);
	KUNIT_EXPECT_PTR_EQ(test, (void *)item, (void *)&b->data[3]);
	item->size = 32;
	item->type = KDBUS_ITEM_ID_ADD;
	KUNIT_EXPECT_EQ(test, 0, kdbus_items_tile(items, 56));
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 55));
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 64));

	/* a huge size must not wrap around */
	item->size = U64_MAX - 3;
	KUNIT_EXPECT_EQ(test, -EINVAL, kdbus_items_tile(items, 56));
}

static void kdbus_test_item(struct kunit *test, struct kdbus_test_buf *b,
			    int ret, u64 type, const void *payload, size_t len)
{
	struct kdbus_item *item;

	kdbus_test_init(b, 0, 0);
	item = kdbus_test_add(b, type, payload, len);
	KUNIT_EXPECT_EQ_MSG(test, ret, kdbus_item_validate(item),
			    "type 0x%llx len %zu", type, len);
}

static void kdbus_test_payloads(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_memfd memfd = { .size = 1, .fd = 3 };
	struct kdbus_vec vec = { .size = 1 };
	u8 raw[64] = {};

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_NEGOTIATE, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NEGOTIATE, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NEGOTIATE, raw, 12);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_VEC, &vec, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_VEC, raw, sizeof(vec));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_OFF, raw, sizeof(vec));

	kdbus_test_item(test, b, 0, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, 16);
	memfd.fd = -1;
	kdbus_test_item(test, b, -EBADF, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
	memfd.size = 0;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));

	kdbus_test_item(test, b, 0, KDBUS_ITEM_FDS, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_FDS, raw, 12);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_FDS, raw, 6);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CANCEL_FD, raw, 4);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CANCEL_FD, raw, 8);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_PARAMETER, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_BLOOM_PARAMETER, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_FILTER, raw, 8);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_FILTER, raw, 40);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_BLOOM_FILTER, raw, 7);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_BLOOM_MASK, raw, 3);

	kdbus_test_item(test, b, 0, KDBUS_ITEM_ATTACH_FLAGS_SEND, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ATTACH_FLAGS_RECV, raw, 4);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ID, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_TIMESTAMP, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_TIMESTAMP, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CREDS, raw, 64);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CREDS, raw, 32);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_PIDS, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_PIDS, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_AUXGROUPS, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_AUXGROUPS, raw, 5);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_AUDIT, raw, 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_AUDIT, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_POLICY_ACCESS, raw, 24);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_POLICY_ACCESS, raw, 16);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_ID_ADD, raw, 16);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_ID_REMOVE, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_REPLY_TIMEOUT, raw, 0);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_REPLY_DEAD, raw, 8);

	/* strings: exactly one NUL, at the end */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME, "foo.bar", 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, "foo.bar", 7);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, "foo\0bar", 8);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME, raw, 0);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME, raw, 1);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_DST_NAME, "ab\0\0", 4);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_SECLABEL, "label", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CGROUP, "/", 1);

	/* sysnames: string rules plus the sysname character rules */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_MAKE_NAME, "0-foo", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "", 1);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "0-foo", 5);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, "0-f@o", 6);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CONN_DESCRIPTION, "foo-", 5);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CONN_DESCRIPTION, "foo", 4);
	memset(raw, 'x', sizeof(raw));
	raw[63] = '\0';
	kdbus_test_item(test, b, 0, KDBUS_ITEM_MAKE_NAME, raw, 64);
	raw[63] = 'x';
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_MAKE_NAME, raw, 64);
	memset(raw, 0, sizeof(raw));

	/* caps: at least last_cap, and the sets for last_cap */
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 3);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CAPS, raw, 4);
	((u32 *)raw)[0] = 40;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 4);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_CAPS, raw, 36);
	((u32 *)raw)[0] = U32_MAX;
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_CAPS, raw, 36);
	memset(raw, 0, sizeof(raw));

	/* name changes: 32 bytes, optionally followed by a string */
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_ADD, raw, 32);
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME_ADD, raw, 24);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_REMOVE, raw, 33);
	raw[32] = 'a';
	raw[33] = 'b';
	kdbus_test_item(test, b, -EINVAL, KDBUS_ITEM_NAME_CHANGE, raw, 34);
	kdbus_test_item(test, b, 0, KDBUS_ITEM_NAME_CHANGE, raw, 35);

	/* unknown types are left to the command specification */
	kdbus_test_item(test, b, 0, 0x7777, raw, 3);
}

static void kdbus_test_attach_flags(struct kunit *test)
{
	u64 out = 0x1234;

	KUNIT_EXPECT_EQ(test, 0, kdbus_sanitize_attach_flags(0, &out));
	KUNIT_EXPECT_EQ(test, 0ULL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(_KDBUS_ATTACH_ALL, &out));
	KUNIT_EXPECT_EQ(test, (u64)_KDBUS_ATTACH_ALL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(_KDBUS_ATTACH_ANY, &out));
	KUNIT_EXPECT_EQ(test, (u64)_KDBUS_ATTACH_ALL, out);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_sanitize_attach_flags(KDBUS_ATTACH_CREDS |
						    KDBUS_ATTACH_PIDS, &out));
	KUNIT_EXPECT_EQ(test, 0x6ULL, out);

	out = 0x1234;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(1ULL << 14, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(~0ULL - 1, &out));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_sanitize_attach_flags(1ULL << 63, &out));
	KUNIT_EXPECT_EQ(test, 0x1234ULL, out);
}

static void kdbus_test_negotiate(struct kunit *test)
{
	static const struct {
		unsigned int cmd;
		size_t fixed_size;
		u64 mask;
	} cmds[] = {
		{ KDBUS_CMD_BUS_MAKE, 24, 0x3 },
		{ KDBUS_CMD_ENDPOINT_MAKE, 24, 0x3 },
		{ KDBUS_CMD_ENDPOINT_UPDATE, 24, 0x0 },
		{ KDBUS_CMD_HELLO, 96, 0xf },
		{ KDBUS_CMD_UPDATE, 24, 0x0 },
		{ KDBUS_CMD_BYEBYE, 24, 0x0 },
		{ KDBUS_CMD_FREE, 32, 0x0 },
		{ KDBUS_CMD_CONN_INFO, 56, 0x0 },
		{ KDBUS_CMD_BUS_CREATOR_INFO, 56, 0x0 },
		{ KDBUS_CMD_LIST, 40, 0xf },
		{ KDBUS_CMD_SEND, 56, 0x1 },
		{ KDBUS_CMD_RECV, 64, 0x7 },
		{ KDBUS_CMD_NAME_ACQUIRE, 24, 0x7 },
		{ KDBUS_CMD_NAME_RELEASE, 24, 0x0 },
		{ KDBUS_CMD_MATCH_ADD, 32, 0x1 },
		{ KDBUS_CMD_MATCH_REMOVE, 32, 0x0 },
	};
	const struct kdbus_cmd_spec *spec;
	u64 types[6];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		spec = kdbus_cmd_spec_find(cmds[i].cmd);
		KUNIT_ASSERT_NOT_NULL(test, spec);
		KUNIT_EXPECT_EQ(test, cmds[i].mask, spec->allowed_flags);
		KUNIT_EXPECT_EQ(test, cmds[i].fixed_size, spec->fixed_size);
		KUNIT_EXPECT_LE(test, spec->argc, KDBUS_ARGS_MAX);
		/* NEGOTIATE is accepted everywhere */
		KUNIT_EXPECT_EQ(test, spec->argv[0].type,
				(u64)KDBUS_ITEM_NEGOTIATE);
	}

	KUNIT_EXPECT_NULL(test, kdbus_cmd_spec_find(0));
	KUNIT_EXPECT_NULL(test, kdbus_cmd_spec_find(_IOW(KDBUS_IOCTL_MAGIC,
							 0x01,
							 struct kdbus_cmd)));

	spec = kdbus_cmd_spec_find(KDBUS_CMD_BUS_MAKE);
	types[0] = KDBUS_ITEM_MAKE_NAME;
	types[1] = KDBUS_ITEM_NAME;
	types[2] = KDBUS_ITEM_NEGOTIATE;
	types[3] = KDBUS_ITEM_BLOOM_PARAMETER;
	types[4] = 0xdeadbeef;
	types[5] = 0;
	KUNIT_EXPECT_TRUE(test, kdbus_negotiate_filter(spec, types, 6));
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_MAKE_NAME, types[0]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[1]);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_NEGOTIATE, types[2]);
	KUNIT_EXPECT_EQ(test, (u64)KDBUS_ITEM_BLOOM_PARAMETER, types[3]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[4]);
	KUNIT_EXPECT_EQ(test, 0ULL, types[5]);
	KUNIT_EXPECT_FALSE(test, kdbus_negotiate_filter(spec, types, 6));
}

static void kdbus_test_args(struct kunit *test)
{
	struct kdbus_test_buf *b;
	struct kdbus_args args;
	struct kdbus_item *item;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	/* a valid BUS_MAKE argument */
	kdbus_test_bus_make_args(b);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	item = kdbus_args_item(&args, KDBUS_ITEM_MAKE_NAME);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, "0-foo", (char *)kdbus_item_payload(item));
	KUNIT_EXPECT_NOT_NULL(test,
			      kdbus_args_item(&args,
					      KDBUS_ITEM_BLOOM_PARAMETER));
	KUNIT_EXPECT_NULL(test,
			  kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_SEND));
	KUNIT_EXPECT_NULL(test, kdbus_args_item(&args, KDBUS_ITEM_NAME));

	/* flags: allowed, negotiate, unknown */
	((struct kdbus_cmd *)b->data)->flags = KDBUS_MAKE_ACCESS_WORLD |
					       KDBUS_FLAG_NEGOTIATE;
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	((struct kdbus_cmd *)b->data)->flags = 1ULL << 2;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	((struct kdbus_cmd *)b->data)->flags = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_HELLO, &args));

	/* optional single items, then a duplicate */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	kdbus_test_add(b, KDBUS_ITEM_NEGOTIATE, NULL, 0);
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	kdbus_test_add_u64(b, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* missing mandatory item */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-foo");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));

	/* item type not accepted by the command */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* step 7 (unaccepted type) runs before step 8 (payload) */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_MAKE, &args));

	/* step 8 (payload) runs before step 9 (duplicates) */
	kdbus_test_bus_make_args(b);
	kdbus_test_add_str(b, KDBUS_ITEM_MAKE_NAME, "0-bar");
	item = kdbus_test_add(b, KDBUS_ITEM_MAKE_NAME, NULL, 65);
	memset(kdbus_item_payload(item), 'x', 64);
	KUNIT_EXPECT_EQ(test, -ENAMETOOLONG,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* multi items, and the first one is reported */
	kdbus_test_init(b, sizeof(struct kdbus_cmd), 0);
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.bar");
	kdbus_test_add(b, KDBUS_ITEM_POLICY_ACCESS, NULL,
		       sizeof(struct kdbus_policy_access));
	kdbus_test_add_str(b, KDBUS_ITEM_NAME, "foo.baz");
	kdbus_test_add(b, KDBUS_ITEM_POLICY_ACCESS, NULL,
		       sizeof(struct kdbus_policy_access));
	KUNIT_EXPECT_EQ(test, 0,
			kdbus_test_check(b, KDBUS_CMD_ENDPOINT_UPDATE, &args));
	item = kdbus_args_item(&args, KDBUS_ITEM_NAME);
	KUNIT_ASSERT_NOT_NULL(test, item);
	KUNIT_EXPECT_STREQ(test, "foo.bar", (char *)kdbus_item_payload(item));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_CONN_INFO, &args));

	/* broken tiling in the tail */
	kdbus_test_bus_make_args(b);
	b->size += 8;
	((struct kdbus_cmd *)b->data)->size = b->size;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			kdbus_test_check(b, KDBUS_CMD_BUS_MAKE, &args));

	/* the fixed part of larger commands is not parsed as items */
	kdbus_test_init(b, sizeof(struct kdbus_cmd_hello), 0);
	memset((u8 *)b->data + 24, 0xff, sizeof(struct kdbus_cmd_hello) - 24);
	KUNIT_EXPECT_EQ(test, 0, kdbus_test_check(b, KDBUS_CMD_HELLO, &args));
	KUNIT_EXPECT_EQ(test, 0UL, args.items_size);
}

static struct kunit_case kdbus_item_test_cases[] = {
	KUNIT_CASE(kdbus_test_tiling),
	KUNIT_CASE(kdbus_test_payloads),
	KUNIT_CASE(kdbus_test_attach_flags),
	KUNIT_CASE(kdbus_test_negotiate),
	KUNIT_CASE(kdbus_test_args),
	{}
};

static struct kunit_suite kdbus_item_test_suite = {
	.name = "kdbus_item",
	.test_cases = kdbus_item_test_cases,
};

kunit_test_suite(kdbus_item_test_suite);

#endif /* CONFIG_KDBUS_KUNIT_TEST */
