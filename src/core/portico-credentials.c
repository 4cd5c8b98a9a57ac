/* portico-credentials.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-credentials"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "portico-credentials.h"
#include "portico-errors.h"

struct _PorticoCredentials
{
  GObject parent_instance;

  char *scope;
  gboolean demo;
  guint timeout_ms;
};

G_DEFINE_FINAL_TYPE (PorticoCredentials, portico_credentials, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SCOPE,
  PROP_DEMO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema *
portico_credentials_get_schema (void)
{
  static const SecretSchema schema = {
    BASE_APP_ID, SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "connector", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "scope", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
portico_credentials_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PorticoCredentials *self = PORTICO_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_SCOPE:
      g_value_set_string (value, self->scope);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_credentials_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PorticoCredentials *self = PORTICO_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_SCOPE:
      /* The empty scope is what items written before scopes existed carry. */
      g_free (self->scope);
      self->scope = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value) : "");
      break;
    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_credentials_finalize (GObject *object)
{
  PorticoCredentials *self = PORTICO_CREDENTIALS (object);

  g_clear_pointer (&self->scope, g_free);

  G_OBJECT_CLASS (portico_credentials_parent_class)->finalize (object);
}

static void
portico_credentials_class_init (PorticoCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_credentials_finalize;
  object_class->get_property = portico_credentials_get_property;
  object_class->set_property = portico_credentials_set_property;

  properties[PROP_SCOPE] =
    g_param_spec_string ("scope", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
portico_credentials_init (PorticoCredentials *self)
{
  self->scope = g_strdup ("");
  self->timeout_ms = PORTICO_CREDENTIALS_DEFAULT_TIMEOUT_MS;
}

PorticoCredentials *
portico_credentials_new (const char *scope,
                         gboolean    demo)
{
  return g_object_new (PORTICO_TYPE_CREDENTIALS, "scope", scope, "demo", !!demo, NULL);
}

const char *
portico_credentials_get_scope (PorticoCredentials *self)
{
  g_return_val_if_fail (PORTICO_IS_CREDENTIALS (self), NULL);

  return self->scope;
}

gboolean
portico_credentials_get_demo (PorticoCredentials *self)
{
  g_return_val_if_fail (PORTICO_IS_CREDENTIALS (self), FALSE);

  return self->demo;
}

void
portico_credentials_set_timeout (PorticoCredentials *self,
                                 guint               ms)
{
  g_return_if_fail (PORTICO_IS_CREDENTIALS (self));

  /* Read by worker threads as they start a call: one word, written whole. */
  g_atomic_int_set (&self->timeout_ms, ms > 0 ? ms : PORTICO_CREDENTIALS_DEFAULT_TIMEOUT_MS);
}

guint
portico_credentials_get_timeout (PorticoCredentials *self)
{
  g_return_val_if_fail (PORTICO_IS_CREDENTIALS (self), 0);

  return g_atomic_int_get (&self->timeout_ms);
}

static const char *
profile_name (PorticoCredentials *self)
{
  return self->demo ? "demo" : "default";
}

/* portico_secret_free () of portico-jwt.c lives in the runtime, which the
 * keyring layer does not link. */
static void
scrub_free (gpointer secret)
{
  if (secret == NULL)
    return;
  /* explicit_bzero: a memset before free () may be optimised away. */
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

GHashTable *
portico_secret_table_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, scrub_free);
}

/* g_variant_parse () reads this back: 'text' with \\, \' and control
 * characters as \uXXXX, so the secret stays on one line. */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\'' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '\'');
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
portico_credentials_print_secrets (GHashTable *secrets)
{
  g_autofree gpointer *keys = NULL;
  GString *out;
  gsize size = 3;
  guint n;

  g_return_val_if_fail (secrets != NULL, NULL);

  keys = g_hash_table_get_keys_as_array (secrets, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  /* The worst case: every byte escaped as \uXXXX, quotes, ": " and ", ". */
  for (guint i = 0; i < n; i++)
    size += 6 * (strlen (keys[i]) + strlen (g_hash_table_lookup (secrets, keys[i]))) + 8;
  out = g_string_sized_new (size);

  g_string_append_c (out, '{');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_quoted (out, keys[i]);
      g_string_append (out, ": ");
      append_quoted (out, g_hash_table_lookup (secrets, keys[i]));
    }
  g_string_append_c (out, '}');
  g_assert (out->len < size);

  return g_string_free (out, FALSE);
}

/* Lengths before values make the encoding unambiguous: no two different
 * (connector, field, value) lists produce the same bytes. */
