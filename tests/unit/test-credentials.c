/* test-credentials.c: the real keyring (gnome-keyring on a private bus).
 *
 * The CI wrapper (build-aux/keyring-run) starts an unlocked gnome-keyring and
 * sets PORTICO_TEST_KEYRING=1; without it these tests skip, so a developer's
 * own login keyring is never touched by accident.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "portico-credentials.h"
#include "portico-errors.h"

static gboolean
have_test_keyring (void)
{
  if (g_strcmp0 (g_getenv ("PORTICO_TEST_KEYRING"), "1") != 0)
    {
      g_test_skip ("no private test keyring (run under build-aux/keyring-run)");
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
make_secrets (const char *key,
              const char *value)
{
  GHashTable *secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (secrets, g_strdup (key), g_strdup (value));
  return secrets;
}

static void
test_roundtrip (void)
{
  g_autoptr(PorticoCredentials) keyring = portico_credentials_new (NULL, FALSE);
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!have_test_keyring ())
    return;

  secrets = make_secrets ("api_token", "tok-123 with spaces");
  g_hash_table_insert (secrets, g_strdup ("client_secret"), g_strdup ("line1\nline2"));

  ok = portico_credentials_store_sync (keyring, 41, "okta", "Acme Okta", secrets, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  found = portico_credentials_lookup_sync (keyring, 41, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (g_hash_table_size (found), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, "tok-123 with spaces");
  g_assert_cmpstr (g_hash_table_lookup (found, "client_secret"), ==, "line1\nline2");

  ok = portico_credentials_delete_sync (keyring, 41, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_clear_pointer (&found, g_hash_table_unref);
  found = portico_credentials_lookup_sync (keyring, 41, NULL, &error);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_clear_error (&error);

  /* Deleting again is not an error: a retried delete must be idempotent. */
  ok = portico_credentials_delete_sync (keyring, 41, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The stored item: attributes carry ids only, and the secret is one line. */
static void
test_item_shape (void)
{
  g_autoptr(PorticoCredentials) keyring = portico_credentials_new (NULL, FALSE);
  static const SecretSchema lookup_schema = {
    BASE_APP_ID, SECRET_SCHEMA_DONT_MATCH_NAME,
    { { "account", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;
  SecretItem *item;
  SecretValue *value;
  g_autoptr(GHashTable) item_attributes = NULL;
  GHashTableIter iter;
  gpointer k, v;
  const char *text;

  if (!have_test_keyring ())
    return;

  secrets = make_secrets ("api_token", "very-secret-value\r\nsecond");
  g_assert_true (portico_credentials_store_sync (keyring, 42, "slack", "Acme", secrets, NULL, &error));
  g_assert_no_error (error);

  attributes = secret_attributes_build (&lookup_schema, "account", "42", NULL);
  items = secret_service_search_sync (NULL, &lookup_schema, attributes,
                                      SECRET_SEARCH_LOAD_SECRETS | SECRET_SEARCH_UNLOCK,
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;

  item_attributes = secret_item_get_attributes (item);
  g_hash_table_iter_init (&iter, item_attributes);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_null (strstr (v, "very-secret-value"));
  g_assert_cmpstr (g_hash_table_lookup (item_attributes, "connector"), ==, "slack");
  g_assert_cmpstr (g_hash_table_lookup (item_attributes, "profile"), ==, "default");

  value = secret_item_get_secret (item);
  g_assert_nonnull (value);
  text = secret_value_get_text (value);
  g_assert_nonnull (strstr (text, "very-secret-value"));
  g_assert_null (strchr (text, '\n'));
  g_assert_null (strchr (text, '\r'));
  secret_value_unref (value);
  g_list_free_full (items, g_object_unref);

  g_assert_true (portico_credentials_delete_sync (keyring, 42, NULL, &error));
  g_assert_no_error (error);
}

/* Demo items never answer for real accounts with the same id. */
static void
test_demo_profile (void)
{
  g_autoptr(PorticoCredentials) demo = portico_credentials_new (NULL, TRUE);
  g_autoptr(PorticoCredentials) real = portico_credentials_new (NULL, FALSE);
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_keyring ())
    return;

  g_assert_true (portico_credentials_get_demo (demo));
  g_assert_false (portico_credentials_get_demo (real));

  secrets = make_secrets ("api_token", "sandbox-ok");
  g_assert_true (portico_credentials_store_sync (demo, 43, "okta", "Demo", secrets, NULL, &error));
  g_assert_no_error (error);

  found = portico_credentials_lookup_sync (real, 43, NULL, &error);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_clear_error (&error);

  found = portico_credentials_lookup_sync (demo, 43, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, "sandbox-ok");
  g_assert_true (portico_credentials_delete_sync (demo, 43, NULL, &error));
}

/* Two databases with an account of the same id never see each other's
 * item: two keyring objects of different scopes, alive at the same time. */
static void
test_scope (void)
{
  g_autoptr(PorticoCredentials) keyring_a = portico_credentials_new ("database-a", FALSE);
  g_autoptr(PorticoCredentials) keyring_b = portico_credentials_new ("database-b", FALSE);
  g_autoptr(GHashTable) a = NULL;
  g_autoptr(GHashTable) b = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_test_keyring ())
    return;

  g_assert_cmpstr (portico_credentials_get_scope (keyring_a), ==, "database-a");
  a = make_secrets ("api_token", "token-of-database-a");
  b = make_secrets ("api_token", "token-of-database-b");

  g_assert_true (portico_credentials_store_sync (keyring_a, 48, "okta", NULL, a, NULL, &error));
  g_assert_no_error (error);
  found = portico_credentials_lookup_sync (keyring_b, 48, NULL, &error);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (portico_credentials_store_sync (keyring_b, 48, "okta", NULL, b, NULL, &error));

  found = portico_credentials_lookup_sync (keyring_a, 48, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, "token-of-database-a");
  g_assert_true (portico_credentials_delete_sync (keyring_a, 48, NULL, &error));

  g_clear_pointer (&found, g_hash_table_unref);
  found = portico_credentials_lookup_sync (keyring_b, 48, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, "token-of-database-b");
  g_assert_true (portico_credentials_delete_sync (keyring_b, 48, NULL, &error));
}

/* No Secret Service on the bus: a clear sentence, and the fix. Run in a
 * child so the bus singleton of this process is not poisoned. */
static void
test_no_service (void)
{
  g_autoptr(PorticoCredentials) keyring = portico_credentials_new (NULL, FALSE);
  if (g_test_subprocess ())
    {
      g_autoptr(GHashTable) secrets = make_secrets ("api_token", "x");
      g_autoptr(GError) error = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);
      g_assert_false (portico_credentials_store_sync (keyring, 44, "okta", NULL, secrets, NULL, &error));
      g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NO_SERVICE);
      g_assert_nonnull (strstr (error->message, "keyring"));
      g_printerr ("MESSAGE: %s\n", error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*No keyring is available*");
}

/* A keyring that never answers: the call times out instead of hanging. */
static void
test_timeout_translation (void)
{
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(GError) locked = g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "x");
  g_autoptr(GError) nocoll = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD, "x");
  g_autoptr(GError) a = NULL, b = NULL, c = NULL, d = NULL;

  a = portico_credentials_translate_error (cancelled, TRUE);
  g_assert_error (a, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_TIMEOUT);
  b = portico_credentials_translate_error (cancelled, FALSE);
  g_assert_error (b, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  c = portico_credentials_translate_error (locked, FALSE);
  g_assert_error (c, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_LOCKED);
  g_assert_nonnull (strstr (c->message, "Unlock"));
  d = portico_credentials_translate_error (nocoll, FALSE);
  g_assert_error (d, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NO_COLLECTION);
}

/* gnome-keyring's own interface for unlocking with a password, without a
 * prompt: open a plain session, then hand it the password as a secret. */
static void
unlock_with_password (SecretService    *service,
                      SecretCollection *collection)
{
  const char *password = g_getenv ("KEYRING_PW") ? g_getenv ("KEYRING_PW") : "portico-test";
  GDBusConnection *bus = g_dbus_proxy_get_connection (G_DBUS_PROXY (service));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GError) error = NULL;
  const char *session_path;
  GVariant *secret;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "OpenSession",
                                       g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                       G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v&o)", NULL, &session_path);

  secret = g_variant_new ("(o@ay@ays)", session_path,
                          g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                          g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password, strlen (password), 1),
                          "text/plain");
  unlocked = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                          "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                          "UnlockWithMasterPassword",
                                          g_variant_new ("(o@(oayays))",
                                                         g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection)),
                                                         secret),
                                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* A locked collection, for real: lock it through the Secret Service and
 * check that a lookup says so (then unlock it again for the other tests). */
