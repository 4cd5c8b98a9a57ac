/* portico-connector-editor.c: a custom integration built in the window.
 *
 * The form edits a JSON definition in place: each row owns a few members
 * of it and everything the form does not show (headers, error rules, rate
 * limits, other data types of an imported file) is kept as it was, so an
 * edited definition loses nothing. After every change the draft goes to the
 * engine's check, whose problems (at JSON Pointers) are shown at their rows;
 * Save stays unavailable while there is one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-catalog-tile.h"
#include "portico-connector-editor.h"
#include "portico-engine-custom.h"
#include "portico-engine-try.h"

/* The schemes the Authentication row offers, in its order. */
typedef enum
{
  AUTH_API_KEY,
  AUTH_BEARER,
  AUTH_BASIC,
  AUTH_CLIENT_CREDENTIALS,
  AUTH_SIGN_IN,
  AUTH_BODY,
  AUTH_SERVICE_ACCOUNT,
  AUTH_OTHER, /* a scheme the format does not have: kept as it is */
} AuthKind;

/* The Pagination row's styles, in its order. */
static const char * const pagination_styles[] = {
  "none", "link_header", "cursor", "next_url", "page", "offset", "scim", NULL,
};

/* The catalog's categories (connectors/README.md), in the catalog's order. */
static const char * const categories[] = {
  "identity_provider", "human_resources", "expenses", "communication",
  "collaboration", "engineering", "productivity", "sales", "support",
  "design", "security", "storage", "finance", "marketing", "other", NULL,
};

/* Field ids the editor writes for a scheme: replaced when the scheme changes. */
static const char * const credential_field_ids[] = {
  "api_key", "api_token", "bearer_token", "username", "password",
  "client_id", "client_secret", "service_account_key", NULL,
};

struct _PorticoConnectorEditor
{
  AdwWindow           parent_instance;

  PorticoEngine      *engine;
  PorticoSandbox     *sandbox;
  JsonObject         *draft;
  char               *editing_id;        /* the saved connector being edited, or NULL */
  JsonArray          *accounts;          /* the accounts that use it, or NULL */
  GHashTable         *try_values;        /* field id -> value typed under Try It */
  GCancellable       *cancellable;       /* the window's: cancelled when it goes */
  GCancellable       *try_cancellable;   /* the running Try It, or NULL */
  GtkWidget          *map_target;        /* the mapping row a chosen path fills */
  AuthKind            auth_kind;
  guint               check_source;
  guint               n_problems;
  gboolean            loading;           /* filling the form: no change handling */
  gboolean            id_edited;         /* the admin typed the id: it no longer follows the name */
  gboolean            identity_generated;
  gboolean            pagination_known;
  gboolean            saving;

  /* Template children, sorted. */
  GtkListBox         *accounts_list;
  AdwPreferencesGroup *accounts_group;
  AdwComboRow        *auth_row;
  AdwEntryRow        *authorize_url_row;
  AdwEntryRow        *base_url_row;
  AdwEntryRow        *body_fields_row;
  AdwComboRow        *category_row;
  AdwPreferencesGroup *connection_group;
  GtkListBox         *credentials_list;
  AdwEntryRow        *cursor_path_row;
  AdwEntryRow        *custom_fields_row;
  AdwPreferencesGroup *general_group;
  AdwEntryRow        *header_row;
  AdwEntryRow        *help_row;
  AdwEntryRow        *help_url_row;
  AdwAvatar          *icon_avatar;
  AdwActionRow       *icon_row;
  AdwEntryRow        *id_row;
  AdwEntryRow        *items_row;
  AdwEntryRow        *key_field_row;
  AdwEntryRow        *map_email_row;
  AdwEntryRow        *map_id_row;
  AdwEntryRow        *map_last_activity_row;
  AdwEntryRow        *map_license_row;
  AdwEntryRow        *map_name_row;
  AdwEntryRow        *map_role_row;
  AdwEntryRow        *map_status_row;
  AdwPreferencesGroup *mapping_group;
  AdwEntryRow        *name_row;
  AdwEntryRow        *next_path_row;
  AdwComboRow        *pagination_row;
  AdwEntryRow        *page_param_row;
  GtkLabel           *paths_hint_label;
  AdwPreferencesGroup *paths_group;
  GtkListBox         *paths_list;
  GtkLabel           *problems_label;
  AdwPreferencesGroup *problems_group;
  AdwEntryRow        *path_row;
  AdwEntryRow        *query_row;
  GtkTextView        *raw_view;
  AdwPreferencesGroup *request_group;
  AdwPreferencesGroup *rows_group;
  GtkListBox         *rows_list;
  GtkButton          *save_button;
  AdwEntryRow        *scope_row;
  AdwEntryRow        *size_param_row;
  AdwEntryRow        *size_row;
  AdwPreferencesGroup *start_group;
  AdwEntryRow        *subject_row;
  AdwToastOverlay    *toast_overlay;
  GtkButton          *try_button;
  GtkButton          *try_cancel_button;
  GtkLabel           *try_error_label;
  GtkSpinner         *try_spinner;
  GtkLabel           *try_status_label;
  AdwEntryRow        *token_url_row;
  AdwEntryRow        *total_path_row;
  AdwEntryRow        *value_row;
};

G_DEFINE_FINAL_TYPE (PorticoConnectorEditor, portico_connector_editor, ADW_TYPE_WINDOW)

/* A row's title as text, for sentences that name the field: titles in the
 * .ui use markup (“&amp;”), sentences do not. */
static const char *
row_title (AdwPreferencesRow *row)
{
  const char *title = adw_preferences_row_get_title (row);
  char *plain = NULL;

  if (!adw_preferences_row_get_use_markup (row) ||
      !pango_parse_markup (title, -1, 0, NULL, &plain, NULL, NULL))
    return title;
  g_object_set_data_full (G_OBJECT (row), "portico-plain-title", plain, g_free);
  return plain;
}

static void schedule_check (PorticoConnectorEditor *self);

/* ---- Small helpers ----------------------------------------------------------- */

static const char *
row_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
row_text_stripped (gpointer row)
{
  return g_strstrip (g_strdup (row_text (row)));
}

