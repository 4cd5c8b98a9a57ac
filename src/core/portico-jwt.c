/* portico-jwt.c: service-account keys and RS256 assertions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-jwt"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "portico-errors.h"
#include "portico-jwt.h"

void
portico_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
portico_service_account_key_free (PorticoServiceAccountKey *key)
{
  if (key == NULL)
    return;
  g_free (key->client_email);
  portico_secret_free (key->private_key);
  g_free (key->private_key_id);
  g_free (key->token_uri);
  g_free (key);
}

static gboolean
key_member (JsonObject  *object,
            const char  *name,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The key file has no “%s”. Download a new JSON key for the service account "
                     "(IAM & Admin > Service accounts > Keys > Add key) and use that file."), name);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

PorticoServiceAccountKey *
portico_service_account_key_parse (const char *json_text,
                                   GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PorticoServiceAccountKey) key = g_new0 (PorticoServiceAccountKey, 1);
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *object;

  if (json_text == NULL || !json_parser_load_from_data (parser, json_text, -1, &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The key file is not a service-account JSON key. Download the key as JSON "
                     "(not P12) and use that file."));
      return NULL;
    }
  object = json_node_get_object (root);

  if (!key_member (object, "client_email", &key->client_email, error) ||
      !key_member (object, "private_key", &key->private_key, error) ||
      !key_member (object, "token_uri", &key->token_uri, error))
    return NULL;
  if (json_object_has_member (object, "private_key_id"))
    key->private_key_id = g_strdup (json_object_get_string_member_with_default (object, "private_key_id", NULL));

  if (strstr (key->private_key, "-----BEGIN") == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The key file’s “private_key” is not a PEM key. Download a new JSON key for "
                     "the service account and use that file."));
      return NULL;
    }

  return g_steal_pointer (&key);
}

char *
portico_base64url_encode (const guchar *data,
                          gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *out = text;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '=')
        break;
      *out++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
  *out = '\0';
  return text;
}

static char *
json_part (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);

  return portico_base64url_encode ((const guchar *) text, strlen (text));
}

char *
portico_jwt_sign_rs256 (JsonObject *claims,
                        const char *private_key_pem,
                        const char *key_id,
                        GError    **error)
{
  g_autoptr(JsonObject) header = json_object_new ();
  g_autofree char *header_part = NULL;
  g_autofree char *claims_part = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature_part = NULL;
  gnutls_privkey_t privkey = NULL;
  gnutls_datum_t pem, data, signature = { NULL, 0 };
  int rc;

  g_return_val_if_fail (claims != NULL, NULL);

  if (private_key_pem == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The key file has no “private_key”. Download a new JSON key for the service account and use that file."));
      return NULL;
    }

  json_object_set_string_member (header, "alg", "RS256");
  json_object_set_string_member (header, "typ", "JWT");
  if (key_id != NULL && *key_id != '\0')
    json_object_set_string_member (header, "kid", key_id);
  header_part = json_part (header);
  claims_part = json_part (claims);
  signing_input = g_strconcat (header_part, ".", claims_part, NULL);

  pem.data = (unsigned char *) private_key_pem;
  pem.size = strlen (private_key_pem);
  rc = gnutls_privkey_init (&privkey);
  if (rc == GNUTLS_E_SUCCESS)
    rc = gnutls_privkey_import_x509_raw (privkey, &pem, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (rc == GNUTLS_E_SUCCESS && gnutls_privkey_get_pk_algorithm (privkey, NULL) != GNUTLS_PK_RSA)
    rc = GNUTLS_E_UNKNOWN_PK_ALGORITHM;
  if (rc == GNUTLS_E_SUCCESS)
    {
      data.data = (unsigned char *) signing_input;
      data.size = strlen (signing_input);
      rc = gnutls_privkey_sign_data (privkey, GNUTLS_DIG_SHA256, 0, &data, &signature);
    }
  /* gnutls_privkey_deinit() clears the imported key material. */
  if (privkey != NULL)
    gnutls_privkey_deinit (privkey);

  if (rc != GNUTLS_E_SUCCESS)
    {
      g_debug ("Cannot sign the assertion: %s", gnutls_strerror (rc));
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The key file’s “private_key” is not a usable RSA key. Download a new JSON key "
                     "for the service account and use that file."));
      return NULL;
    }

  signature_part = portico_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (signing_input, ".", signature_part, NULL);
}