static void
test_locked (void)
{
  g_autoptr(PorticoCredentials) keyring = portico_credentials_new (NULL, FALSE);
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  GList *objects;

  if (!have_test_keyring ())
    return;

  secrets = make_secrets ("api_token", "locked-test");
  g_assert_true (portico_credentials_store_sync (keyring, 45, "okta", NULL, secrets, NULL, &error));
  g_assert_no_error (error);

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);

  objects = g_list_prepend (NULL, collection);
  secret_service_lock_sync (service, objects, NULL, NULL, &error);
  g_list_free (objects);
  g_assert_no_error (error);

  /* Locked: a store must fail at once with a clear sentence, not raise an
   * unlock prompt that nobody may see. */
  portico_credentials_set_timeout (keyring, 3000);
  g_assert_false (portico_credentials_store_sync (keyring, 46, "okta", NULL, secrets, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == PORTICO_CREDENTIALS_ERROR);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "Unlock"));
  g_clear_error (&error);
  portico_credentials_set_timeout (keyring, 0);

  /* Unlock it again with the password, as a login does, so that later
   * tests sharing this keyring are not affected. */
  unlock_with_password (service, collection);

  portico_credentials_store_sync (keyring, 47, "okta", NULL, secrets, NULL, &error);
  g_assert_no_error (error);
  found = portico_credentials_lookup_sync (keyring, 45, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, "locked-test");
  portico_credentials_delete_sync (keyring, 45, NULL, NULL);
  portico_credentials_delete_sync (keyring, 47, NULL, NULL);
}

