// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - the kdbusfs file system
 */

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/string.h>

#include "domain.h"
#include "fs.h"
#include "handle.h"
#include "node.h"

static const struct inode_operations kdbus_fs_dir_iops;
static const struct inode_operations kdbus_fs_file_iops;
static const struct file_operations kdbus_fs_dir_fops;

static struct inode *kdbus_fs_inode_get(struct super_block *sb,
					struct kdbus_node *node)
{
	struct inode *inode;

	inode = iget_locked(sb, node->id);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;

	inode->i_private = kdbus_node_ref(node);
	inode->i_mode = node->mode & 0777;
	inode->i_uid = node->uid;
	inode->i_gid = node->gid;
	simple_inode_init_ts(inode);

	if (kdbus_node_is_dir(node)) {
		inode->i_mode |= S_IFDIR;
		inode->i_op = &kdbus_fs_dir_iops;
		inode->i_fop = &kdbus_fs_dir_fops;
		set_nlink(inode, 2);
	} else {
		inode->i_mode |= S_IFREG;
		inode->i_op = &kdbus_fs_file_iops;
		inode->i_fop = &kdbus_handle_ops;
	}

	unlock_new_inode(inode);
	return inode;
}

/* file attributes mirror the node and cannot be changed */
static int kdbus_fs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			    struct iattr *iattr)
{
	return -EPERM;
}

static struct dentry *kdbus_fs_dir_lookup(struct inode *dir,
					  struct dentry *dentry,
					  unsigned int flags)
{
	struct kdbus_node *parent = dir->i_private;
	struct inode *inode = NULL;
	struct kdbus_node *node;

	node = kdbus_node_find_child(parent, dentry->d_name.name);
	if (node) {
		inode = kdbus_fs_inode_get(dir->i_sb, node);
		kdbus_node_unref(node);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}

	return d_splice_alias(inode, dentry);
}

static int kdbus_fs_dir_iterate(struct file *file, struct dir_context *ctx)
{
	struct kdbus_node *parent = file_inode(file)->i_private;
	struct kdbus_node *child;

	if (!dir_emit_dots(file, ctx))
		return 0;

	/*
	 * Positions 0 and 1 are "." and "..", the child with inode number n
	 * sits at position n + 2. Inode numbers are unique, so positions
	 * stay valid while children come and go.
	 */
	while (ctx->pos - 2 <= UINT_MAX) {
		child = kdbus_node_next_child(parent, ctx->pos - 2);
		if (!child)
			break;

		ctx->pos = (loff_t)child->id + 2;
		if (!dir_emit(ctx, child->name, strlen(child->name), child->id,
			      kdbus_node_is_dir(child) ? DT_DIR : DT_REG)) {
			kdbus_node_unref(child);
			break;
		}
		ctx->pos++;
		kdbus_node_unref(child);
	}

	return 0;
}

static const struct inode_operations kdbus_fs_dir_iops = {
	.lookup		= kdbus_fs_dir_lookup,
	.setattr	= kdbus_fs_setattr,
};

static const struct inode_operations kdbus_fs_file_iops = {
	.setattr	= kdbus_fs_setattr,
};

static const struct file_operations kdbus_fs_dir_fops = {
	.read		= generic_read_dir,
	.iterate_shared	= kdbus_fs_dir_iterate,
	.llseek		= generic_file_llseek,
};

static int kdbus_fs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct inode *inode;

	if (flags & LOOKUP_RCU)
		return -ECHILD;

	/* negative dentries are looked up again, the name may exist now */
	inode = d_inode(dentry);
	if (!inode)
		return 0;

	/* a torn down node disappears at once */
	return kdbus_node_is_active(inode->i_private);
}

static const struct dentry_operations kdbus_fs_dops = {
	.d_revalidate	= kdbus_fs_d_revalidate,
	.d_delete	= always_delete_dentry,
};

static void kdbus_fs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	kdbus_node_unref(inode->i_private);
}

static const struct super_operations kdbus_fs_sops = {
	.statfs		= simple_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= kdbus_fs_evict_inode,
};

static int kdbus_fs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct kdbus_domain *domain;
	struct inode *inode;

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = KDBUS_SUPER_MAGIC;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_op = &kdbus_fs_sops;
	sb->s_d_op = &kdbus_fs_dops;
	sb->s_time_gran = 1;
	sb->s_iflags |= SB_I_NOEXEC | SB_I_NODEV;

	/* one new domain per mount, in the user namespace of the mounter */
	domain = kdbus_domain_new(sb->s_user_ns, fc->cred);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	sb->s_fs_info = domain;

	inode = kdbus_fs_inode_get(sb, &domain->node);
	if (IS_ERR(inode))
		return PTR_ERR(inode);

	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;

	/* on failure, kill_sb tears down what was set up */
	return kdbus_domain_populate(domain);
}

static int kdbus_fs_get_tree(struct fs_context *fc)
{
	/* never share a superblock: every mount is a new domain */
	return get_tree_nodev(fc, kdbus_fs_fill_super);
}

static int kdbus_fs_parse_param(struct fs_context *fc,
				struct fs_parameter *param)
{
	/* the VFS records the source; all mount options are ignored */
	if (!strcmp(param->key, "source"))
		return -ENOPARAM;
	return 0;
}

static const struct fs_context_operations kdbus_fs_context_ops = {
	.parse_param	= kdbus_fs_parse_param,
	.get_tree	= kdbus_fs_get_tree,
};

static int kdbus_fs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &kdbus_fs_context_ops;
	return 0;
}

static void kdbus_fs_kill_sb(struct super_block *sb)
{
	struct kdbus_domain *domain = sb->s_fs_info;

	/* tears down the control node and all buses of the domain */
	if (domain)
		kdbus_node_destroy(&domain->node);
	kill_anon_super(sb);
	kdbus_domain_unref(domain);
}

static struct file_system_type kdbus_fs_type = {
	.owner			= THIS_MODULE,
	.name			= KBUILD_MODNAME "fs",
	.init_fs_context	= kdbus_fs_init_fs_context,
	.kill_sb		= kdbus_fs_kill_sb,
	.fs_flags		= FS_USERNS_MOUNT,
};

/**
 * kdbus_fs_init() - register kdbusfs
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_fs_init(void)
{
	return register_filesystem(&kdbus_fs_type);
}

/**
 * kdbus_fs_exit() - unregister kdbusfs
 */
void kdbus_fs_exit(void)
{
	unregister_filesystem(&kdbus_fs_type);
}