static void
hmac_update_field (GHmac      *hmac,
                   const char *text)
{
  char length[24];
  gsize n = strlen (text);

  g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT ":", n);
  g_hmac_update (hmac, (const guchar *) length, -1);
  g_hmac_update (hmac, (const guchar *) text, n);
}

char *
portico_credentials_fingerprint (PorticoCredentials *self,
                                 const char         *connector_id,
                                 GHashTable         *secrets,
                                 const char         *rotating_field)
{
  g_autofree gpointer *keys = NULL;
  g_autoptr(GHmac) hmac = NULL;
  guint n, used = 0;
  char *digest;

  g_return_val_if_fail (PORTICO_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (connector_id != NULL, NULL);
  g_return_val_if_fail (secrets != NULL, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) self->scope, strlen (self->scope));
  hmac_update_field (hmac, "portico-credential-fingerprint-1");
  hmac_update_field (hmac, connector_id);

  keys = g_hash_table_get_keys_as_array (secrets, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (keys[i], rotating_field) == 0)
        continue;
      hmac_update_field (hmac, keys[i]);
      hmac_update_field (hmac, g_hash_table_lookup (secrets, keys[i]));
      used++;
    }
  if (used == 0)
    return NULL;

  digest = g_strdup (g_hmac_get_string (hmac));
  digest[8] = '\0';
  return digest;
}

static GError *
locked_error (void)
{
  return g_error_new_literal (PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_LOCKED,
                              _("The keyring is locked. Unlock the “Login” keyring (for example in Passwords and Keys), then try again."));
}

static GError *
no_collection_error (void)
{
  return g_error_new_literal (PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NO_COLLECTION,
                              _("The keyring has no default collection. Create and unlock a “Login” keyring (for example in Passwords and Keys), then try again."));
}

GError *
portico_credentials_translate_error (const GError *error,
                                     gboolean      timed_out)
{
  g_return_val_if_fail (error != NULL, NULL);

  g_debug ("Keyring error: %s (%s, %d)",
           error->message, g_quark_to_string (error->domain), error->code);

  if (timed_out)
    return g_error_new_literal (PORTICO_CREDENTIALS_ERROR,
                                PORTICO_CREDENTIALS_ERROR_TIMEOUT,
                                _("The keyring did not answer in time. Unlock your keyring (it may be waiting for a password), then try again."));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return locked_error ();

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
    return no_collection_error ();

  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
      error->domain == G_SPAWN_ERROR)
    return g_error_new_literal (PORTICO_CREDENTIALS_ERROR,
                                PORTICO_CREDENTIALS_ERROR_NO_SERVICE,
                                _("No keyring is available. Portico stores credentials only in the system keyring: start GNOME Keyring (or another Secret Service) in your session, then try again."));

  return g_error_new (PORTICO_CREDENTIALS_ERROR,
                      PORTICO_CREDENTIALS_ERROR_FAILED,
                      _("The keyring refused the request. Check that it is unlocked, then try again."));
}

/* A keyring call with a deadline: our own cancellable is cancelled by a
 * timeout (or by the caller's cancellable), and the error then says which. */
typedef struct
{
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  /* The source itself, not its id: ids are per main context, and the task
   * can be freed after the blocking variants popped their private context,
   * when an id would name an unrelated source of the caller's context. */
  GSource *timeout;
  gboolean timed_out;
  PorticoCredentials *credentials;
  gint64 account_id;
  char *connector_id;
  char *label;
  char *printed;
} CallData;

static gboolean
call_timeout_cb (gpointer user_data)
{
  CallData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      user_data)
{
  GCancellable *ours = user_data;

  g_cancellable_cancel (ours);
}

static void
call_data_free (CallData *data)
{
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_clear_pointer (&data->timeout, g_source_unref);
    }
  if (data->caller_cancellable != NULL)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->credentials);
  g_free (data->connector_id);
  g_free (data->label);
  g_clear_pointer (&data->printed, scrub_free);
  g_free (data);
}

static GTask *
call_task_new (PorticoCredentials  *self,
               gint64               account_id,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task;
  CallData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (CallData, 1);
  data->credentials = g_object_ref (self);
  data->account_id = account_id;
  data->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (caller_cancelled_cb),
                                                    data->cancellable, NULL);
    }
  {
    /* Attach to the caller's context: the blocking variants iterate their own. */
    data->timeout = g_timeout_source_new (portico_credentials_get_timeout (self));
    g_source_set_callback (data->timeout, call_timeout_cb, data, NULL);
    g_source_set_static_name (data->timeout, "[portico] keyring timeout");
    g_source_attach (data->timeout, g_main_context_get_thread_default ());
  }
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  return task;
}