/* The blocking variants run on a private main context whose first source
 * (the keyring timeout) has the same id as the first source of any other
 * fresh context: finishing the call must not remove the caller's source
 * that happens to carry that id (it once destroyed a 1-hour timer). */
static gboolean
never_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
test_sync_keeps_callers_sources (void)
{
  g_autoptr(PorticoCredentials) keyring = portico_credentials_new (NULL, FALSE);
  g_autoptr(GMainContext) outer = g_main_context_new ();
  g_autoptr(GSource) timer = NULL;
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GHashTable) found = NULL;
  guint timer_id;

  if (!have_test_keyring ())
    return;

  g_main_context_push_thread_default (outer);
  timer = g_timeout_source_new_seconds (3600);
  g_source_set_callback (timer, never_cb, NULL, NULL);
  timer_id = g_source_attach (timer, outer);
  /* Ids count from 1 in every context; this is what made them collide. */
  g_assert_cmpuint (timer_id, ==, 1);

  secrets = make_secrets ("api_token", "keep-the-timer");
  g_assert_true (portico_credentials_store_sync (keyring, 49, "okta", NULL, secrets, NULL, NULL));
  g_assert_false (g_source_is_destroyed (timer));
  found = portico_credentials_lookup_sync (keyring, 49, NULL, NULL);
  g_assert_nonnull (found);
  g_assert_false (g_source_is_destroyed (timer));
  g_assert_true (portico_credentials_delete_sync (keyring, 49, NULL, NULL));
  g_assert_false (g_source_is_destroyed (timer));
  g_assert_true (g_main_context_find_source_by_id (outer, timer_id) == timer);

  g_source_destroy (timer);
  g_main_context_pop_thread_default (outer);
}