static void
set_row_text (gpointer    row,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static JsonObject *
ensure_object (JsonObject *parent,
               const char *member)
{
  JsonNode *node = json_object_get_member (parent, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (parent, member, json_object_new ());
  return json_object_get_object_member (parent, member);
}

static JsonObject *
get_object (JsonObject *parent,
            const char *member)
{
  JsonNode *node = parent != NULL ? json_object_get_member (parent, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
get_string (JsonObject *parent,
            const char *member)
{
  JsonNode *node = parent != NULL ? json_object_get_member (parent, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Sets @member to the row's text, or removes it when the row is empty. */
static void
set_or_remove_string (JsonObject *object,
                      const char *member,
                      gpointer    row)
{
  g_autofree char *text = row_text_stripped (row);

  if (text[0] == '\0')
    {
      if (json_object_has_member (object, member))
        json_object_remove_member (object, member);
    }
  else
    json_object_set_string_member (object, member, text);
}

/* An expression (connectors/README.md, "Expressions") as the admin edits it:
 * a path as is, anything else as compact JSON. */
static char *
expression_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* NULL for an empty text. Text that starts like JSON and parses is that
 * JSON (an object expression, an array of key segments). */
static JsonNode *
text_to_expression (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));

  if (copy[0] == '\0')
    return NULL;
  if (copy[0] == '{' || copy[0] == '[')
    {
      JsonNode *node = json_from_string (copy, NULL);

      if (node != NULL)
        return node;
    }
  return json_node_init_string (json_node_alloc (), copy);
}

static void
set_or_remove_expression (JsonObject *object,
                          const char *member,
                          gpointer    row)
{
  JsonNode *node = text_to_expression (row_text (row));

  if (node != NULL)
    json_object_set_member (object, member, node);
  else if (json_object_has_member (object, member))
    json_object_remove_member (object, member);
}

static void
set_row_from_expression (gpointer    row,
                         JsonObject *object,
                         const char *member)
{
  g_autofree char *text = expression_to_text (object != NULL ? json_object_get_member (object, member) : NULL);

  set_row_text (row, text);
}

static void
set_row_from_int (gpointer    row,
                  JsonObject *object,
                  const char *member)
{
  g_autofree char *text = NULL;
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  set_row_text (row, text);
}

/* A whole number sets an integer member; other text is kept as text for the
 * check to explain. */
static void
set_or_remove_int (JsonObject *object,
                   const char *member,
                   gpointer    row)
{
  g_autofree char *text = row_text_stripped (row);
  char *end = NULL;
  gint64 value;

  if (text[0] == '\0')
    {
      if (json_object_has_member (object, member))
        json_object_remove_member (object, member);
      return;
    }
  value = g_ascii_strtoll (text, &end, 10);
  if (end != NULL && *end == '\0')
    json_object_set_int_member (object, member, value);
  else
    json_object_set_string_member (object, member, text);
}

/* "My App 2" -> "my-app-2": the connector id the name suggests. */
static char *
id_from_name (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *id = g_string_new (NULL);
  gboolean dash = FALSE;

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (dash && id->len > 0)
            g_string_append_c (id, '-');
          g_string_append_c (id, g_ascii_tolower (*p));
          dash = FALSE;
        }
      else
        dash = TRUE;
    }
  return g_string_free (id, FALSE);
}

static void
show_toast (PorticoConnectorEditor *self,
            const char             *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_error_dialog (GtkWindow  *parent,
                   const char *heading,
                   const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Icon --------------------------------------------------------------------- */

static void
update_icon (PorticoConnectorEditor *self)
{
  const char *icon = get_string (self->draft, "icon");
  g_autoptr(GdkTexture) texture = NULL;

  adw_avatar_set_text (self->icon_avatar, row_text (self->name_row));
  texture = portico_icon_texture_from_data_uri (icon);
  adw_avatar_set_custom_image (self->icon_avatar, texture != NULL ? GDK_PAINTABLE (texture) : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.use-monogram", icon != NULL);
}

static void
icon_chosen_cb (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *buffer = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *uri = NULL;
      gsize length = 0;

      /* The icon travels inside the definition (export, import), small. */
      if (path != NULL)
        pixbuf = gdk_pixbuf_new_from_file_at_scale (path, 64, 64, TRUE, &error);
      if (pixbuf == NULL || !gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &error, NULL))
        {
          show_toast (self, _("The chosen file is not an image Portico can read. Choose a PNG, JPEG or SVG file."));
          if (error != NULL)
            g_debug ("%s", error->message);
        }
      else
        {
          encoded = g_base64_encode ((const guchar *) buffer, length);
          uri = g_strconcat ("data:image/png;base64,", encoded, NULL);
          json_object_set_string_member (self->draft, "icon", uri);
          update_icon (self);
          schedule_check (self);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_icon_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose an Icon"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (icon_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
use_monogram_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (widget);

  if (json_object_has_member (self->draft, "icon"))
    json_object_remove_member (self->draft, "icon");
  update_icon (self);
  schedule_check (self);
}

/* ---- Authentication ----------------------------------------------------------- */

static AuthKind
auth_kind_of (JsonObject *auth)
{
  const char *scheme = get_string (auth, "scheme");
  const char *header = get_string (auth, "header");
  const char *value = get_string (auth, "value");

  if (g_strcmp0 (scheme, "header") == 0)
    return header != NULL && g_ascii_strcasecmp (header, "Authorization") == 0 &&
           value != NULL && g_str_has_prefix (value, "Bearer ") ? AUTH_BEARER : AUTH_API_KEY;
  if (g_strcmp0 (scheme, "basic") == 0)
    return AUTH_BASIC;
  if (g_strcmp0 (scheme, "oauth2_client_credentials") == 0)
    return AUTH_CLIENT_CREDENTIALS;
  if (g_strcmp0 (scheme, "oauth2_authorization_code") == 0)
    return AUTH_SIGN_IN;
  if (g_strcmp0 (scheme, "body") == 0)
    return AUTH_BODY;
  if (g_strcmp0 (scheme, "oauth2_jwt_bearer") == 0)
    return AUTH_SERVICE_ACCOUNT;
  return AUTH_OTHER;
}

static void
add_field (JsonArray  *fields,
           const char *id,
           const char *label,
           const char *type,
           gboolean    required)
{
  JsonObject *field = json_object_new ();

  json_object_set_string_member (field, "id", id);
  json_object_set_string_member (field, "label", label);
  json_object_set_string_member (field, "type", type);
  json_object_set_boolean_member (field, "required", required);
  json_array_add_object_element (fields, field);
}

/* The admin picked another scheme: a fresh auth object and the fields it
 * asks for, in place of the previous scheme's credential fields (fields the
 * base URL uses, such as a subdomain, stay). */
static void
reset_auth (PorticoConnectorEditor *self,
            AuthKind                kind)
{
  JsonObject *auth = json_object_new ();
  JsonArray *old_fields = NULL;
  JsonArray *fields = json_array_new ();
  JsonNode *node = json_object_get_member (self->draft, "fields");

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    old_fields = json_node_get_array (node);
  for (guint i = 0; old_fields != NULL && i < json_array_get_length (old_fields); i++)
    {
      JsonNode *element = json_array_get_element (old_fields, i);
      JsonObject *field = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = get_string (field, "id");

      if (id != NULL && g_strv_contains (credential_field_ids, id))
        continue;
      json_array_add_element (fields, json_node_copy (element));
    }

  switch (kind)
    {
    case AUTH_API_KEY:
      json_object_set_string_member (auth, "scheme", "header");
      json_object_set_string_member (auth, "header", "X-API-Key");
      json_object_set_string_member (auth, "value", "{api_key}");
      add_field (fields, "api_key", _("API key"), "secret", TRUE);
      break;

    case AUTH_BEARER:
    case AUTH_OTHER:
      json_object_set_string_member (auth, "scheme", "header");
      json_object_set_string_member (auth, "header", "Authorization");
      json_object_set_string_member (auth, "value", "Bearer {api_token}");
      add_field (fields, "api_token", _("API token"), "secret", TRUE);
      break;

    case AUTH_BASIC:
      json_object_set_string_member (auth, "scheme", "basic");
      json_object_set_string_member (auth, "username", "{username}");
      json_object_set_string_member (auth, "password", "{password}");
      add_field (fields, "username", _("User name"), "text", TRUE);
      add_field (fields, "password", _("Password"), "secret", TRUE);
      break;

    case AUTH_CLIENT_CREDENTIALS:
      json_object_set_string_member (auth, "scheme", "oauth2_client_credentials");
      json_object_set_string_member (auth, "token_url", "");
      json_object_set_string_member (auth, "client_id", "{client_id}");
      json_object_set_string_member (auth, "client_secret", "{client_secret}");
      add_field (fields, "client_id", _("Client ID"), "text", TRUE);
      add_field (fields, "client_secret", _("Client secret"), "secret", TRUE);
      break;

    case AUTH_SIGN_IN:
      json_object_set_string_member (auth, "scheme", "oauth2_authorization_code");
      json_object_set_string_member (auth, "authorize_url", "");
      json_object_set_string_member (auth, "token_url", "");
      json_object_set_string_member (auth, "client_id", "{client_id}");
      json_object_set_string_member (auth, "client_secret", "{client_secret}");
      add_field (fields, "client_id", _("Client ID"), "text", TRUE);
      add_field (fields, "client_secret", _("Client secret"), "secret", FALSE);
      break;

    case AUTH_BODY:
      {
        JsonObject *members = json_object_new ();

        /* connectors/README.md, "Auth": merged into every request's JSON body. */
        json_object_set_string_member (members, "api_key", "{api_key}");
        json_object_set_string_member (auth, "scheme", "body");
        json_object_set_object_member (auth, "fields", members);
        add_field (fields, "api_key", _("API key"), "secret", TRUE);
      }
      break;

    case AUTH_SERVICE_ACCOUNT:
      /* The runtime signs with the key file's private key and asks its
       * token_uri; key_field names the file field that holds it. */
      json_object_set_string_member (auth, "scheme", "oauth2_jwt_bearer");
      json_object_set_string_member (auth, "key_field", "service_account_key");
      add_field (fields, "service_account_key", _("Service account key file"), "file", TRUE);
      break;

    default:
      g_assert_not_reached ();
    }

  json_object_set_object_member (self->draft, "auth", auth);
  json_object_set_array_member (self->draft, "fields", fields);
  self->auth_kind = kind == AUTH_OTHER ? AUTH_BEARER : kind;
}

static void
update_auth_rows (PorticoConnectorEditor *self)
{
  AuthKind kind = self->auth_kind;

  gtk_widget_set_visible (GTK_WIDGET (self->header_row), kind == AUTH_API_KEY);
  gtk_widget_set_visible (GTK_WIDGET (self->value_row), kind == AUTH_API_KEY);
  gtk_widget_set_visible (GTK_WIDGET (self->authorize_url_row), kind == AUTH_SIGN_IN);
  gtk_widget_set_visible (GTK_WIDGET (self->token_url_row), kind == AUTH_CLIENT_CREDENTIALS || kind == AUTH_SIGN_IN);
  gtk_widget_set_visible (GTK_WIDGET (self->scope_row),
                          kind == AUTH_CLIENT_CREDENTIALS || kind == AUTH_SIGN_IN || kind == AUTH_SERVICE_ACCOUNT);
  gtk_widget_set_visible (GTK_WIDGET (self->body_fields_row), kind == AUTH_BODY);
  gtk_widget_set_visible (GTK_WIDGET (self->key_field_row), kind == AUTH_SERVICE_ACCOUNT);
  gtk_widget_set_visible (GTK_WIDGET (self->subject_row), kind == AUTH_SERVICE_ACCOUNT);
}

static void
fill_auth_rows (PorticoConnectorEditor *self)
{
  JsonObject *auth = get_object (self->draft, "auth");
  JsonNode *scopes = auth != NULL ? json_object_get_member (auth, "scopes") : NULL;
  JsonNode *members = auth != NULL ? json_object_get_member (auth, "fields") : NULL;
  g_autofree char *members_text = NULL;

  self->auth_kind = auth_kind_of (auth);
  adw_combo_row_set_selected (self->auth_row, self->auth_kind == AUTH_OTHER ? GTK_INVALID_LIST_POSITION : self->auth_kind);
  set_row_text (self->header_row, get_string (auth, "header"));
  set_row_text (self->value_row, get_string (auth, "value"));
  set_row_text (self->authorize_url_row, get_string (auth, "authorize_url"));
  set_row_text (self->token_url_row, get_string (auth, "token_url"));
  set_row_text (self->key_field_row, get_string (auth, "key_field"));
  set_row_text (self->subject_row, get_string (auth, "subject"));
  if (members != NULL && !JSON_NODE_HOLDS_NULL (members))
    members_text = JSON_NODE_HOLDS_VALUE (members) && json_node_get_value_type (members) == G_TYPE_STRING
                   ? g_strdup (json_node_get_string (members)) : json_to_string (members, FALSE);
  set_row_text (self->body_fields_row, members_text);
  if ((self->auth_kind == AUTH_SIGN_IN || self->auth_kind == AUTH_SERVICE_ACCOUNT) && scopes != NULL && JSON_NODE_HOLDS_ARRAY (scopes))
    {
      g_autoptr(GString) text = g_string_new (NULL);
      JsonArray *array = json_node_get_array (scopes);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *scope = json_array_get_string_element (array, i);

          if (scope == NULL)
            continue;
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, scope);
        }
      set_row_text (self->scope_row, text->str);
    }
  else
    set_row_text (self->scope_row, get_string (auth, "scope"));
  update_auth_rows (self);
}

/* The scopes row as the list "scopes" (space or comma separated). */
static void
apply_scopes (JsonObject *auth,
              gpointer    row)
{
  g_autofree char *text = row_text_stripped (row);
  g_auto(GStrv) scopes = g_strsplit_set (text, " ,", -1);
  JsonArray *array = json_array_new ();

  for (guint i = 0; scopes[i] != NULL; i++)
    if (scopes[i][0] != '\0')
      json_array_add_string_element (array, scopes[i]);
  if (json_array_get_length (array) > 0)
    json_object_set_array_member (auth, "scopes", array);
  else
    {
      json_array_unref (array);
      if (json_object_has_member (auth, "scopes"))
        json_object_remove_member (auth, "scopes");
    }
}

static void
apply_auth (PorticoConnectorEditor *self)
{
  JsonObject *auth = ensure_object (self->draft, "auth");

  switch (self->auth_kind)
    {
    case AUTH_API_KEY:
      set_or_remove_string (auth, "header", self->header_row);
      set_or_remove_string (auth, "value", self->value_row);
      break;

    case AUTH_CLIENT_CREDENTIALS:
      set_or_remove_string (auth, "token_url", self->token_url_row);
      set_or_remove_string (auth, "scope", self->scope_row);
      break;

    case AUTH_SIGN_IN:
      set_or_remove_string (auth, "authorize_url", self->authorize_url_row);
      set_or_remove_string (auth, "token_url", self->token_url_row);
      apply_scopes (auth, self->scope_row);
      break;

    case AUTH_SERVICE_ACCOUNT:
      set_or_remove_string (auth, "key_field", self->key_field_row);
      set_or_remove_string (auth, "subject", self->subject_row);
      apply_scopes (auth, self->scope_row);
      break;

    case AUTH_BODY:
      {
        g_autofree char *text = row_text_stripped (self->body_fields_row);
        JsonNode *node = text[0] != '\0' ? json_from_string (text, NULL) : NULL;

        /* Text that is no JSON object stays as typed, so the check
         * explains at this row that the members must be an object. */
        if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
          json_object_set_member (auth, "fields", node);
        else
          {
            g_clear_pointer (&node, json_node_unref);
            if (text[0] == '\0')
              {
                if (json_object_has_member (auth, "fields"))
                  json_object_remove_member (auth, "fields");
              }
            else
              json_object_set_string_member (auth, "fields", text);
          }
      }
      break;

    case AUTH_BEARER:
    case AUTH_BASIC:
    case AUTH_OTHER:
    default:
      break;
    }
}

/* ---- The users request ----------------------------------------------------------- */

static JsonObject *
users_type (PorticoConnectorEditor *self)
{
  JsonObject *types = ensure_object (self->draft, "data_types");

  return ensure_object (types, "users");
}

static void
update_pagination_rows (PorticoConnectorEditor *self)
{
  guint style = adw_combo_row_get_selected (self->pagination_row);
  const char *name = style < G_N_ELEMENTS (pagination_styles) - 1 ? pagination_styles[style] : "";
  gboolean page = g_str_equal (name, "page");
  gboolean offset = g_str_equal (name, "offset");

  gtk_widget_set_visible (GTK_WIDGET (self->page_param_row), page || offset || g_str_equal (name, "cursor"));
  gtk_widget_set_visible (GTK_WIDGET (self->cursor_path_row), g_str_equal (name, "cursor"));
  gtk_widget_set_visible (GTK_WIDGET (self->next_path_row), g_str_equal (name, "next_url"));
  gtk_widget_set_visible (GTK_WIDGET (self->size_param_row), page || offset);
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), page || offset || g_str_equal (name, "scim"));
  gtk_widget_set_visible (GTK_WIDGET (self->total_path_row), offset);
}

static void
fill_request_rows (PorticoConnectorEditor *self)
{
  JsonObject *users = users_type (self);
  JsonObject *request = get_object (users, "request");
  JsonObject *query = get_object (request, "query");
  JsonObject *pagination = get_object (users, "pagination");
  const char *style = get_string (pagination, "style");
  g_autoptr(GString) query_text = g_string_new (NULL);
  guint position = 0;

  set_row_text (self->path_row, get_string (request, "path"));
  if (query != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (query);

      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *value = get_string (query, l->data);

          if (query_text->len > 0)
            g_string_append_c (query_text, '&');
          g_string_append_printf (query_text, "%s=%s", (const char *) l->data, value != NULL ? value : "");
        }
    }
  set_row_text (self->query_row, query_text->str);

  self->pagination_known = TRUE;
  if (style != NULL)
    {
      self->pagination_known = FALSE;
      for (guint i = 0; pagination_styles[i] != NULL; i++)
        if (g_str_equal (pagination_styles[i], style))
          {
            position = i;
            self->pagination_known = TRUE;
          }
    }
  adw_combo_row_set_selected (self->pagination_row, position);
  set_row_text (self->page_param_row, get_string (pagination, "param"));
  set_row_from_expression (self->cursor_path_row, pagination, "cursor_path");
  set_row_from_expression (self->next_path_row, pagination, "next_path");
  set_row_text (self->size_param_row, get_string (pagination, "size_param"));
  set_row_from_int (self->size_row, pagination, "size");
  set_row_from_expression (self->total_path_row, pagination, "total_path");
  set_row_from_expression (self->items_row, users, "items");
  update_pagination_rows (self);
}

