/* SPDX-License-Identifier: MIT */
/* priv.h - what the files of store/ share; nothing outside store/ includes it. */
#ifndef APPSH_STORE_PRIV_H
#define APPSH_STORE_PRIV_H

#include "store/store.h"

struct db;
struct sqlite3;
struct sqlite3_stmt;

/* The database, for the tables beside the configuration (audit.c,
 * revision.c): cached statements and transactions (store/db.h). */
struct db *store_db(struct store *st);
/* Its connection. */
struct sqlite3 *store_sqlite(struct store *st);
/* The audit trail's INSERT, prepared once and reset (store/store.c). */
struct sqlite3_stmt *store_audit_insert(struct store *st);
/* Records "what: <sqlite message>" as the store's error; returns STORE_ERR. */
int store_fail(struct store *st, const char *what);

#endif