/* The item's text is printed by Portico itself (so that no unscrubbed
 * GVariant copy of a secret is left behind) and must read back exactly,
 * whatever the secret holds, and stay on one line. */
static void
test_print_secrets (void)
{
  static const char * const values[] = {
    "plain", "it's", "say \"hi\"", "back\\slash\\", "line1\nline2\r\n", "tab\there",
    "\x01\x1f\x7f", "ünïcødé ✓ 😀", "{'a': 'b'}", "", "\\u0041",
  };
  g_autoptr(GHashTable) secrets = portico_secret_table_new ();
  g_autoptr(GVariant) parsed = NULL;
  g_autoptr(GError) error = NULL;
  char *text;
  const char *k, *v;
  GVariantIter iter;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_hash_table_insert (secrets, g_strdup_printf ("key%u'\n", i), g_strdup (values[i]));

  text = portico_credentials_print_secrets (secrets);
  g_assert_null (strchr (text, '\n'));
  g_assert_null (strchr (text, '\r'));
  parsed = g_variant_parse (G_VARIANT_TYPE ("a{ss}"), text, NULL, NULL, &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, parsed);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    {
      g_assert_cmpstr (g_hash_table_lookup (secrets, k), ==, v);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (values));
  explicit_bzero (text, strlen (text));
  g_free (text);

  /* What GVariant printed before reads the same way. */
  {
    g_autoptr(GHashTable) one = portico_secret_table_new ();
    g_autofree char *ours = NULL;

    g_hash_table_insert (one, g_strdup ("api_token"), g_strdup ("tok-123 with spaces"));
    ours = portico_credentials_print_secrets (one);
    g_assert_cmpstr (ours, ==, "{'api_token': 'tok-123 with spaces'}");
  }
}

/* A secrets table frees replaced and removed values through its scrubbing
 * free (under ASan this also checks it frees each exactly once). */
static void
test_secret_free (void)
{
  g_autoptr(GHashTable) table = portico_secret_table_new ();

  g_hash_table_insert (table, g_strdup ("api_token"), g_strdup ("first"));
  g_hash_table_insert (table, g_strdup ("api_token"), g_strdup ("second"));
  g_assert_cmpstr (g_hash_table_lookup (table, "api_token"), ==, "second");
  g_assert_true (g_hash_table_remove (table, "api_token"));
  g_hash_table_insert (table, g_strdup ("client_secret"), g_strdup (""));
}

static char *
fingerprint_of (const char *scope,
                const char *connector_id,
                const char *field,
                const char *value,
                const char *refresh_token)
{
  g_autoptr(PorticoCredentials) credentials = portico_credentials_new (scope, FALSE);
  g_autoptr(GHashTable) secrets = portico_secret_table_new ();

  if (value != NULL)
    g_hash_table_insert (secrets, g_strdup (field), g_strdup (value));
  if (refresh_token != NULL)
    g_hash_table_insert (secrets, g_strdup ("oauth_refresh_token"), g_strdup (refresh_token));
  return portico_credentials_fingerprint (credentials, connector_id, secrets, "oauth_refresh_token");
}

/* The fingerprint tells keys apart and shows two accounts sharing one,
 * and none of the key is in it, however short the key. */