static void
apply_request (PorticoConnectorEditor *self)
{
  JsonObject *users = users_type (self);
  JsonObject *request = ensure_object (users, "request");
  JsonObject *pagination;
  g_autofree char *query_text = row_text_stripped (self->query_row);
  g_autofree char *items = row_text_stripped (self->items_row);
  guint style = adw_combo_row_get_selected (self->pagination_row);
  const char *name;

  if (!json_object_has_member (users, "label"))
    json_object_set_string_member (users, "label", _("Users"));
  if (!json_object_has_member (users, "essential"))
    json_object_set_boolean_member (users, "essential", TRUE);
  if (!json_object_has_member (request, "method"))
    json_object_set_string_member (request, "method", "GET");
  set_or_remove_string (request, "path", self->path_row);
  if (!json_object_has_member (request, "path"))
    json_object_set_string_member (request, "path", "");

  if (query_text[0] == '\0')
    {
      if (json_object_has_member (request, "query"))
        json_object_remove_member (request, "query");
    }
  else
    {
      g_auto(GStrv) pairs = g_strsplit (query_text, "&", -1);
      JsonObject *query = json_object_new ();

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          char *equals = strchr (pairs[i], '=');

          if (pairs[i][0] == '\0')
            continue;
          if (equals != NULL)
            *equals = '\0';
          json_object_set_string_member (query, pairs[i], equals != NULL ? equals + 1 : "");
        }
      json_object_set_object_member (request, "query", query);
    }

  if (items[0] != '\0' && (items[0] == '[' || items[0] == '{'))
    set_or_remove_expression (users, "items", self->items_row);
  else
    json_object_set_string_member (users, "items", items);

  /* A style the row does not offer is kept untouched until another is chosen. */
  if (!self->pagination_known || style >= G_N_ELEMENTS (pagination_styles) - 1)
    return;
  name = pagination_styles[style];
  pagination = ensure_object (users, "pagination");
  if (g_strcmp0 (get_string (pagination, "style"), name) != 0)
    {
      pagination = json_object_new ();
      json_object_set_string_member (pagination, "style", name);
      json_object_set_object_member (users, "pagination", pagination);
    }

  if (g_str_equal (name, "cursor"))
    {
      set_or_remove_expression (pagination, "cursor_path", self->cursor_path_row);
      set_or_remove_string (pagination, "param", self->page_param_row);
      if (!json_object_has_member (pagination, "in"))
        json_object_set_string_member (pagination, "in", "query");
    }
  else if (g_str_equal (name, "next_url"))
    set_or_remove_expression (pagination, "next_path", self->next_path_row);
  else if (g_str_equal (name, "page") || g_str_equal (name, "offset"))
    {
      set_or_remove_string (pagination, "param", self->page_param_row);
      set_or_remove_string (pagination, "size_param", self->size_param_row);
      set_or_remove_int (pagination, "size", self->size_row);
      if (g_str_equal (name, "offset"))
        set_or_remove_expression (pagination, "total_path", self->total_path_row);
    }
  else if (g_str_equal (name, "scim"))
    set_or_remove_int (pagination, "size", self->size_row);
}

/* ---- Mapping ---------------------------------------------------------------------- */

typedef struct
{
  const char *target;
  gsize       offset;
} MapRow;

static const MapRow map_rows[] = {
  { "id", G_STRUCT_OFFSET (PorticoConnectorEditor, map_id_row) },
  { "email", G_STRUCT_OFFSET (PorticoConnectorEditor, map_email_row) },
  { "name", G_STRUCT_OFFSET (PorticoConnectorEditor, map_name_row) },
  { "status", G_STRUCT_OFFSET (PorticoConnectorEditor, map_status_row) },
  { "role", G_STRUCT_OFFSET (PorticoConnectorEditor, map_role_row) },
  { "last_activity", G_STRUCT_OFFSET (PorticoConnectorEditor, map_last_activity_row) },
  { "license", G_STRUCT_OFFSET (PorticoConnectorEditor, map_license_row) },
};

#define MAP_ROW(self, i) (G_STRUCT_MEMBER (AdwEntryRow *, (self), map_rows[(i)].offset))

/* The custom fields data type the editor manages: the users' own records
 * (request_from "users"), or NULL when the definition has another kind. */
