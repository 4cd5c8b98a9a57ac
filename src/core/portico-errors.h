/* portico-errors.h: one error domain per area of the engine.
 *
 * Codes are chosen so that a user-facing sentence (and its fix) can be picked
 * from them; raw library messages only go to g_debug().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PORTICO_STORE_ERROR (portico_store_error_quark ())
#define PORTICO_CONNECTOR_ERROR (portico_connector_error_quark ())
#define PORTICO_CREDENTIALS_ERROR (portico_credentials_error_quark ())

typedef enum
{
  PORTICO_STORE_ERROR_OPEN,          /* cannot open or create the file */
  PORTICO_STORE_ERROR_CORRUPT,       /* not a Portico database, or damaged */
  PORTICO_STORE_ERROR_TOO_NEW,       /* written by a newer Portico */
  PORTICO_STORE_ERROR_FULL,          /* disk full */
  PORTICO_STORE_ERROR_READ_ONLY,     /* file or folder not writable */
  PORTICO_STORE_ERROR_BUSY,          /* locked by another process for too long */
  PORTICO_STORE_ERROR_NOT_FOUND,     /* no such account, app, ... */
  PORTICO_STORE_ERROR_INVALID,       /* refused input (empty name, ...) */
  PORTICO_STORE_ERROR_CONFLICT,      /* e.g. the same external identity twice */
  PORTICO_STORE_ERROR_FAILED,        /* anything else */
  PORTICO_STORE_ERROR_SYNC_LOCKED,   /* another process syncs this account */
  PORTICO_STORE_ERROR_HELD,          /* a users sync held by drift protection */
} PorticoStoreError;

typedef enum
{
  PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION, /* a connector file is broken */
  PORTICO_CONNECTOR_ERROR_INVALID_FIELD,      /* a connect field value is refused */
  PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED,     /* 401, rejected key */
  PORTICO_CONNECTOR_ERROR_FORBIDDEN,          /* 403: missing permission or scope */
  PORTICO_CONNECTOR_ERROR_PLAN,               /* the plan tier lacks this API */
  PORTICO_CONNECTOR_ERROR_NOT_FOUND,          /* 404: wrong subdomain, org, ... */
  PORTICO_CONNECTOR_ERROR_RATE_LIMITED,       /* still limited after retries */
  PORTICO_CONNECTOR_ERROR_NETWORK,            /* cannot reach the host */
  PORTICO_CONNECTOR_ERROR_TLS,                /* certificate problem */
  PORTICO_CONNECTOR_ERROR_TIMEOUT,            /* no answer in time */
  PORTICO_CONNECTOR_ERROR_SERVER,             /* 5xx after retries */
  PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,       /* not JSON, wrong shape, repeating cursor */
  PORTICO_CONNECTOR_ERROR_UNSUPPORTED,        /* auth scheme or feature not available */
  PORTICO_CONNECTOR_ERROR_FAILED,
  PORTICO_CONNECTOR_ERROR_ORIGIN_CHANGED,     /* credentials would go to a new host */
  PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED,    /* invalid_grant on refresh: sign in again */
  PORTICO_CONNECTOR_ERROR_OFFLINE,            /* no network at all (network unreachable) */
} PorticoConnectorError;

typedef enum
{
  PORTICO_CREDENTIALS_ERROR_NO_SERVICE, /* no session bus or no Secret Service */
  PORTICO_CREDENTIALS_ERROR_LOCKED,     /* the collection is locked */
  PORTICO_CREDENTIALS_ERROR_NO_COLLECTION, /* the login collection does not exist */
  PORTICO_CREDENTIALS_ERROR_TIMEOUT,    /* the keyring did not answer (hidden prompt?) */
  PORTICO_CREDENTIALS_ERROR_NOT_FOUND,  /* the account's item is missing */
  PORTICO_CREDENTIALS_ERROR_FAILED,
} PorticoCredentialsError;

GQuark portico_store_error_quark (void);
GQuark portico_connector_error_quark (void);
GQuark portico_credentials_error_quark (void);

/* A stable, machine-readable name for an error code ("not_authorized",
 * "rate_limited", ...), as stored in the database and printed by --json. */
const char *portico_error_code_name (const GError *error);

G_END_DECLS
