/*
 * users.h - uid to user name, from /etc/passwd under the system root.
 *
 * On the live system a uid missing from /etc/passwd (LDAP, sssd) is asked
 * of NSS with getpwuid_r(3); under a fixture root it is not, so tests see
 * only their own files.
 */
#ifndef PS_USERS_H
#define PS_USERS_H

#include <stddef.h>
#include <sys/types.h>

struct users;

struct users *users_load(void);
/* Name for uid, or NULL when unknown.  The string lives as long as u. */
const char *users_name(struct users *u, uid_t uid);
/* The name for uid, or the uid in decimal when it has none; caller
 * frees.  u may be NULL (no user table: always the number). */
char *users_label(struct users *u, uid_t uid);
/* uid for name; 0 and *uid set, or -1. */
int users_uid(struct users *u, const char *name, uid_t *uid);
void users_free(struct users *u);

/* Parse passwd text into u (used by users_load and tests). */
void users_parse(struct users *u, const char *text, size_t len);
struct users *users_new(void);

#endif