static JsonObject *
custom_fields_type (PorticoConnectorEditor *self,
                    gboolean                create)
{
  JsonObject *types = ensure_object (self->draft, "data_types");
  JsonObject *custom = get_object (types, "custom_fields");

  if (custom == NULL && create)
    {
      custom = json_object_new ();
      json_object_set_string_member (custom, "label", _("Custom fields"));
      json_object_set_string_member (custom, "request_from", "users");
      json_object_set_object_member (types, "custom_fields", custom);
    }
  if (custom != NULL && g_strcmp0 (get_string (custom, "request_from"), "users") != 0)
    return NULL;
  return custom;
}

static void
fill_mapping_rows (PorticoConnectorEditor *self)
{
  JsonObject *map = get_object (users_type (self), "map");
  JsonObject *custom = custom_fields_type (self, FALSE);
  JsonObject *fields = get_object (get_object (custom, "map"), "fields");
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (map_rows); i++)
    set_row_from_expression (MAP_ROW (self, i), map, map_rows[i].target);

  if (fields != NULL)
    {
      g_autoptr(GList) labels = json_object_get_members (fields);

      for (GList *l = labels; l != NULL; l = l->next)
        {
          g_autofree char *expression = expression_to_text (json_object_get_member (fields, l->data));

          if (text->len > 0)
            g_string_append (text, "; ");
          g_string_append_printf (text, "%s=%s", (const char *) l->data, expression);
        }
    }
  set_row_text (self->custom_fields_row, text->str);
  gtk_widget_set_sensitive (GTK_WIDGET (self->custom_fields_row),
                            custom != NULL || get_object (get_object (self->draft, "data_types"), "custom_fields") == NULL);
}

static void
apply_mapping (PorticoConnectorEditor *self)
{
  JsonObject *map = ensure_object (users_type (self), "map");
  g_autofree char *custom_text = row_text_stripped (self->custom_fields_row);
  JsonObject *custom;

  for (guint i = 0; i < G_N_ELEMENTS (map_rows); i++)
    set_or_remove_expression (map, map_rows[i].target, MAP_ROW (self, i));

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->custom_fields_row)))
    return;
  if (custom_text[0] == '\0')
    {
      JsonObject *types = ensure_object (self->draft, "data_types");

      if (json_object_has_member (types, "custom_fields"))
        json_object_remove_member (types, "custom_fields");
      return;
    }

  custom = custom_fields_type (self, TRUE);
  {
    g_auto(GStrv) pairs = g_strsplit (custom_text, ";", -1);
    JsonObject *custom_map = json_object_new ();
    JsonObject *fields = json_object_new ();
    JsonNode *id = json_object_get_member (map, "id");

    if (id != NULL)
      json_object_set_member (custom_map, "user_id", json_node_copy (id));
    for (guint i = 0; pairs[i] != NULL; i++)
      {
        char *equals = strchr (pairs[i], '=');
        JsonNode *expression;

        if (equals == NULL)
          continue;
        *equals = '\0';
        g_strstrip (pairs[i]);
        expression = text_to_expression (equals + 1);
        if (pairs[i][0] != '\0' && expression != NULL)
          json_object_set_member (fields, pairs[i], expression);
        else if (expression != NULL)
          json_node_unref (expression);
      }
    json_object_set_object_member (custom_map, "fields", fields);
    json_object_set_object_member (custom, "map", custom_map);
  }
}

/* ---- The whole form -------------------------------------------------------------------- */

static void
apply_form (PorticoConnectorEditor *self)
{
  g_autofree char *name = row_text_stripped (self->name_row);
  g_autofree char *base_url = row_text_stripped (self->base_url_row);
  guint category = adw_combo_row_get_selected (self->category_row);

  if (!json_object_has_member (self->draft, "format"))
    json_object_set_int_member (self->draft, "format", 1);
  set_or_remove_string (self->draft, "id", self->id_row);
  if (!json_object_has_member (self->draft, "id"))
    json_object_set_string_member (self->draft, "id", "");
  json_object_set_string_member (self->draft, "name", name);
  if (category < G_N_ELEMENTS (categories) - 1)
    json_object_set_string_member (self->draft, "category", categories[category]);
  json_object_set_string_member (self->draft, "help", row_text (self->help_row));
  json_object_set_string_member (self->draft, "help_url", row_text (self->help_url_row));
  json_object_set_string_member (self->draft, "base_url", base_url);

  apply_auth (self);
  apply_request (self);
  apply_mapping (self);

  /* A new definition's account is the base URL it reads (an admin can
   * connect one account per instance of the app). */
  if (self->identity_generated)
    {
      JsonObject *identity = json_object_new ();
      JsonObject *id = json_object_new ();
      JsonObject *display = json_object_new ();

      json_object_set_string_member (id, "template", base_url);
      json_object_set_string_member (display, "template", name[0] != '\0' ? name : base_url);
      json_object_set_object_member (identity, "id", id);
      json_object_set_object_member (identity, "name", display);
      json_object_set_object_member (self->draft, "identity", identity);
    }
}

char *
portico_connector_editor_dup_definition (PorticoConnectorEditor *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), NULL);

  apply_form (self);
  json_node_set_object (root, self->draft);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

static void rebuild_credentials (PorticoConnectorEditor *self);

static void
fill_form (PorticoConnectorEditor *self)
{
  const char *category = get_string (self->draft, "category");
  guint position = G_N_ELEMENTS (categories) - 2; /* "other" */

  self->loading = TRUE;
  set_row_text (self->name_row, get_string (self->draft, "name"));
  set_row_text (self->id_row, get_string (self->draft, "id"));
  for (guint i = 0; categories[i] != NULL; i++)
    if (g_strcmp0 (categories[i], category) == 0)
      position = i;
  adw_combo_row_set_selected (self->category_row, position);
  set_row_text (self->help_row, get_string (self->draft, "help"));
  set_row_text (self->help_url_row, get_string (self->draft, "help_url"));
  set_row_text (self->base_url_row, get_string (self->draft, "base_url"));
  fill_auth_rows (self);
  fill_request_rows (self);
  fill_mapping_rows (self);
  update_icon (self);
  self->loading = FALSE;

  rebuild_credentials (self);
  schedule_check (self);
}

static JsonObject *
new_draft (void)
{
  JsonObject *draft = json_object_new ();
  JsonArray *permissions = json_array_new ();
  JsonObject *read = json_object_new ();

  json_object_set_int_member (draft, "format", 1);
  json_object_set_string_member (draft, "id", "");
  json_object_set_string_member (draft, "name", "");
  json_object_set_string_member (draft, "category", "other");
  json_object_set_string_member (draft, "help_url", "");
  json_object_set_string_member (draft, "help", "");
  json_object_set_boolean_member (draft, "multi_account", TRUE);
  json_object_set_boolean_member (draft, "test", TRUE);
  json_object_set_string_member (draft, "base_url", "");
  json_object_set_string_member (read, "id", "read");
  json_object_set_string_member (read, "label", _("Read"));
  json_object_set_string_member (read, "help", _("Users and their details."));
  json_array_add_object_element (permissions, read);
  json_object_set_array_member (draft, "permissions", permissions);
  return draft;
}

/* ---- Problems at their fields ------------------------------------------------------------- */

typedef struct
{
  const char *pointer;
  gsize       offset;
} ProblemTarget;

/* Where the check's JSON Pointers are shown: the row of the longest
 * matching pointer; anything else goes to the list at the top. */
static const ProblemTarget problem_targets[] = {
  { "/id", G_STRUCT_OFFSET (PorticoConnectorEditor, id_row) },
  { "/name", G_STRUCT_OFFSET (PorticoConnectorEditor, name_row) },
  { "/category", G_STRUCT_OFFSET (PorticoConnectorEditor, category_row) },
  { "/icon", G_STRUCT_OFFSET (PorticoConnectorEditor, icon_row) },
  { "/help", G_STRUCT_OFFSET (PorticoConnectorEditor, help_row) },
  { "/help_url", G_STRUCT_OFFSET (PorticoConnectorEditor, help_url_row) },
  { "/base_url", G_STRUCT_OFFSET (PorticoConnectorEditor, base_url_row) },
  { "/identity", G_STRUCT_OFFSET (PorticoConnectorEditor, base_url_row) },
  { "/auth", G_STRUCT_OFFSET (PorticoConnectorEditor, auth_row) },
  { "/fields", G_STRUCT_OFFSET (PorticoConnectorEditor, auth_row) },
  { "/auth/header", G_STRUCT_OFFSET (PorticoConnectorEditor, header_row) },
  { "/auth/value", G_STRUCT_OFFSET (PorticoConnectorEditor, value_row) },
  { "/auth/authorize_url", G_STRUCT_OFFSET (PorticoConnectorEditor, authorize_url_row) },
  { "/auth/token_url", G_STRUCT_OFFSET (PorticoConnectorEditor, token_url_row) },
  { "/auth/scope", G_STRUCT_OFFSET (PorticoConnectorEditor, scope_row) },
  { "/auth/scopes", G_STRUCT_OFFSET (PorticoConnectorEditor, scope_row) },
  { "/auth/fields", G_STRUCT_OFFSET (PorticoConnectorEditor, body_fields_row) },
  { "/auth/key_field", G_STRUCT_OFFSET (PorticoConnectorEditor, key_field_row) },
  { "/auth/subject", G_STRUCT_OFFSET (PorticoConnectorEditor, subject_row) },
  { "/data_types/users", G_STRUCT_OFFSET (PorticoConnectorEditor, path_row) },
  { "/data_types/users/request/path", G_STRUCT_OFFSET (PorticoConnectorEditor, path_row) },
  { "/data_types/users/request/query", G_STRUCT_OFFSET (PorticoConnectorEditor, query_row) },
  { "/data_types/users/pagination", G_STRUCT_OFFSET (PorticoConnectorEditor, pagination_row) },
  { "/data_types/users/pagination/param", G_STRUCT_OFFSET (PorticoConnectorEditor, page_param_row) },
  { "/data_types/users/pagination/cursor_path", G_STRUCT_OFFSET (PorticoConnectorEditor, cursor_path_row) },
  { "/data_types/users/pagination/next_path", G_STRUCT_OFFSET (PorticoConnectorEditor, next_path_row) },
  { "/data_types/users/pagination/size_param", G_STRUCT_OFFSET (PorticoConnectorEditor, size_param_row) },
  { "/data_types/users/pagination/size", G_STRUCT_OFFSET (PorticoConnectorEditor, size_row) },
  { "/data_types/users/pagination/total_path", G_STRUCT_OFFSET (PorticoConnectorEditor, total_path_row) },
  { "/data_types/users/items", G_STRUCT_OFFSET (PorticoConnectorEditor, items_row) },
  { "/data_types/users/map", G_STRUCT_OFFSET (PorticoConnectorEditor, map_id_row) },
  { "/data_types/users/map/id", G_STRUCT_OFFSET (PorticoConnectorEditor, map_id_row) },
  { "/data_types/users/map/email", G_STRUCT_OFFSET (PorticoConnectorEditor, map_email_row) },
  { "/data_types/users/map/name", G_STRUCT_OFFSET (PorticoConnectorEditor, map_name_row) },
  { "/data_types/users/map/status", G_STRUCT_OFFSET (PorticoConnectorEditor, map_status_row) },
  { "/data_types/users/map/role", G_STRUCT_OFFSET (PorticoConnectorEditor, map_role_row) },
  { "/data_types/users/map/last_activity", G_STRUCT_OFFSET (PorticoConnectorEditor, map_last_activity_row) },
  { "/data_types/users/map/license", G_STRUCT_OFFSET (PorticoConnectorEditor, map_license_row) },
  { "/data_types/custom_fields", G_STRUCT_OFFSET (PorticoConnectorEditor, custom_fields_row) },
};