static void
test_fingerprint (void)
{
  g_autofree char *a = fingerprint_of ("scope1", "okta", "api_token", "00aBcDeFgHiJkLmN0123", NULL);
  g_autofree char *same = fingerprint_of ("scope1", "okta", "api_token", "00aBcDeFgHiJkLmN0123", NULL);
  g_autofree char *other_key = fingerprint_of ("scope1", "okta", "api_token", "00aBcDeFgHiJkLmN0124", NULL);
  g_autofree char *other_connector = fingerprint_of ("scope1", "slack", "api_token", "00aBcDeFgHiJkLmN0123", NULL);
  g_autofree char *other_field = fingerprint_of ("scope1", "okta", "api_key", "00aBcDeFgHiJkLmN0123", NULL);
  g_autofree char *other_database = fingerprint_of ("scope2", "okta", "api_token", "00aBcDeFgHiJkLmN0123", NULL);
  g_autofree char *rotated1 = fingerprint_of ("scope1", "okta", "client_secret", "s3cr3t", "refresh-1");
  g_autofree char *rotated2 = fingerprint_of ("scope1", "okta", "client_secret", "s3cr3t", "refresh-2");
  g_autofree char *token_only = fingerprint_of ("scope1", "okta", NULL, NULL, "refresh-1");
  g_autoptr(GHashTable) two = portico_secret_table_new ();
  g_autoptr(GHashTable) joined = portico_secret_table_new ();
  g_autoptr(PorticoCredentials) credentials = portico_credentials_new ("scope1", FALSE);
  g_autofree char *fp_two = NULL;
  g_autofree char *fp_joined = NULL;

  g_assert_nonnull (a);
  g_assert_cmpuint (strlen (a), ==, 8);
  for (const char *c = a; *c; c++)
    g_assert_true (g_ascii_isxdigit (*c) && !g_ascii_isupper (*c));

  /* Two accounts with one key show one fingerprint; any other key,
   * connector, field or database shows another. */
  g_assert_cmpstr (a, ==, same);
  g_assert_cmpstr (a, !=, other_key);
  g_assert_cmpstr (a, !=, other_connector);
  g_assert_cmpstr (a, !=, other_field);
  g_assert_cmpstr (a, !=, other_database);

  /* A refresh token the provider rotates does not change it... */
  g_assert_cmpstr (rotated1, ==, rotated2);
  /* ...and alone is not fingerprinted. */
  g_assert_null (token_only);

  /* The encoding is unambiguous: moving text between fields changes it. */
  g_hash_table_insert (two, g_strdup ("a"), g_strdup ("bc"));
  g_hash_table_insert (two, g_strdup ("d"), g_strdup ("e"));
  g_hash_table_insert (joined, g_strdup ("a"), g_strdup ("b"));
  g_hash_table_insert (joined, g_strdup ("cd"), g_strdup ("e"));
  fp_two = portico_credentials_fingerprint (credentials, "okta", two, NULL);
  fp_joined = portico_credentials_fingerprint (credentials, "okta", joined, NULL);
  g_assert_cmpstr (fp_two, !=, fp_joined);

  /* A key of the fingerprint's own shape (8 hex digits) is not echoed: the
   * fingerprint is a keyed digest, not a prefix of the key. */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *key = g_strdup_printf ("%08x", g_random_int ());
      g_autofree char *fp = fingerprint_of ("scope1", "okta", "api_token", key, NULL);

      g_assert_cmpstr (fp, !=, key);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credentials/roundtrip", test_roundtrip);
  g_test_add_func ("/credentials/item-shape", test_item_shape);
  g_test_add_func ("/credentials/demo-profile", test_demo_profile);
  g_test_add_func ("/credentials/scope", test_scope);
  g_test_add_func ("/credentials/no-service", test_no_service);
  g_test_add_func ("/credentials/error-translation", test_timeout_translation);
  g_test_add_func ("/credentials/locked", test_locked);
  g_test_add_func ("/credentials/sync-keeps-callers-sources", test_sync_keeps_callers_sources);
  g_test_add_func ("/credentials/print-secrets", test_print_secrets);
  g_test_add_func ("/credentials/fingerprint", test_fingerprint);
  g_test_add_func ("/credentials/secret-free", test_secret_free);

  return g_test_run ();
}
