/* portico-engine-custom.c: importing, saving, exporting and deleting the
 * admin's own connector definitions, keeping the catalog in step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-engine-custom"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "portico-engine-custom.h"
#include "portico-errors.h"

PorticoConnector *
portico_engine_check_custom_connector (PorticoEngine *self,
                                       const char    *data,
                                       gssize         length,
                                       const char    *source_name,
                                       GError       **error)
{
  g_autoptr(PorticoConnector) connector = NULL;
  g_autofree char *name = NULL;
  PorticoConnector *existing;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  name = g_path_get_basename (source_name != NULL ? source_name : "connector.json");
  connector = portico_connector_new_from_data (data, length, name, TRUE, error);
  if (connector == NULL)
    return NULL;

  existing = portico_catalog_lookup (portico_engine_get_catalog (self),
                                     portico_connector_get_id (connector));
  if (existing != NULL && !portico_connector_is_custom (existing))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("%s: id: “%s” is the id of the shipped connector %s, which a custom connector cannot replace; give this file another id, for example “%s-custom”."),
                   name, portico_connector_get_id (connector),
                   portico_connector_get_name (existing),
                   portico_connector_get_id (connector));
      return NULL;
    }

  return g_steal_pointer (&connector);
}

PorticoConnector *
portico_engine_save_custom_connector (PorticoEngine *self,
                                      const char    *data,
                                      gssize         length,
                                      const char    *source_name,
                                      GError       **error)
{
  g_autoptr(PorticoConnector) checked = NULL;
  g_autoptr(PorticoConnector) saved = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *path = NULL;
  g_autofree char *old_origin = NULL;
  PorticoCatalog *catalog;
  PorticoConnector *existing;
  gsize size;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  size = length < 0 ? strlen (data) : (gsize) length;
  checked = portico_engine_check_custom_connector (self, data, (gssize) size, source_name, error);
  if (checked == NULL)
    return NULL;

  catalog = portico_engine_get_catalog (self);
  dir = portico_catalog_get_user_dir ();
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("The folder %s cannot be created (%s); check its permissions."),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  basename = g_strconcat (portico_connector_get_id (checked), ".json", NULL);
  path = g_build_filename (dir, basename, NULL);
  if (!g_file_set_contents_full (path, data, (gssize) size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_prefix_error (error, _("The connector could not be saved: "));
      return NULL;
    }

  /* Load it back from where it now lives, exactly as at start-up. */
  file = g_file_new_for_path (path);
  saved = portico_connector_new_from_file (file, TRUE, error);
  if (saved == NULL)
    {
      g_unlink (path);
      return NULL;
    }

  existing = portico_catalog_lookup (catalog, portico_connector_get_id (saved));
  if (existing != NULL && portico_connector_is_custom (existing) &&
      g_strcmp0 (portico_connector_get_origin (existing), path) != 0)
    old_origin = g_strdup (portico_connector_get_origin (existing));

  if (!portico_catalog_add (catalog, saved))
    {
      g_unlink (path);
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("The connector “%s” could not be added to the catalog."),
                   portico_connector_get_id (saved));
      return NULL;
    }

  /* The same id used to come from a file with another name: only one file
   * may define it, or the next start would load both. */
  if (old_origin != NULL)
    g_unlink (old_origin);

  g_debug ("Saved the custom connector %s to %s", portico_connector_get_id (saved), path);
  return g_steal_pointer (&saved);
}

GBytes *
portico_engine_export_connector (PorticoEngine *self,
                                 const char    *connector_id,
                                 GError       **error)
{
  PorticoConnector *connector;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (connector_id != NULL, NULL);

  connector = portico_catalog_lookup (portico_engine_get_catalog (self), connector_id);
  if (connector == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND,
                   _("There is no connector “%s”; 'portico-cli connectors' lists them."),
                   connector_id);
      return NULL;
    }

  if (!g_file_get_contents (portico_connector_get_origin (connector), &contents, &length, error))
    {
      g_prefix_error (error, _("The definition of “%s” cannot be read: "), connector_id);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

JsonArray *
portico_engine_list_connector_accounts (PorticoEngine *self,
                                        const char    *connector_id,
                                        GError       **error)
{
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonArray) result = json_array_new ();
  JsonArray *array;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (connector_id != NULL, NULL);

  accounts = portico_store_list_accounts (portico_engine_get_store (self), error);
  if (accounts == NULL)
    return NULL;

  array = json_node_get_array (accounts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (account, "connector", ""),
                     connector_id) == 0)
        json_array_add_object_element (result, json_object_ref (account));
    }

  return g_steal_pointer (&result);
}