#define TARGET_ROW(self, i) (G_STRUCT_MEMBER (GtkWidget *, (self), problem_targets[(i)].offset))

static gboolean
pointer_within (const char *pointer,
                const char *prefix)
{
  gsize length = strlen (prefix);

  return strncmp (pointer, prefix, length) == 0 && (pointer[length] == '\0' || pointer[length] == '/');
}

static GtkWidget *
row_for_pointer (PorticoConnectorEditor *self,
                 const char             *pointer)
{
  GtkWidget *row = NULL;
  gsize best = 0;

  for (guint i = 0; pointer != NULL && i < G_N_ELEMENTS (problem_targets); i++)
    {
      gsize length = strlen (problem_targets[i].pointer);

      if (length > best && pointer_within (pointer, problem_targets[i].pointer))
        {
          row = TARGET_ROW (self, i);
          best = length;
        }
    }
  /* A problem at a hidden row (a scheme's member) shows at the scheme. */
  if (row != NULL && !gtk_widget_get_visible (row))
    row = pointer_within (pointer, "/auth") ? GTK_WIDGET (self->auth_row) : GTK_WIDGET (self->pagination_row);
  return row;
}

static void
clear_problem (GtkWidget *row)
{
  gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, NULL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
update_save_action (PorticoConnectorEditor *self)
{
  /* A check still to come does not hold Save back: Save runs it first. */
  gboolean ready = self->n_problems == 0 && !self->saving;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", ready);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button),
                               self->n_problems > 0 ? _("Fix the problems shown at the fields first")
                                                    : _("Save (Ctrl+Enter)"));
}

static void
show_problems (PorticoConnectorEditor *self,
               GPtrArray              *problems)
{
  g_autoptr(GHashTable) messages = g_hash_table_new_full (NULL, NULL, NULL, NULL);
  g_autoptr(GString) general = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < G_N_ELEMENTS (problem_targets); i++)
    clear_problem (TARGET_ROW (self, i));

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      PorticoDraftProblem *problem = g_ptr_array_index (problems, i);
      GtkWidget *row = row_for_pointer (self, problem->pointer);
      GString *text;

      if (row == NULL)
        {
          if (general->len > 0)
            g_string_append_c (general, '\n');
          g_string_append (general, problem->message);
          continue;
        }
      text = g_hash_table_lookup (messages, row);
      if (text == NULL)
        g_hash_table_insert (messages, row, (text = g_string_new (NULL)));
      else
        g_string_append_c (text, '\n');
      g_string_append (text, problem->message);
    }

  g_hash_table_iter_init (&iter, messages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GString *text = value;

      gtk_widget_add_css_class (key, "error");
      gtk_widget_set_tooltip_text (key, text->str);
      gtk_accessible_update_property (GTK_ACCESSIBLE (key),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str, -1);
      /* Shown at the top as well, after the field's name, so it is seen
       * without hovering. */
      if (general->len > 0)
        g_string_append_c (general, '\n');
      if (ADW_IS_PREFERENCES_ROW (key))
        /* Translators: a problem of the editor's form: "Base URL: Is empty; fill it in." */
        g_string_append_printf (general, _("%s: %s"), row_title (key), text->str);
      else
        g_string_append (general, text->str);
      g_string_free (text, TRUE);
    }

  self->n_problems = problems != NULL ? problems->len : 0;
  gtk_label_set_label (self->problems_label, general->str);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), general->len > 0);
  update_save_action (self);
}

static gboolean
check_cb (gpointer user_data)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (user_data);
  g_autofree char *data = portico_connector_editor_dup_definition (self);
  g_autoptr(GPtrArray) problems = NULL;

  self->check_source = 0;
  problems = portico_engine_check_draft (self->engine, data, -1);
  show_problems (self, problems);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (PorticoConnectorEditor *self)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (200, check_cb, self);
  update_save_action (self);
}

/* ---- Change handling ---------------------------------------------------------------------- */

static void
on_name_changed (PorticoConnectorEditor *self)
{
  if (self->loading)
    return;
  if (!self->id_edited && self->editing_id == NULL)
    {
      g_autofree char *id = id_from_name (row_text (self->name_row));

      self->loading = TRUE;
      set_row_text (self->id_row, id);
      self->loading = FALSE;
    }
  adw_avatar_set_text (self->icon_avatar, row_text (self->name_row));
  schedule_check (self);
}

static void
on_id_changed (PorticoConnectorEditor *self)
{
  if (self->loading)
    return;
  self->id_edited = TRUE;
  schedule_check (self);
}

static void
on_row_changed (PorticoConnectorEditor *self)
{
  if (!self->loading)
    schedule_check (self);
}

static void
on_auth_selected (PorticoConnectorEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->auth_row);

  if (self->loading || selected == GTK_INVALID_LIST_POSITION || selected == self->auth_kind)
    return;
  apply_form (self);
  reset_auth (self, selected);
  self->loading = TRUE;
  fill_auth_rows (self);
  self->loading = FALSE;
  rebuild_credentials (self);
  schedule_check (self);
}

static void
on_pagination_selected (PorticoConnectorEditor *self)
{
  /* While loading, fill_request_rows () updates the rows itself. */
  if (self->loading)
    return;
  update_pagination_rows (self);
  self->pagination_known = TRUE;
  schedule_check (self);
}

static void
set_map_target (PorticoConnectorEditor *self,
                GtkWidget              *row)
{
  g_autofree char *hint = NULL;

  self->map_target = row;
  /* Translators: %s is a mapping field such as "Email" */
  hint = g_strdup_printf (_("Choosing a field fills “%s”."), row_title (ADW_PREFERENCES_ROW (row)));
  gtk_label_set_label (self->paths_hint_label, hint);
}

static void
on_map_focus_enter (GtkEventControllerFocus *controller,
                    PorticoConnectorEditor  *self)
{
  set_map_target (self, gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
}

/* The mapping field the admin types in (or clears) is the one a chosen path
 * fills, as is the one that has the focus. */
static void
on_map_changed (GtkEditable            *row,
                PorticoConnectorEditor *self)
{
  if (self->loading)
    return;
  set_map_target (self, GTK_WIDGET (row));
  schedule_check (self);
}

/* ---- Try It ------------------------------------------------------------------------------- */

static void
on_credential_changed (GtkEditable            *editable,
                       PorticoConnectorEditor *self)
{
  const char *id = g_object_get_data (G_OBJECT (editable), "portico-field-id");

  g_hash_table_replace (self->try_values, g_strdup (id), g_strdup (gtk_editable_get_text (editable)));
}

/* One row per field of the definition, for the values Try It sends. */
static void
rebuild_credentials (PorticoConnectorEditor *self)
{
  JsonNode *node = json_object_get_member (self->draft, "fields");
  JsonArray *fields = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->credentials_list))) != NULL)
    gtk_list_box_remove (self->credentials_list, child);

  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonNode *element = json_array_get_element (fields, i);
      JsonObject *field = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = get_string (field, "id");
      const char *label = get_string (field, "label");
      const char *type = get_string (field, "type");
      const char *value;
      GtkWidget *row;

      if (id == NULL)
        continue;
      if (g_strcmp0 (type, "secret") == 0 || g_strcmp0 (type, "file") == 0)
        row = adw_password_entry_row_new ();
      else
        row = adw_entry_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label != NULL ? label : id);
      g_object_set_data_full (G_OBJECT (row), "portico-field-id", g_strdup (id), g_free);
      value = g_hash_table_lookup (self->try_values, id);
      if (value == NULL)
        value = get_string (field, "default");
      if (value != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), value);
      g_signal_connect (row, "changed", G_CALLBACK (on_credential_changed), self);
      gtk_list_box_append (self->credentials_list, row);
    }
}

static void
set_trying (PorticoConnectorEditor *self,
            gboolean                trying)
{
  gtk_widget_set_visible (GTK_WIDGET (self->try_spinner), trying);
  gtk_spinner_set_spinning (self->try_spinner, trying);
  gtk_widget_set_visible (GTK_WIDGET (self->try_cancel_button), trying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.try", !trying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.cancel-try", trying);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      return json_to_string (node, FALSE);
    }
  return json_to_string (node, FALSE);
}

