/*
 * nla.h - the walk over a netlink message's attributes, inline.
 *
 * libmnl's for-each macros make four calls into the shared library per
 * attribute; a dump of 10,000 rules has about half a million attributes
 * and walks them twice (fw/nlcheck, then fw/nftnl).  These are the same
 * steps, bounds included (an attribute is walked only when its header
 * and its whole length lie inside what holds it), as static inline
 * functions.  Sockets, callbacks and type checks stay with libmnl.
 */
#ifndef PS_FW_NLA_H
#define PS_FW_NLA_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

static inline const struct nlattr *
na_at(const void *p, size_t off)
{
	return (const struct nlattr *)(const void *)((const char *)p + off);
}

/* a lies whole before end */
static inline int
na_ok(const struct nlattr *a, const void *end)
{
	ptrdiff_t left = (const char *)end - (const char *)a;

	return left >= (ptrdiff_t)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	    (ptrdiff_t)a->nla_len <= left;
}

static inline const struct nlattr *
na_next(const struct nlattr *a)
{
	return na_at(a, NLA_ALIGN(a->nla_len));
}

static inline uint16_t
na_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline uint16_t
na_len(const struct nlattr *a)
{
	return (uint16_t)(a->nla_len - NLA_HDRLEN);
}

static inline const void *
na_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline const void *
na_end(const struct nlattr *nest)
{
	return (const char *)nest + nest->nla_len;
}

/* The attributes inside nest. */
#define NA_FOR_EACH_NESTED(a, nest)					\
	for ((a) = na_at(nest, NLA_HDRLEN); na_ok((a), na_end(nest));	\
	    (a) = na_next(a))

/* The attributes of a message after its fixed header of off bytes. */
#define NA_FOR_EACH(a, nlh, off)					\
	for ((a) = na_at(nlh, NLMSG_HDRLEN + NLMSG_ALIGN(off));		\
	    na_ok((a), (const char *)(nlh) + (nlh)->nlmsg_len);		\
	    (a) = na_next(a))

#endif
