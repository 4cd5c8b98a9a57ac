/* portico-errors.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-errors"

#include "config.h"

#include "portico-errors.h"

G_DEFINE_QUARK (portico-store-error-quark, portico_store_error)
G_DEFINE_QUARK (portico-connector-error-quark, portico_connector_error)
G_DEFINE_QUARK (portico-credentials-error-quark, portico_credentials_error)

const char *
portico_error_code_name (const GError *error)
{
  static const char * const store_names[] = {
    "open", "corrupt", "too_new", "disk_full", "read_only", "busy",
    "not_found", "invalid", "conflict", "failed", "sync_locked", "held",
  };
  static const char * const connector_names[] = {
    "invalid_definition", "invalid_field", "not_authorized", "forbidden",
    "plan", "not_found", "rate_limited", "network", "tls", "timeout",
    "server", "bad_response", "unsupported", "failed", "origin_changed", "sign_in_expired",
    "offline",
  };
  static const char * const credentials_names[] = {
    "keyring_unavailable", "keyring_locked", "keyring_no_collection",
    "keyring_timeout", "keyring_item_missing", "keyring_failed",
  };

  if (error == NULL)
    return NULL;

  if (error->domain == PORTICO_STORE_ERROR &&
      error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (store_names))
    return store_names[error->code];
  if (error->domain == PORTICO_CONNECTOR_ERROR &&
      error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (connector_names))
    return connector_names[error->code];
  if (error->domain == PORTICO_CREDENTIALS_ERROR &&
      error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (credentials_names))
    return credentials_names[error->code];
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";

  return "failed";
}