static void
use_path_clicked (GtkButton              *button,
                  PorticoConnectorEditor *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "portico-path");
  g_autofree char *text = NULL;

  if (self->map_target == NULL)
    {
      show_toast (self, _("Click a mapping field first, such as Email, then choose the record field for it."));
      return;
    }
  set_row_text (self->map_target, path);
  /* Translators: "Email: profile.email" after choosing a path for a mapping field */
  text = g_strdup_printf (_("%s: %s"), row_title (ADW_PREFERENCES_ROW (self->map_target)), path);
  show_toast (self, text);
}

static void
on_path_activated (PorticoConnectorEditor *self,
                   GtkListBoxRow          *row)
{
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "portico-use-button");

  if (button != NULL)
    use_path_clicked (GTK_BUTTON (button), self);
}

#define MAX_MAPPED_ROWS 5

static void
show_try_result (PorticoConnectorEditor *self,
                 JsonObject             *result)
{
  JsonNode *records = json_object_get_member (result, "records");
  JsonArray *rows = json_object_has_member (result, "rows") ? json_object_get_array_member (result, "rows") : NULL;
  JsonArray *paths = json_object_has_member (result, "paths") ? json_object_get_array_member (result, "paths") : NULL;
  const char *items_path = get_string (result, "items_path");
  g_autofree char *raw = NULL;
  g_autofree char *status = NULL;
  guint n_rows = rows != NULL ? json_array_get_length (rows) : 0;

  clear_list (self->rows_list);
  clear_list (self->paths_list);

  if (records != NULL)
    raw = json_to_string (records, TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), raw != NULL ? raw : "", -1);

  /* A few mapped users are enough to judge the mapping; the fields to pick
   * from come right after them. */
  for (guint i = 0; i < MIN (n_rows, MAX_MAPPED_ROWS); i++)
    {
      JsonNode *element = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      static const char * const details[] = { "email", "status", "role", "last_activity", "license", NULL };
      g_autoptr(GString) subtitle = g_string_new (NULL);
      g_autofree char *title = NULL;
      GtkWidget *widget;

      if (row == NULL)
        continue;
      title = node_to_text (json_object_get_member (row, "name"));
      if (title == NULL)
        title = node_to_text (json_object_get_member (row, "email"));
      if (title == NULL)
        title = node_to_text (json_object_get_member (row, "external_id"));
      for (guint j = 0; details[j] != NULL; j++)
        {
          g_autofree char *value = node_to_text (json_object_get_member (row, details[j]));

          if (value == NULL || value[0] == '\0')
            continue;
          if (subtitle->len > 0)
            g_string_append (subtitle, " · ");
          g_string_append (subtitle, value);
        }
      widget = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
      /* Translators: a mapped user without a name, email or id */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title != NULL ? title : _("(nothing mapped)"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), subtitle->str);
      gtk_list_box_append (self->rows_list, widget);
    }

  if (n_rows > MAX_MAPPED_ROWS)
    {
      GtkWidget *more = adw_action_row_new ();
      g_autofree char *text = NULL;

      /* Translators: below the first mapped users of Try It */
      text = g_strdup_printf (g_dngettext (NULL, "and %u more user on this page", "and %u more users on this page",
                                           n_rows - MAX_MAPPED_ROWS),
                              n_rows - MAX_MAPPED_ROWS);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (more), text);
      gtk_widget_add_css_class (more, "dim-label");
      gtk_list_box_append (self->rows_list, more);
    }

  for (guint i = 0; paths != NULL && i < json_array_get_length (paths); i++)
    {
      JsonNode *element = json_array_get_element (paths, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autofree char *path = entry != NULL ? expression_to_text (json_object_get_member (entry, "path")) : NULL;
      g_autofree char *sample = entry != NULL ? node_to_text (json_object_get_member (entry, "sample")) : NULL;
      g_autofree char *name = NULL;
      GtkWidget *row, *button;

      if (path == NULL || path[0] == '\0')
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), path);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sample != NULL ? sample : "null");
      /* A label child rather than a button label, which GTK 4.8 appends
       * to the accessible name. */
      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), gtk_label_new_with_mnemonic (_("_Use")));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      /* Translators: accessible name of the button that maps a record field, e.g. "Use profile.email" */
      name = g_strdup_printf (_("Use %s"), path);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data_full (G_OBJECT (button), "portico-path", g_strdup (path), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (use_path_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      /* Activatable without an activatable widget, which would lend the
       * button the row's title as a second name. */
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "portico-use-button", button);
      gtk_list_box_append (self->paths_list, row);
    }

  /* The items path Try It found, proposed when the admin gave none. */
  if (items_path != NULL && items_path[0] != '\0' && row_text (self->items_row)[0] == '\0')
    set_row_text (self->items_row, items_path);

  /* Translators: after Try It: "HTTP 200: 20 records on the first page" */
  status = g_strdup_printf (g_dngettext (NULL, "HTTP %d: %u record on the first page",
                                         "HTTP %d: %u records on the first page", n_rows),
                            (int) json_object_get_int_member_with_default (result, "status", 0), n_rows);
  gtk_label_set_label (self->try_status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->try_status_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->rows_group), n_rows > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->paths_group), TRUE);
  if (self->map_target == NULL)
    gtk_label_set_label (self->paths_hint_label,
                         _("Click a mapping field such as Email, then Use on the record field that holds it."));
}

static void
try_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(PorticoConnectorEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = portico_engine_try_connector_finish (PORTICO_ENGINE (source), result, &error);

  /* Closing the window cancels too: then there is nothing left to show. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&self->try_cancellable);
      set_trying (self, FALSE);
      gtk_label_set_label (self->try_status_label, _("Try It was cancelled."));
      gtk_widget_set_visible (GTK_WIDGET (self->try_status_label), TRUE);
      return;
    }
  g_clear_object (&self->try_cancellable);
  set_trying (self, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      gtk_label_set_label (self->try_error_label, error != NULL ? error->message : _("Try It got no answer."));
      gtk_widget_set_visible (GTK_WIDGET (self->try_error_label), TRUE);
      return;
    }
  show_try_result (self, json_node_get_object (node));
}

static void
try_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (widget);
  g_autofree char *data = portico_connector_editor_dup_definition (self);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (self->try_cancellable != NULL)
    return;

  g_hash_table_iter_init (&iter, self->try_values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (value != NULL && ((const char *) value)[0] != '\0')
      g_hash_table_insert (values, g_strdup (key), g_strdup (value));

  gtk_widget_set_visible (GTK_WIDGET (self->try_error_label), FALSE);
  gtk_label_set_label (self->try_status_label, _("Reading the first page…"));
  gtk_widget_set_visible (GTK_WIDGET (self->try_status_label), TRUE);
  set_trying (self, TRUE);
  self->try_cancellable = g_cancellable_new ();
  portico_engine_try_connector_async (self->engine, data, -1, values, "users",
                                      self->try_cancellable, try_cb, g_object_ref (self));
}

static void
cancel_try_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (widget);

  if (self->try_cancellable != NULL)
    g_cancellable_cancel (self->try_cancellable);
}

/* ---- Save, and the accounts that use the connector ------------------------------------------ */

typedef struct
{
  PorticoConnectorEditor *self;
  PorticoConnector       *connector;
  AdwActionRow           *row;
  char                   *permission;
} Retest;

static void
retest_free (Retest *retest)
{
  g_clear_object (&retest->self);
  g_clear_object (&retest->connector);
  g_clear_object (&retest->row);
  g_free (retest->permission);
  g_free (retest);
}

static void
retest_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Retest *retest = user_data;
  PorticoConnectionTest *test = PORTICO_CONNECTION_TEST (source);
  g_autoptr(GError) error = NULL;
  PorticoConnectionOutcome outcome = portico_connection_test_run_finish (test, result, &error);
  const GError *problem = portico_connection_test_get_connection_error (test);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      retest_free (retest);
      return;
    }
  if (problem == NULL)
    problem = portico_connection_test_get_data_type_error (test, "users");
  if (outcome == PORTICO_CONNECTION_OUTCOME_A)
    text = g_strdup (_("Tested again: works"));
  else if (outcome == PORTICO_CONNECTION_OUTCOME_B)
    text = g_strdup (_("Tested again: works, some data is not available"));
  else
    /* Translators: %s is why the connection test failed */
    text = g_strdup_printf (_("Tested again: does not work. %s"),
                            error != NULL ? error->message : problem != NULL ? problem->message : "");
  adw_action_row_set_subtitle (retest->row, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (retest->row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  retest_free (retest);
}

static void
retest_values_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Retest *retest = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = portico_engine_load_values_finish (PORTICO_ENGINE (source), result, &error);
  g_autoptr(PorticoConnectionTest) test = NULL;

  if (values == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (retest->row, error->message);
      retest_free (retest);
      return;
    }
  test = portico_engine_new_test (PORTICO_ENGINE (source), retest->connector, values, retest->permission);
  portico_connection_test_run_async (test, retest->self->cancellable, retest_done, retest);
}

