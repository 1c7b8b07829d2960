// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - command arguments and items
 *
 * Every ioctl argument is copied and checked in this order (see section
 * "5. Commands" of Documentation/kdbus.txt); the comments of the checks
 * below refer to these numbers:
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
#include "validate.h"

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
#include "item_test.c"
#endif