static void
return_translated_error (GTask  *task,
                         GError *error)
{
  CallData *data = g_task_get_task_data (task);

  /* libsecret can fail without an error, e.g. when a prompt is dismissed. */
  if (error == NULL)
    error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "no error given");

  g_task_return_error (task, portico_credentials_translate_error (error, data->timed_out));
  g_error_free (error);
}

/* Storing into a locked collection makes libsecret raise an unlock prompt
 * (and, when none can be shown, fail without an error), so check first and
 * say plainly that the keyring is locked. */
typedef void (*UnlockedFunc) (GTask *task);

static void
locked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  UnlockedFunc next = g_object_get_data (G_OBJECT (task), "portico-next");
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (error != NULL)
    {
      return_translated_error (task, error);
      return;
    }

  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean (value))
    {
      g_task_return_error (task, locked_error ());
      return;
    }

  next (g_steal_pointer (&task));
}

static void
collection_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretCollection) collection = NULL;
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  collection = secret_collection_for_alias_finish (result, &error);
  if (error != NULL)
    {
      return_translated_error (task, error);
      return;
    }

  if (collection == NULL)
    {
      g_task_return_error (task, no_collection_error ());
      return;
    }

  /* Ask the service rather than the proxy's cached property: the cache is
   * only refreshed on the main context the service proxy was made on. */
  g_dbus_connection_call (g_dbus_proxy_get_connection (G_DBUS_PROXY (collection)),
                          g_dbus_proxy_get_name (G_DBUS_PROXY (collection)),
                          g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection)),
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.freedesktop.Secret.Collection", "Locked"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          data->cancellable,
                          locked_cb, g_steal_pointer (&task));
}


static void
service_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (error != NULL)
    {
      return_translated_error (task, error);
      return;
    }

  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               data->cancellable, collection_cb, g_steal_pointer (&task));
}

gboolean
portico_credentials_uses_portal (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
when_unlocked (GTask        *task,
               UnlockedFunc  next)
{
  CallData *data = g_task_get_task_data (task);

  /* Inside a Flatpak sandbox libsecret keeps the items in an encrypted file
   * whose key comes from the Secret portal: there is no Secret Service
   * collection to ask about, and the app may not talk to one. */
  if (portico_credentials_uses_portal ())
    {
      next (task);
      return;
    }

  g_object_set_data (G_OBJECT (task), "portico-next", next);
  secret_service_get (SECRET_SERVICE_NONE, data->cancellable, service_cb, task);
}

static char *
account_key (gint64 account_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_translated_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
store_unlocked (GTask *task)
{
  CallData *data = g_task_get_task_data (task);
  g_autofree char *key = account_key (data->account_id);

  secret_password_store (portico_credentials_get_schema (),
                         SECRET_COLLECTION_DEFAULT, data->label, data->printed,
                         data->cancellable, store_cb, task,
                         "account", key,
                         "connector", data->connector_id,
                         "profile", profile_name (data->credentials),
                         "scope", data->credentials->scope,
                         NULL);
}

void
portico_credentials_store_async (PorticoCredentials  *self,
                                 gint64               account_id,
                                 const char          *connector_id,
                                 const char          *account_name,
                                 GHashTable          *secrets,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;
  CallData *data;

  g_return_if_fail (PORTICO_IS_CREDENTIALS (self));
  g_return_if_fail (account_id > 0);
  g_return_if_fail (connector_id != NULL);
  g_return_if_fail (secrets != NULL);

  task = call_task_new (self, account_id, cancellable, callback, user_data,
                        portico_credentials_store_async);
  data = g_task_get_task_data (task);


  if (self->demo)
    label = g_strdup_printf (_("Portico demo: %s"), account_name ? account_name : connector_id);
  else
    label = g_strdup_printf (_("Portico: %s"), account_name ? account_name : connector_id);

  data->connector_id = g_strdup (connector_id);
  data->label = g_steal_pointer (&label);
  /* Printed by us rather than by g_variant_print (): GVariant's own copies
   * of the values would be freed unscrubbed. */
  data->printed = portico_credentials_print_secrets (secrets);

  when_unlocked (g_steal_pointer (&task), store_unlocked);
}

gboolean
portico_credentials_store_finish (GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_credentials_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static GHashTable *
parse_secret (const char *text)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GHashTable) secrets = NULL;
  GVariantIter iter;
  const char *k, *v;

  variant = g_variant_parse (G_VARIANT_TYPE ("a{ss}"), text, NULL, NULL, NULL);
  if (variant == NULL)
    return NULL;

  secrets = portico_secret_table_new ();
  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    {
      g_hash_table_insert (secrets, g_strdup (k), g_strdup (v));
      /* The parsed variant is ours alone (nothing shares its strings), so
       * its copy of the value is wiped before it is freed. */
      explicit_bzero ((char *) v, strlen (v));
    }

  return g_steal_pointer (&secrets);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *text;
  GHashTable *secrets;

  text = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_translated_error (task, error);
      return;
    }

  if (text == NULL)
    {
      g_task_return_new_error (task, PORTICO_CREDENTIALS_ERROR,
                               PORTICO_CREDENTIALS_ERROR_NOT_FOUND,
                               _("The credentials of this account are missing from the keyring. Reconnect the account to store them again."));
      return;
    }

  secrets = parse_secret (text);
  secret_password_free (text);

  if (secrets == NULL)
    g_task_return_new_error (task, PORTICO_CREDENTIALS_ERROR,
                             PORTICO_CREDENTIALS_ERROR_NOT_FOUND,
                             _("The keyring item of this account is damaged. Reconnect the account to store its credentials again."));
  else
    g_task_return_pointer (task, secrets, (GDestroyNotify) g_hash_table_unref);
}