static void
retest_accounts (PorticoConnectorEditor *self,
                 PorticoConnector       *connector)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_list));

  for (guint i = 0; self->accounts != NULL && i < json_array_get_length (self->accounts) && child != NULL;
       i++, child = gtk_widget_get_next_sibling (child))
    {
      JsonObject *account = json_array_get_object_element (self->accounts, i);
      Retest *retest = g_new0 (Retest, 1);

      retest->self = g_object_ref (self);
      retest->connector = g_object_ref (connector);
      retest->row = g_object_ref (ADW_ACTION_ROW (child));
      retest->permission = g_strdup (json_object_get_string_member_with_default (account, "permission", "read"));
      adw_action_row_set_subtitle (retest->row, _("Testing again…"));
      portico_engine_load_values_async (self->engine, json_object_get_int_member (account, "id"),
                                        self->cancellable, retest_values_cb, retest);
    }
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PorticoConnectorEditor *self = PORTICO_CONNECTOR_EDITOR (widget);
  g_autofree char *data = portico_connector_editor_dup_definition (self);
  g_autofree char *file_name = NULL;
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  if (self->check_source != 0)
    {
      g_clear_handle_id (&self->check_source, g_source_remove);
      check_cb (self);
    }
  if (self->n_problems > 0 || self->saving)
    return;

  file_name = g_strdup_printf ("%s.json", get_string (self->draft, "id"));
  connector = portico_engine_save_custom_connector (self->engine, data, -1, file_name, &error);
  if (connector == NULL)
    {
      show_error_dialog (GTK_WINDOW (self), _("The Integration Cannot Be Saved"), error->message);
      return;
    }

  if (self->accounts == NULL || json_array_get_length (self->accounts) == 0)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  /* Editing a connector that accounts use: they are tested again with the
   * saved definition, and the window stays to show how it went. */
  if (self->editing_id == NULL)
    self->editing_id = g_strdup (portico_connector_get_id (connector));
  /* Translators: %s is the integration's name */
  saved = g_strdup_printf (_("“%s” saved. The accounts that use it are tested again."),
                           portico_connector_get_name (connector));
  show_toast (self, saved);
  retest_accounts (self, connector);
}

static void
show_accounts (PorticoConnectorEditor *self)
{
  guint n = self->accounts != NULL ? json_array_get_length (self->accounts) : 0;

  clear_list (self->accounts_list);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *account = json_array_get_object_element (self->accounts, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     json_object_get_string_member_with_default (account, "name", ""));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Tested again after saving"));
      gtk_list_box_append (self->accounts_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->accounts_group), n > 0);
}

/* ---- Templates ------------------------------------------------------------------------------ */

void
portico_connector_editor_start_from_scim (PorticoConnectorEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self));

  text = portico_catalog_dup_template (PORTICO_TEMPLATE_SCIM, &error);
  if (text != NULL)
    root = json_from_string (text, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      show_error_dialog (GTK_WINDOW (self), _("The SCIM 2.0 Template Is Missing"),
                         error != NULL ? error->message : _("The template is not a JSON object. Reinstall Portico."));
      return;
    }

  g_clear_pointer (&self->draft, json_object_unref);
  self->draft = json_object_ref (json_node_get_object (root));
  self->identity_generated = FALSE;
  self->id_edited = FALSE;

  /* In demo mode the sandbox's SCIM service stands in for the app. */
  if (self->sandbox != NULL && portico_sandbox_get_scim_url (self->sandbox) != NULL)
    {
      g_hash_table_replace (self->try_values, g_strdup ("scim_base_url"),
                            g_strdup (portico_sandbox_get_scim_url (self->sandbox)));
      g_hash_table_replace (self->try_values, g_strdup ("bearer_token"), g_strdup ("sandbox-ok"));
    }
  fill_form (self);
}

static void
start_from_scim_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  portico_connector_editor_start_from_scim (PORTICO_CONNECTOR_EDITOR (widget));
}

/* ---- Construction --------------------------------------------------------------------------- */

PorticoConnectorEditor *
portico_connector_editor_new (GtkWindow      *parent,
                              PorticoEngine  *engine,
                              PorticoSandbox *sandbox,
                              const char     *connector_id,
                              GError        **error)
{
  PorticoConnectorEditor *self;

  g_return_val_if_fail (PORTICO_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (sandbox == NULL || PORTICO_IS_SANDBOX (sandbox), NULL);

  /* GTK owns a window's reference: a refusal destroys it. */
  self = g_object_new (PORTICO_TYPE_CONNECTOR_EDITOR,
                       "transient-for", parent,
                       NULL);
  self->engine = g_object_ref (engine);
  self->sandbox = sandbox != NULL ? g_object_ref (sandbox) : NULL;

  if (connector_id != NULL)
    {
      g_autoptr(GBytes) bytes = portico_engine_export_connector (engine, connector_id, error);
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *title = NULL;
      gsize length = 0;
      const char *data;

      if (bytes != NULL)
        {
          g_autofree char *text = NULL;

          data = g_bytes_get_data (bytes, &length);
          text = g_strndup (data, length);
          root = json_from_string (text, error);
        }
      if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_clear_pointer (&root, json_node_unref);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The definition of “%s” is not a JSON object. Import a fixed file to replace it."), connector_id);
        }
      if (root == NULL)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return NULL;
        }
      self->draft = json_object_ref (json_node_get_object (root));
      self->editing_id = g_strdup (connector_id);
      self->accounts = portico_engine_list_connector_accounts (engine, connector_id, NULL);
      /* Translators: window title, %s is the integration's name */
      title = g_strdup_printf (_("Edit “%s”"), get_string (self->draft, "name"));
      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_editable_set_editable (GTK_EDITABLE (self->id_row), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->id_row),
                                   _("The identifier of a saved integration stays: accounts refer to it"));
      gtk_widget_set_visible (GTK_WIDGET (self->start_group), FALSE);
      self->id_edited = TRUE;
      show_accounts (self);
    }
  else
    {
      JsonObject *users;

      self->draft = new_draft ();
      self->identity_generated = TRUE;
      reset_auth (self, AUTH_BEARER);
      users = users_type (self);
      json_object_set_object_member (ensure_object (users, "request"), "query", json_object_new ());
      json_object_remove_member (get_object (users, "request"), "query");
      json_object_set_string_member (users, "items", "");
      json_object_set_string_member (ensure_object (users, "map"), "id", "id");
      json_object_set_string_member (ensure_object (users, "pagination"), "style", "none");
    }

  fill_form (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
  return self;
}

static void
portico_connector_editor_dispose (GObject *object)
{
  PorticoConnectorEditor *self = (PorticoConnectorEditor *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->try_cancellable != NULL)
    g_cancellable_cancel (self->try_cancellable);
  /* Rows going away may still say they changed: nothing to check then. */
  self->loading = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CONNECTOR_EDITOR);
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->map_target = NULL;
  g_clear_object (&self->engine);
  g_clear_object (&self->sandbox);

  G_OBJECT_CLASS (portico_connector_editor_parent_class)->dispose (object);
}

static void
portico_connector_editor_finalize (GObject *object)
{
  PorticoConnectorEditor *self = (PorticoConnectorEditor *)object;

  g_clear_pointer (&self->draft, json_object_unref);
  g_clear_pointer (&self->accounts, json_array_unref);
  g_clear_pointer (&self->try_values, g_hash_table_unref);
  g_clear_pointer (&self->editing_id, g_free);
  g_clear_object (&self->try_cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (portico_connector_editor_parent_class)->finalize (object);
}

static void
portico_connector_editor_class_init (PorticoConnectorEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_connector_editor_dispose;
  object_class->finalize = portico_connector_editor_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-connector-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, auth_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, authorize_url_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, body_fields_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, category_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, connection_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, credentials_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, cursor_path_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, custom_fields_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, general_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, header_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, help_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, help_url_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, icon_avatar);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, icon_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, id_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, items_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, key_field_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_email_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_id_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_last_activity_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_license_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_name_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_role_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, map_status_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, mapping_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, next_path_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, page_param_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, pagination_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, path_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, paths_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, paths_hint_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, paths_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, problems_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, problems_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, query_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, raw_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, request_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, rows_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, rows_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, scope_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, size_param_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, size_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, start_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, subject_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, token_url_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, total_path_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, try_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, try_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, try_error_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, try_spinner);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, try_status_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorEditor, value_row);
  gtk_widget_class_bind_template_callback (widget_class, on_path_activated);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.try", NULL, try_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel-try", NULL, cancel_try_action);
  gtk_widget_class_install_action (widget_class, "editor.start-from-scim", NULL, start_from_scim_action);
  gtk_widget_class_install_action (widget_class, "editor.choose-icon", NULL, choose_icon_action);
  gtk_widget_class_install_action (widget_class, "editor.use-monogram", NULL, use_monogram_action);
}

static void
connect_changed (PorticoConnectorEditor *self,
                 gpointer                row,
                 GCallback               callback)
{
  /* The rows are the window's own children: they go before it does. */
  g_signal_connect_swapped (row, "changed", callback, self);
}