gboolean
portico_engine_delete_custom_connector (PorticoEngine *self,
                                        const char    *connector_id,
                                        GError       **error)
{
  g_autoptr(JsonArray) accounts = NULL;
  g_autofree char *origin = NULL;
  PorticoConnector *connector;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (connector_id != NULL, FALSE);

  connector = portico_catalog_lookup (portico_engine_get_catalog (self), connector_id);
  if (connector == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND,
                   _("There is no connector “%s”; 'portico-cli connectors' lists them."),
                   connector_id);
      return FALSE;
    }
  if (!portico_connector_is_custom (connector))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                   _("%s is shipped with Portico and cannot be deleted; only custom connectors can."),
                   portico_connector_get_name (connector));
      return FALSE;
    }

  accounts = portico_engine_list_connector_accounts (self, connector_id, error);
  if (accounts == NULL)
    return FALSE;
  if (json_array_get_length (accounts) > 0)
    {
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_auto(GStrv) list = NULL;
      g_autofree char *joined = NULL;

      for (guint i = 0; i < json_array_get_length (accounts); i++)
        g_strv_builder_add (names, json_object_get_string_member_with_default (
                              json_array_get_object_element (accounts, i), "name", "?"));
      list = g_strv_builder_end (names);
      joined = g_strjoinv (", ", list);
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s is used by the account %s; disconnect it first.",
                                "%s is used by the accounts %s; disconnect them first.",
                                json_array_get_length (accounts)),
                   portico_connector_get_name (connector), joined);
      return FALSE;
    }

  origin = g_strdup (portico_connector_get_origin (connector));
  if (g_unlink (origin) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("The file %s cannot be deleted (%s); check the folder's permissions."),
                   origin, g_strerror (saved_errno));
      return FALSE;
    }

  portico_catalog_remove (portico_engine_get_catalog (self), connector_id);
  g_debug ("Deleted the custom connector %s (%s)", connector_id, origin);
  return TRUE;
}

/* The host of a URL template, or NULL when it has none. "{subdomain}.okta.com"
 * stays a template; a host that is only a template is NULL (the caller
 * describes it by the field). */
static char *
template_host (const char *url,
               gboolean   *is_field,
               char      **field_id)
{
  const char *start;
  const char *end;
  g_autofree char *host = NULL;

  *is_field = FALSE;
  *field_id = NULL;
  if (url == NULL || *url == '\0')
    return NULL;

  start = strstr (url, "://");
  start = start != NULL ? start + 3 : url;
  end = start + strcspn (start, "/?#");
  host = g_strndup (start, (gsize) (end - start));
  if (host[0] == '{' && strchr (host, '}') == host + strlen (host) - 1)
    {
      /* The whole address comes from a field. */
      *is_field = TRUE;
      *field_id = g_strndup (host + 1, strlen (host) - 2);
      return NULL;
    }
  if (start == url && url[0] == '{')
    {
      /* "{base_url}/api": the origin comes from a field. */
      *is_field = TRUE;
      *field_id = g_strndup (url + 1, strcspn (url + 1, "}"));
      return NULL;
    }
  return host[0] != '\0' ? g_steal_pointer (&host) : NULL;
}

static void
add_host (PorticoConnector *connector,
          GPtrArray        *hosts,
          const char       *url)
{
  g_autofree char *field_id = NULL;
  g_autofree char *host = NULL;
  gboolean is_field;
  char *text;

  host = template_host (url, &is_field, &field_id);
  if (is_field)
    {
      const PorticoConnectorField *field = portico_connector_get_field (connector, field_id);

      text = g_strdup_printf (_("the address entered in “%s”"),
                              field != NULL ? field->label : field_id);
    }
  else if (host != NULL)
    text = g_steal_pointer (&host);
  else
    return;

  if (g_ptr_array_find_with_equal_func (hosts, text, g_str_equal, NULL))
    g_free (text);
  else
    g_ptr_array_add (hosts, text);
}

GStrv
portico_connector_dup_credential_hosts (PorticoConnector *connector)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  JsonObject *def;
  JsonObject *auth;
  const char *scheme;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  def = portico_connector_get_definition (connector);
  add_host (connector, hosts, json_object_get_string_member_with_default (def, "base_url", NULL));

  auth = portico_connector_get_auth (connector);
  scheme = portico_connector_get_auth_scheme (connector);
  if (auth != NULL)
    {
      add_host (connector, hosts, json_object_get_string_member_with_default (auth, "token_url", NULL));
      add_host (connector, hosts, json_object_get_string_member_with_default (auth, "authorize_url", NULL));
    }
  if (g_strcmp0 (scheme, "oauth2_jwt_bearer") == 0)
    g_ptr_array_add (hosts, g_strdup (_("the token address in the key file")));

  if (hosts->len == 0)
    g_ptr_array_add (hosts, g_strdup (_("the address entered as the API base URL")));
  g_ptr_array_add (hosts, NULL);
  return (GStrv) g_ptr_array_steal (hosts, NULL);
}
