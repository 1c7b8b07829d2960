/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - command arguments and items
 *
 * Copy-in and validation of ioctl arguments, driven by one table entry per
 * command (struct kdbus_cmd_spec), and helpers to walk item lists.
 *
 * Ownership: struct kdbus_args lives on the stack of an ioctl; the kernel
 * copy of the argument it points to is owned by it and released with
 * kdbus_args_clear(). No locking: an argument copy is private to the
 * ioctl that made it.
 */

#ifndef __KDBUS_ITEM_H
#define __KDBUS_ITEM_H

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <uapi/linux/kdbus.h>

#define KDBUS_ITEM_HEADER_SIZE	offsetof(struct kdbus_item, data)

/* at most this many distinct item types are accepted by one command */
#define KDBUS_ARGS_MAX		12

/* struct kdbus_arg_spec.flags */
#define KDBUS_ARG_MANDATORY	BIT(0)	/* must be present */
#define KDBUS_ARG_MULTI		BIT(1)	/* may appear more than once */

/**
 * struct kdbus_arg_spec - an item type accepted by a command
 * @type:	KDBUS_ITEM_* type
 * @flags:	KDBUS_ARG_MANDATORY, KDBUS_ARG_MULTI
 */
struct kdbus_arg_spec {
	u64 type;
	unsigned int flags;
};

/**
 * struct kdbus_cmd_spec - what a command accepts
 * @cmd:		ioctl number (KDBUS_CMD_*)
 * @fixed_size:		Size of the fixed part of the argument structure
 *			(offset of its items[] member)
 * @allowed_flags:	Flags accepted besides KDBUS_FLAG_NEGOTIATE; also the
 *			mask reported on negotiation
 * @argc:		Number of entries in @argv
 * @argv:		Accepted item types
 */
struct kdbus_cmd_spec {
	unsigned int cmd;
	size_t fixed_size;
	u64 allowed_flags;
	unsigned int argc;
	const struct kdbus_arg_spec *argv;
};

/**
 * struct kdbus_args - a parsed command argument
 * @spec:	Specification of the command
 * @user:	The argument in user memory
 * @cmd:	Kernel copy of the argument; the header is common to all
 *		commands, cast to the command's structure for the rest
 * @items:	First item in @cmd
 * @items_size:	Size of the item region in bytes
 * @argv:	For each entry of @spec->argv, the first item of that type,
 *		or NULL
 * @negotiated:	Set when the argument carried KDBUS_FLAG_NEGOTIATE
 */
struct kdbus_args {
	const struct kdbus_cmd_spec *spec;
	void __user *user;
	struct kdbus_cmd *cmd;
	struct kdbus_item *items;
	size_t items_size;
	struct kdbus_item *argv[KDBUS_ARGS_MAX];
	bool negotiated;
};

const struct kdbus_cmd_spec *kdbus_cmd_spec_find(unsigned int cmd);
int kdbus_args_parse(struct kdbus_args *args, const struct kdbus_cmd_spec *spec,
		     void __user *argp);
int kdbus_args_check(struct kdbus_args *args);
int kdbus_args_clear(struct kdbus_args *args, int ret);
struct kdbus_item *kdbus_args_item(const struct kdbus_args *args, u64 type);
bool kdbus_negotiate_filter(const struct kdbus_cmd_spec *spec, u64 *types,
			    size_t n);

int kdbus_items_tile(const struct kdbus_item *items, size_t size);
int kdbus_item_validate(const struct kdbus_item *item);
bool kdbus_item_is_string(const struct kdbus_item *item);
int kdbus_sanitize_attach_flags(u64 flags, u64 *attach_flags);

/**
 * kdbus_item_payload_size() - size of the payload of an item
 * @item:	Item with a validated size
 *
 * Return: the item size minus the header size.
 */
static inline size_t kdbus_item_payload_size(const struct kdbus_item *item)
{
	return item->size - KDBUS_ITEM_HEADER_SIZE;
}

/**
 * kdbus_item_payload() - the payload of an item
 * @item:	Item
 *
 * The zero-length array views of struct kdbus_item (data, data64, str,
 * fds) are not flexible arrays for the compiler (-fstrict-flex-arrays=3):
 * indexing them trips the bounds sanitizer and fortified string functions
 * see a zero-sized member. Payloads of variable size are accessed through
 * this pointer instead.
 *
 * Return: pointer to the first payload byte.
 */
static inline void *kdbus_item_payload(const struct kdbus_item *item)
{
	return (void *)((const u8 *)item + KDBUS_ITEM_HEADER_SIZE);
}

/**
 * kdbus_item_next() - the item following an item
 * @item:	Item with a validated size
 *
 * Return: pointer to the next item (may be past the end of the region).
 */
static inline struct kdbus_item *kdbus_item_next(const struct kdbus_item *item)
{
	return (struct kdbus_item *)((u8 *)item + ALIGN(item->size, 8));
}

/**
 * kdbus_item_in() - whether an item lies inside an item region
 * @item:	Current position
 * @items:	Start of the region
 * @size:	Size of the region in bytes
 *
 * For walking regions that passed kdbus_items_tile():
 * for (i = items; kdbus_item_in(i, items, size); i = kdbus_item_next(i))
 *
 * Return: true if @item starts inside the region.
 */
static inline bool kdbus_item_in(const struct kdbus_item *item,
				 const struct kdbus_item *items, size_t size)
{
	return (const u8 *)item < (const u8 *)items + size;
}

#endif /* __KDBUS_ITEM_H */