static void
lookup_unlocked (GTask *task)
{
  CallData *data = g_task_get_task_data (task);
  g_autofree char *key = account_key (data->account_id);

  secret_password_lookup (portico_credentials_get_schema (), data->cancellable,
                          lookup_cb, task,
                          "account", key,
                          "profile", profile_name (data->credentials),
                          "scope", data->credentials->scope,
                          NULL);
}

void
portico_credentials_lookup_async (PorticoCredentials  *self,
                                  gint64               account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_CREDENTIALS (self));
  g_return_if_fail (account_id > 0);

  task = call_task_new (self, account_id, cancellable, callback, user_data,
                        portico_credentials_lookup_async);
  when_unlocked (g_steal_pointer (&task), lookup_unlocked);
}

GHashTable *
portico_credentials_lookup_finish (GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_credentials_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to delete: that is fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_translated_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
portico_credentials_delete_async (PorticoCredentials  *self,
                                  gint64               account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  CallData *data;

  g_return_if_fail (PORTICO_IS_CREDENTIALS (self));
  g_return_if_fail (account_id > 0);

  task = call_task_new (self, account_id, cancellable, callback, user_data,
                        portico_credentials_delete_async);
  data = g_task_get_task_data (task);
  key = account_key (account_id);

  secret_password_clear (portico_credentials_get_schema (), data->cancellable,
                         delete_cb, g_steal_pointer (&task),
                         "account", key,
                         "profile", profile_name (data->credentials),
                         "scope", data->credentials->scope,
                         NULL);
}

gboolean
portico_credentials_delete_finish (GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_credentials_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The blocking variants run the async call on a private main context, so
 * they work from the CLI and from worker threads alike. */
typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} SyncData;

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncData *data = user_data;

  data->result = g_object_ref (result);
  g_main_context_wakeup (data->context);
}

static GAsyncResult *
run_sync (SyncData *data)
{
  while (data->result == NULL)
    g_main_context_iteration (data->context, TRUE);

  return data->result;
}

gboolean
portico_credentials_store_sync (PorticoCredentials *self,
                                gint64              account_id,
                                const char         *connector_id,
                                const char         *account_name,
                                GHashTable         *secrets,
                                GCancellable       *cancellable,
                                GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SyncData data = { context, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  portico_credentials_store_async (self, account_id, connector_id, account_name, secrets,
                                   cancellable, sync_cb, &data);
  result = run_sync (&data);
  g_main_context_pop_thread_default (context);

  return portico_credentials_store_finish (result, error);
}

GHashTable *
portico_credentials_lookup_sync (PorticoCredentials *self,
                                 gint64              account_id,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SyncData data = { context, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  portico_credentials_lookup_async (self, account_id, cancellable, sync_cb, &data);
  result = run_sync (&data);
  g_main_context_pop_thread_default (context);

  return portico_credentials_lookup_finish (result, error);
}

gboolean
portico_credentials_delete_sync (PorticoCredentials *self,
                                 gint64              account_id,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SyncData data = { context, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  portico_credentials_delete_async (self, account_id, cancellable, sync_cb, &data);
  result = run_sync (&data);
  g_main_context_pop_thread_default (context);

  return portico_credentials_delete_finish (result, error);
}
