/* SPDX-License-Identifier: MIT */
/*
 * admin.h - the values of `config system admin user` trusted hosts, parsed
 * for the login check (cli/login.c) and validated for `set`.
 */
#ifndef APPSH_SCHEMA_ADMIN_H
#define APPSH_SCHEMA_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

/* "a.b.c.d m.m.m.m" or "a.b.c.d/len" -> network and mask (host order).
 * 0 when valid, else -1. */
int schema_trusthost4(const char *v, uint32_t *net, uint32_t *mask);
/* "addr/len" -> 16 address bytes and a prefix length.  0 or -1. */
int schema_trusthost6(const char *v, unsigned char addr[16], unsigned *len);

/* The profile names appsh creates in a new store (migration 2). */
#define SCHEMA_SUPER_USER "Super_User"

#endif