static void
portico_connector_editor_init (PorticoConnectorEditor *self)
{
  g_autoptr(GtkStringList) category_labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->try_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pagination_known = TRUE;

  for (guint i = 0; categories[i] != NULL; i++)
    gtk_string_list_append (category_labels, portico_category_label (categories[i]));
  adw_combo_row_set_model (self->category_row, G_LIST_MODEL (category_labels));

  connect_changed (self, self->name_row, G_CALLBACK (on_name_changed));
  connect_changed (self, self->id_row, G_CALLBACK (on_id_changed));
  {
    AdwEntryRow *rows[] = {
      self->help_row, self->help_url_row, self->base_url_row, self->header_row, self->value_row,
      self->authorize_url_row, self->token_url_row, self->scope_row, self->body_fields_row,
      self->key_field_row, self->subject_row, self->path_row, self->query_row,
      self->page_param_row, self->cursor_path_row, self->next_path_row, self->size_param_row,
      self->size_row, self->total_path_row, self->items_row, self->custom_fields_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      connect_changed (self, rows[i], G_CALLBACK (on_row_changed));
  }
  for (guint i = 0; i < G_N_ELEMENTS (map_rows); i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_signal_connect (MAP_ROW (self, i), "changed", G_CALLBACK (on_map_changed), self);
      g_signal_connect (focus, "enter", G_CALLBACK (on_map_focus_enter), self);
      gtk_widget_add_controller (GTK_WIDGET (MAP_ROW (self, i)), focus);
    }
  g_signal_connect_swapped (self->category_row, "notify::selected", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->auth_row, "notify::selected", G_CALLBACK (on_auth_selected), self);
  g_signal_connect_swapped (self->pagination_row, "notify::selected", G_CALLBACK (on_pagination_selected), self);

  gtk_label_set_label (self->paths_hint_label,
                       _("Click a mapping field such as Email, then Use on the record field that holds it."));
  set_trying (self, FALSE);
  update_save_action (self);
}

/* ---- Import, export, delete ------------------------------------------------------------------ */

typedef struct
{
  GtkWindow     *parent;
  PorticoEngine *engine;
  char          *data;
  gsize          length;
  char          *source_name;
  char          *connector_id;
} FileJob;

static void
file_job_free (FileJob *job)
{
  g_clear_object (&job->parent);
  g_clear_object (&job->engine);
  g_free (job->data);
  g_free (job->source_name);
  g_free (job->connector_id);
  g_free (job);
}

static FileJob *
file_job_new (GtkWindow     *parent,
              PorticoEngine *engine)
{
  FileJob *job = g_new0 (FileJob, 1);

  job->parent = parent != NULL ? g_object_ref (parent) : NULL;
  job->engine = g_object_ref (engine);
  return job;
}

static void
import_confirmed_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  FileJob *job = user_data;
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "import"))
    {
      connector = portico_engine_save_custom_connector (job->engine, job->data, job->length,
                                                        job->source_name, &error);
      if (connector == NULL)
        show_error_dialog (job->parent, _("The Integration Cannot Be Imported"), error->message);
    }
  file_job_free (job);
}

void
portico_connector_import_file (GtkWindow     *parent,
                               PorticoEngine *engine,
                               GFile         *file)
{
  FileJob *job;
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_auto(GStrv) hosts = NULL;
  g_autofree char *heading = NULL;
  PorticoConnector *existing;
  GtkWidget *dialog;

  g_return_if_fail (PORTICO_IS_ENGINE (engine));
  g_return_if_fail (G_IS_FILE (file));

  job = file_job_new (parent, engine);
  job->source_name = g_file_get_basename (file);
  if (!g_file_load_contents (file, NULL, &job->data, &job->length, NULL, &error))
    {
      show_error_dialog (parent, _("The File Cannot Be Read"), error->message);
      file_job_free (job);
      return;
    }

  connector = portico_engine_check_custom_connector (engine, job->data, job->length, job->source_name, &error);
  if (connector == NULL)
    {
      /* Translators: %s is the file name */
      heading = g_strdup_printf (_("“%s” Cannot Be Imported"), job->source_name);
      show_error_dialog (parent, heading, error->message);
      file_job_free (job);
      return;
    }

  hosts = portico_connector_dup_credential_hosts (connector);
  /* Translators: %s is the integration's name */
  heading = g_strdup_printf (_("Import “%s”?"), portico_connector_get_name (connector));
  g_string_append (body, _("The credentials you enter for it will be sent to:"));
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    g_string_append_printf (body, "\n• %s", hosts[i]);
  existing = portico_catalog_lookup (portico_engine_get_catalog (engine), portico_connector_get_id (connector));
  if (existing != NULL && portico_connector_is_custom (existing))
    {
      g_string_append (body, "\n\n");
      /* Translators: %s is the integration's name */
      g_string_append_printf (body, _("It replaces your custom integration “%s”."),
                              portico_connector_get_name (existing));
    }

  dialog = adw_message_dialog_new (parent, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (import_confirmed_cb), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  FileJob *job = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        portico_connector_import_file (job->parent, job->engine, file);
    }
  file_job_free (job);
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

void
portico_connector_import_run (GtkWindow     *parent,
                              PorticoEngine *engine)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_if_fail (PORTICO_IS_ENGINE (engine));

  chooser = gtk_file_chooser_native_new (_("Import Custom Integration"), parent,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Integration definitions (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (import_chosen_cb), file_job_new (parent, engine));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  FileJob *job = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GBytes) bytes = portico_engine_export_connector (job->engine, job->connector_id, NULL);
      g_autoptr(GError) error = NULL;
      gsize length = 0;
      const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

      if (file != NULL && bytes != NULL &&
          !g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, &error))
        show_error_dialog (job->parent, _("The Integration Cannot Be Exported"), error->message);
    }
  file_job_free (job);
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

void
portico_connector_export_run (GtkWindow     *parent,
                              PorticoEngine *engine,
                              const char    *connector_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *file_name = NULL;
  GtkFileChooserNative *chooser;
  FileJob *job;

  g_return_if_fail (PORTICO_IS_ENGINE (engine));
  g_return_if_fail (connector_id != NULL);

  /* Refused before a file is chosen, so nothing is half-written. */
  bytes = portico_engine_export_connector (engine, connector_id, &error);
  if (bytes == NULL)
    {
      show_error_dialog (parent, _("The Integration Cannot Be Exported"), error->message);
      return;
    }

  job = file_job_new (parent, engine);
  job->connector_id = g_strdup (connector_id);
  file_name = g_strdup_printf ("%s.json", connector_id);
  chooser = gtk_file_chooser_native_new (_("Export Integration"), parent,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_chosen_cb), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
close_window_idle (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
delete_confirmed_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  FileJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "delete"))
    {
      if (!portico_engine_delete_custom_connector (job->engine, job->connector_id, &error))
        show_error_dialog (job->parent, _("The Integration Cannot Be Deleted"), error->message);
      else if (job->parent != NULL)
        /* After this dialog is done: closing its parent now would destroy
         * it in the middle of its own response. */
        g_idle_add_full (G_PRIORITY_DEFAULT, close_window_idle,
                         g_object_ref (job->parent), g_object_unref);
    }
  file_job_free (job);
}

void
portico_connector_delete_run (GtkWindow     *parent,
                              PorticoEngine *engine,
                              const char    *connector_id)
{
  PorticoConnector *connector;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  FileJob *job;

  g_return_if_fail (PORTICO_IS_ENGINE (engine));
  g_return_if_fail (connector_id != NULL);

  connector = portico_catalog_lookup (portico_engine_get_catalog (engine), connector_id);
  job = file_job_new (parent, engine);
  job->connector_id = g_strdup (connector_id);
  /* Translators: %s is the integration's name */
  heading = g_strdup_printf (_("Delete “%s”?"), connector != NULL ? portico_connector_get_name (connector) : connector_id);
  dialog = adw_message_dialog_new (parent, heading,
                                   _("Its definition is removed from this computer. Export it first to keep a copy."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (delete_confirmed_cb), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- State for the display tests --------------------------------------------------------------- */

gboolean
portico_connector_editor_can_save (PorticoConnectorEditor *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), FALSE);

  return self->check_source == 0 && self->n_problems == 0 && !self->saving;
}

gboolean
portico_connector_editor_is_trying (PorticoConnectorEditor *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), FALSE);

  return self->try_cancellable != NULL;
}

const char *
portico_connector_editor_get_problem_at (PorticoConnectorEditor *self,
                                         const char             *pointer)
{
  GtkWidget *row;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), NULL);

  row = row_for_pointer (self, pointer);
  if (row == NULL || !gtk_widget_has_css_class (row, "error"))
    return NULL;
  return gtk_widget_get_tooltip_text (row);
}

const char *
portico_connector_editor_get_try_error (PorticoConnectorEditor *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->try_error_label)))
    return NULL;
  return gtk_label_get_label (self->try_error_label);
}

static guint
count_children (GtkListBox *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

guint
portico_connector_editor_get_n_try_rows (PorticoConnectorEditor *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), 0);

  return count_children (self->rows_list);
}

guint
portico_connector_editor_get_n_try_paths (PorticoConnectorEditor *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), 0);

  return count_children (self->paths_list);
}

static AdwEntryRow *
mapping_row (PorticoConnectorEditor *self,
             const char             *target)
{
  for (guint i = 0; i < G_N_ELEMENTS (map_rows); i++)
    if (g_strcmp0 (map_rows[i].target, target) == 0)
      return MAP_ROW (self, i);
  return NULL;
}

gboolean
portico_connector_editor_use_path (PorticoConnectorEditor *self,
                                   const char             *target,
                                   const char             *path)
{
  AdwEntryRow *row;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), FALSE);

  row = mapping_row (self, target);
  if (row == NULL)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (row));
  self->map_target = GTK_WIDGET (row);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->paths_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = g_object_get_data (G_OBJECT (child), "portico-use-button");

      if (button != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (button), "portico-path"), path) == 0)
        {
          g_signal_emit_by_name (self->paths_list, "row-activated", child);
          return TRUE;
        }
    }
  return FALSE;
}

const char *
portico_connector_editor_get_mapping (PorticoConnectorEditor *self,
                                      const char             *target)
{
  AdwEntryRow *row;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self), NULL);

  row = mapping_row (self, target);
  return row != NULL ? row_text (row) : NULL;
}

void
portico_connector_editor_set_text (PorticoConnectorEditor *self,
                                   const char             *pointer,
                                   const char             *text)
{
  GtkWidget *row;

  g_return_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self));

  for (guint i = 0; i < G_N_ELEMENTS (problem_targets); i++)
    if (g_str_equal (problem_targets[i].pointer, pointer))
      {
        row = TARGET_ROW (self, i);
        if (GTK_IS_EDITABLE (row))
          set_row_text (row, text);
        return;
      }
}

void
portico_connector_editor_set_try_value (PorticoConnectorEditor *self,
                                        const char             *field_id,
                                        const char             *value)
{
  g_return_if_fail (PORTICO_IS_CONNECTOR_EDITOR (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->credentials_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "portico-field-id"), field_id) == 0)
      {
        gtk_editable_set_text (GTK_EDITABLE (child), value);
        return;
      }
}
