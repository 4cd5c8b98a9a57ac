/* portico-connector.c: loading one connector definition and reading it.
 * The expressions its field mappings are written in are in
 * portico-connector-expr.c; the checks in portico-connector-validate*.c.
 *
 * Every rule of connectors/README.md is checked on load, so that a broken file
 * is refused on load with one sentence naming the file and the field, and the
 * runtime can trust the shape of whatever it reads from the definition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "portico-connector.h"
#include "portico-connector-private.h"
#include "portico-jwt.h"
#include "portico-connector-i18n.h"
#include "portico-errors.h"
#include "portico-json.h"
#include "portico-limits.h"

struct _PorticoConnector
{
  GObject parent_instance;

  JsonNode *root;
  JsonObject *def; /* owned by root */
  JsonNode *empty_items;
  char *origin;
  GPtrArray *fields; /* PorticoConnectorField */
  gboolean is_custom;
};

G_DEFINE_FINAL_TYPE (PorticoConnector, portico_connector, G_TYPE_OBJECT)

const char * const portico_data_type_ids[] = {
  "users", "licenses", "usage", "custom_fields", "transactions", "groups",
  "discovered_apps", "app_assignments", NULL,
};

const char * const portico_connector_categories[] = {
  "identity_provider", "human_resources", "expenses", "communication",
  "collaboration", "engineering", "productivity", "sales", "support",
  "design", "security", "storage", "finance", "marketing", "other", NULL,
};

const char *
portico_data_type_label (const char *data_type_id)
{
  g_return_val_if_fail (data_type_id != NULL, NULL);

  if (g_str_equal (data_type_id, "users"))
    return _("Users");
  if (g_str_equal (data_type_id, "licenses"))
    return _("Licenses");
  if (g_str_equal (data_type_id, "usage"))
    return _("Usage");
  if (g_str_equal (data_type_id, "custom_fields"))
    return _("Custom fields");
  if (g_str_equal (data_type_id, "transactions"))
    return _("Transactions");
  if (g_str_equal (data_type_id, "groups"))
    return _("Groups");
  if (g_str_equal (data_type_id, "discovered_apps"))
    return _("Discovered apps");
  if (g_str_equal (data_type_id, "app_assignments"))
    return _("App assignments");

  return data_type_id;
}

const char *
portico_category_label (const char *category)
{
  static const struct { const char *id; const char *label; } labels[] = {
    { "identity_provider", N_("Identity providers") },
    { "human_resources", N_("Human resources") },
    { "expenses", N_("Expenses") },
    { "communication", N_("Communication") },
    { "collaboration", N_("Collaboration") },
    { "engineering", N_("Engineering") },
    { "productivity", N_("Productivity") },
    { "sales", N_("Sales") },
    { "support", N_("Support") },
    { "design", N_("Design") },
    { "security", N_("Security") },
    { "storage", N_("Storage") },
    { "finance", N_("Finance") },
    { "marketing", N_("Marketing") },
    { "other", N_("Other apps") },
  };

  g_return_val_if_fail (category != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].id, category))
      return _(labels[i].label);

  return _("Other apps");
}

int
portico_category_rank (const char *category)
{
  if (category != NULL)
    for (int i = 0; portico_connector_categories[i] != NULL; i++)
      if (g_str_equal (portico_connector_categories[i], category))
        return i;

  return G_N_ELEMENTS (portico_connector_categories);
}

typedef struct
{
  PorticoConnector *connector;
  GHashTable       *values;
  const char       *missing; /* the label of a field the choice needs, unset */
} ChoiceNeeds;

static gboolean
choice_field_is_set (const char *name,
                     gpointer    user_data)
{
  ChoiceNeeds *needs = user_data;
  const PorticoConnectorField *field = portico_connector_get_field (needs->connector, name);
  const char *value = g_hash_table_lookup (needs->values, name);

  if (field == NULL || (value != NULL && *value != '\0') ||
      (field->default_value != NULL && *field->default_value != '\0'))
    return TRUE;
  needs->missing = field->label;
  return FALSE;
}

gboolean
portico_connector_add_choice_values (PorticoConnector *self,
                                     GHashTable       *values,
                                     GError          **error)
{
  JsonArray *fields;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  g_return_val_if_fail (values != NULL, FALSE);

  fields = json_object_has_member (self->def, "fields") ? json_object_get_array_member (self->def, "fields") : NULL;
  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);
      const char *field_id = json_object_get_string_member (field, "id");
      JsonArray *choices = json_object_has_member (field, "choices")
                           ? json_object_get_array_member (field, "choices") : NULL;
      const char *picked = g_hash_table_lookup (values, field_id);
      JsonObject *chosen = NULL;
      JsonObject *set;
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      if (choices == NULL || json_array_get_length (choices) == 0 ||
          !json_object_has_member (json_array_get_object_element (choices, 0), "values"))
        continue;
      if (picked == NULL || *picked == '\0')
        picked = json_object_get_string_member_with_default (field, "default", "");
      if (*picked == '\0')
        picked = json_object_get_string_member (json_array_get_object_element (choices, 0), "id");
      for (guint j = 0; chosen == NULL && j < json_array_get_length (choices); j++)
        if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (choices, j), "id"), picked) == 0)
          chosen = json_array_get_object_element (choices, j);
      if (chosen == NULL)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                       _("“%s” is not one of the choices of %s; pick one of them."), picked,
                       json_object_get_string_member (field, "label"));
          return FALSE;
        }
      set = json_object_get_object_member (chosen, "values");
      json_object_iter_init_ordered (&iter, set);
      while (json_object_iter_next_ordered (&iter, &name, &value))
        {
          ChoiceNeeds needs = { self, values, NULL };
          char *expanded;

          /* A choice whose values use a field needs that field: GitHub
           * Enterprise Server needs its host name, GitHub.com does not. */
          if (!portico_template_foreach_name (json_node_get_string (value), choice_field_is_set, &needs))
            {
              const PorticoConnectorField *choice_field = portico_connector_get_field (self, field_id);
              const char *choice_label = json_object_get_string_member (chosen, "label");

              for (guint k = 0; choice_field != NULL && choice_field->choice_ids != NULL &&
                                choice_field->choice_ids[k] != NULL; k++)
                if (g_str_equal (choice_field->choice_ids[k], picked) && choice_field->choice_labels != NULL)
                  choice_label = choice_field->choice_labels[k];
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                           _("%s: this field is required for “%s”; fill it in."), needs.missing, choice_label);
              return FALSE;
            }
          expanded = portico_template_expand (json_node_get_string (value), values, FALSE, error);

          if (expanded == NULL)
            return FALSE;
          g_hash_table_replace (values, g_strdup (name), expanded);
        }
    }
  return TRUE;
}

GHashTable *
portico_connector_resolve_values (PorticoConnector *self,
                                  GHashTable       *values,
                                  GError          **error)
{
  g_autoptr(GHashTable) copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (values != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
    }
  if (!portico_connector_add_choice_values (self, copy, error))
    return NULL;
  return g_steal_pointer (&copy);
}

void
portico_connector_field_free (PorticoConnectorField *field)
{
  if (field == NULL)
    return;

  g_free (field->id);
  g_free (field->label);
  g_free (field->help);
  g_free (field->pattern);
  g_free (field->default_value);
  g_strfreev (field->choice_ids);
  g_strfreev (field->choice_labels);
  g_strfreev (field->permissions);
  g_free (field);
}

/* ------------------------------------------------------------------------ */
/* The object                                                                */
/* ------------------------------------------------------------------------ */

static void
portico_connector_finalize (GObject *object)
{
  PorticoConnector *self = (PorticoConnector *) object;

  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->empty_items, json_node_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->origin, g_free);

  G_OBJECT_CLASS (portico_connector_parent_class)->finalize (object);
}

static void
portico_connector_class_init (PorticoConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_connector_finalize;
}

static void
portico_connector_init (PorticoConnector *self)
{
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) portico_connector_field_free);
  self->empty_items = portico_expr_string_node ("");
}

static PorticoConnectorField *
api_base_url_field_new (void)
{
  PorticoConnectorField *field = g_new0 (PorticoConnectorField, 1);

  field->id = g_strdup (API_BASE_URL);
  field->label = g_strdup (_("API base URL"));
  field->type = PORTICO_FIELD_URL;
  field->required = FALSE;
  field->help = g_strdup (_("Optional. Another address for the provider's API, such as a sandbox, "
                            "a proxy or a regional server; only its scheme, host and port are used. "
                            "Leave empty to use the provider's own address."));
  return field;
}

/* Appends one RFC 6901 reference token to @pointer. */
static void
pointer_append (GString    *pointer,
                const char *token,
                gssize      length)
{
  g_string_append_c (pointer, '/');
  for (const char *p = token; length < 0 ? *p != '\0' : p < token + length; p++)
    {
      if (*p == '~')
        g_string_append (pointer, "~0");
      else if (*p == '/')
        g_string_append (pointer, "~1");
      else
        g_string_append_c (pointer, *p);
    }
}

/* The JSON Pointer of a validator path ("data_types.users.map",
 * "fields[0].id") in @root. A key may itself hold dots (a header name, a
 * value map's key), so the keys are matched against the document, the
 * longest first; the part past what the document holds (a missing member)
 * is split at its dots. */
static char *
path_to_pointer (JsonNode   *root,
                 const char *path)
{
  g_autoptr(GString) pointer = g_string_new ("");
  JsonNode *node = root;
  const char *rest = path != NULL ? path : "";

  while (*rest != '\0')
    {
      if (*rest == '[')
        {
          char *end = NULL;
          guint64 index = g_ascii_strtoull (rest + 1, &end, 10);

          if (end == rest + 1 || *end != ']')
            break;
          g_string_append_printf (pointer, "/%" G_GUINT64_FORMAT, index);
          node = node != NULL && JSON_NODE_HOLDS_ARRAY (node) &&
                 index < json_array_get_length (json_node_get_array (node))
                 ? json_array_get_element (json_node_get_array (node), (guint) index) : NULL;
          rest = end + 1;
        }
      else
        {
          gsize best = 0;

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObjectIter iter;
              const char *key;
              JsonNode *value;

              json_object_iter_init (&iter, json_node_get_object (node));
              while (json_object_iter_next (&iter, &key, &value))
                {
                  gsize key_length = strlen (key);

                  if (key_length > best && strncmp (rest, key, key_length) == 0 &&
                      (rest[key_length] == '\0' || rest[key_length] == '.' || rest[key_length] == '['))
                    best = key_length;
                }
            }

          if (best > 0)
            {
              g_autofree char *key = g_strndup (rest, best);

              node = json_object_get_member (json_node_get_object (node), key);
            }
          else
            {
              best = strcspn (rest, ".[");
              node = NULL;
            }
          pointer_append (pointer, rest, (gssize) best);
          rest += best;
        }

      if (*rest == '.')
        rest++;
    }

  return g_string_free (g_steal_pointer (&pointer), FALSE);
}

static PorticoConnector *
connector_new (const char *data,
               gssize      length,
               const char *origin,
               const char *file_id,
               gboolean    is_custom,
               char      **pointer,
               char      **reason,
               GPtrArray  *problems,
               GError    **error)
{
  g_autoptr(PorticoConnector) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GPtrArray) field_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) value_names = g_ptr_array_new ();
  g_autofree char *file = g_path_get_basename (origin != NULL ? origin : "connector.json");
  g_autoptr(GPtrArray) sign_in_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = problems != NULL ? g_ptr_array_new_with_free_func (g_free) : NULL;
  Check c = { file, error, field_ids, FALSE, FALSE, FALSE, FALSE, sign_in_names, value_names, NULL, NULL, paths };
  PorticoConnector *connector = NULL;
  JsonNode *root = NULL;

  /* The parser recurses once per level: a file nested deep enough (an
   * imported definition from anywhere) would crash the app at every start.
   * No definition nests anywhere near the cap. */
  if (!portico_json_prescan (data, length < 0 ? strlen (data) : (gsize) length, PORTICO_LIMIT_JSON_DEPTH, NULL))
    {
      portico_check_fail (&c, NULL, _("nested more than %u levels deep, which no connector definition is; fix the file"),
                          (guint) PORTICO_LIMIT_JSON_DEPTH);
      goto out;
    }

  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: REASON": give the
       * admin the place in words and the reason without the parser's name
       * for its input. */
      const char *parse_reason = strstr (parse_error->message, ": Parse error: ");
      guint line = 0, column = 0;

      if (parse_reason != NULL &&
          sscanf (parse_error->message, "<data>:%u:%u:", &line, &column) == 2)
        portico_check_fail (&c, NULL, _("not valid JSON at line %u, character %u (%s); fix the syntax there"),
                            line, column, parse_reason + strlen (": Parse error: "));
      else
        portico_check_fail (&c, NULL, _("not valid JSON (%s); fix the syntax"), parse_error->message);
      goto out;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      portico_check_fail (&c, NULL, _("the file must hold one JSON object; see connectors/README.md"));
      goto out;
    }

  self = g_object_new (PORTICO_TYPE_CONNECTOR, NULL);
  /* Shipped connectors speak the user's language; custom ones the admin's. */
  self->root = is_custom ? json_node_ref (root) : portico_connector_translate_definition (root);
  self->def = json_node_get_object (self->root);
  self->origin = g_strdup (origin);
  self->is_custom = is_custom;

  if (!portico_check_definition (&c, self->def, file_id, self->fields))
    goto out;

  g_ptr_array_add (self->fields, api_base_url_field_new ());
  connector = g_steal_pointer (&self);

out:
  if (connector == NULL)
    {
      if (pointer != NULL)
        *pointer = path_to_pointer (root, c.fail_path);
      if (reason != NULL)
        *reason = g_strdup (c.fail_reason != NULL ? c.fail_reason : "");
      for (guint i = 0; paths != NULL && i + 1 < paths->len; i += 2)
        {
          g_ptr_array_add (problems, path_to_pointer (root, g_ptr_array_index (paths, i)));
          g_ptr_array_add (problems, g_strdup (g_ptr_array_index (paths, i + 1)));
        }
    }
  g_free (c.fail_path);
  g_free (c.fail_reason);
  return connector;
}

/**
 * portico_connector_new_from_file:
 * @file: a connector definition, named after its id (`okta.json`)
 * @is_custom: whether it is one of the admin's custom integrations
 * @error: a %PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION naming the file and field
 *
 * Returns: (transfer full) (nullable): the connector
 */
PorticoConnector *
portico_connector_new_from_file (GFile   *file,
                                 gboolean is_custom,
                                 GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file_id = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  basename = g_file_get_basename (file);
  path = g_file_get_path (file);

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("%s: cannot be read (%s); check that the file exists and is readable"),
                   basename, local_error->message);
      return NULL;
    }

  file_id = g_str_has_suffix (basename, ".json") ?
            g_strndup (basename, strlen (basename) - strlen (".json")) : g_strdup (basename);

  return connector_new (contents, length, path != NULL ? path : basename, file_id, is_custom, NULL, NULL, NULL, error);
}

/**
 * portico_connector_new_from_data:
 * @origin: (nullable): where the text comes from, for messages
 *
 * Like portico_connector_new_from_file() but without the file-name check.
 */
PorticoConnector *
portico_connector_new_from_data (const char *data,
                                 gssize      length,
                                 const char *origin,
                                 gboolean    is_custom,
                                 GError    **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return connector_new (data, length, origin, NULL, is_custom, NULL, NULL, NULL, error);
}

/**
 * portico_connector_list_problems:
 *
 * Returns: (transfer full): pairs of JSON Pointer and reason
 */
GPtrArray *
portico_connector_list_problems (const char *data,
                                 gssize      length,
                                 gboolean    is_custom)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  connector = connector_new (data, length, "connector.json", NULL, is_custom, NULL, NULL, problems, &error);
  if (connector == NULL && problems->len == 0)
    {
      /* Every failure goes through the validator; a new one that does not
       * still gets to the admin. */
      g_ptr_array_add (problems, g_strdup (""));
      g_ptr_array_add (problems, g_strdup (error != NULL ? error->message : ""));
    }
  return g_steal_pointer (&problems);
}

/**
 * portico_connector_new_from_data_located:
 * @pointer: (out) (optional): on failure, the JSON Pointer of the failing member
 * @reason: (out) (optional): on failure, the reason without the file name and field
 *
 * Like portico_connector_new_from_data(), and on failure also says where.
 */
PorticoConnector *
portico_connector_new_from_data_located (const char *data,
                                         gssize      length,
                                         const char *origin,
                                         gboolean    is_custom,
                                         char      **pointer,
                                         char      **reason,
                                         GError    **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return connector_new (data, length, origin, NULL, is_custom, pointer, reason, NULL, error);
}

const char *
portico_connector_get_id (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member (self->def, "id");
}

const char *
portico_connector_get_name (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member (self->def, "name");
}

const char *
portico_connector_get_category (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member (self->def, "category");
}

const char *
portico_connector_get_icon_name (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member_with_default (self->def, "icon", NULL);
}

const char *
portico_connector_get_help_url (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member (self->def, "help_url");
}

const char *
portico_connector_get_docs_url (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member_with_default (self->def, "docs_url", NULL);
}

const char *
portico_connector_get_help (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return json_object_get_string_member (self->def, "help");
}

const char *
portico_connector_get_origin (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return self->origin;
}

gboolean
portico_connector_is_custom (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  return self->is_custom;
}

gboolean
portico_connector_get_multi_account (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  return json_object_get_boolean_member (self->def, "multi_account");
}

gboolean
portico_connector_has_test (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  return json_object_get_boolean_member_with_default (self->def, "test", TRUE);
}

guint
portico_connector_get_usage_period_days (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), 0);
  return (guint) json_object_get_int_member_with_default (self->def, "usage_period_days", 0);
}

GPtrArray *
portico_connector_get_fields (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return self->fields;
}

const PorticoConnectorField *
portico_connector_get_field (PorticoConnector *self,
                             const char       *field_id)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (field_id != NULL, NULL);

  for (guint i = 0; i < self->fields->len; i++)
    {
      PorticoConnectorField *field = g_ptr_array_index (self->fields, i);

      if (g_str_equal (field->id, field_id))
        return field;
    }

  return NULL;
}

GPtrArray *
portico_connector_get_fields_for_permission (PorticoConnector *self,
                                             const char       *permission)
{
  GPtrArray *result;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (permission != NULL, NULL);

  result = g_ptr_array_new ();
  for (guint i = 0; i < self->fields->len; i++)
    {
      PorticoConnectorField *field = g_ptr_array_index (self->fields, i);

      if (field->permissions == NULL ||
          g_strv_contains ((const char * const *) field->permissions, permission))
        g_ptr_array_add (result, field);
    }

  return result;
}

GStrv
portico_connector_get_permissions (PorticoConnector *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *perms;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);

  /* "read" first, whatever the order in the file. */
  perms = json_object_get_array_member (self->def, "permissions");
  g_strv_builder_add (builder, "read");
  for (guint i = 0; i < json_array_get_length (perms); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (perms, i), "id"), "act"))
      g_strv_builder_add (builder, "act");

  return g_strv_builder_end (builder);
}

static JsonObject *
data_types_object (PorticoConnector *self)
{
  return json_object_get_object_member (self->def, "data_types");
}

GStrv
portico_connector_get_data_types (PorticoConnector *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);

  for (guint i = 0; portico_data_type_ids[i] != NULL; i++)
    if (json_object_has_member (data_types_object (self), portico_data_type_ids[i]))
      g_strv_builder_add (builder, portico_data_type_ids[i]);

  return g_strv_builder_end (builder);
}

gboolean
portico_connector_has_data_type (PorticoConnector *self,
                                 const char       *data_type_id)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  g_return_val_if_fail (data_type_id != NULL, FALSE);

  return json_object_has_member (data_types_object (self), data_type_id);
}

JsonObject *
portico_connector_get_data_type_definition (PorticoConnector *self,
                                            const char       *data_type_id)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (data_type_id != NULL, NULL);

  if (!json_object_has_member (data_types_object (self), data_type_id))
    return NULL;
  return json_object_get_object_member (data_types_object (self), data_type_id);
}

gboolean
portico_connector_data_type_is_essential (PorticoConnector *self,
                                          const char       *data_type_id)
{
  JsonObject *dt = portico_connector_get_data_type_definition (self, data_type_id);

  return dt != NULL && json_object_get_boolean_member_with_default (dt, "essential", FALSE);
}

const char *
portico_connector_get_data_type_requirement (PorticoConnector *self,
                                             const char       *data_type_id)
{
  JsonObject *dt = portico_connector_get_data_type_definition (self, data_type_id);

  if (dt == NULL)
    return NULL;
  return json_object_get_string_member_with_default (dt, "requirement", NULL);
}

const char *
portico_connector_get_data_type_source (PorticoConnector *self,
                                        const char       *data_type_id)
{
  JsonObject *dt = portico_connector_get_data_type_definition (self, data_type_id);
  const char *from;

  if (dt == NULL)
    return NULL;
  from = json_object_get_string_member_with_default (dt, "request_from", NULL);
  if (from != NULL)
    return from;
  /* The key as stored in the definition, so the pointer outlives the caller's. */
  for (guint i = 0; portico_data_type_ids[i] != NULL; i++)
    if (g_str_equal (portico_data_type_ids[i], data_type_id))
      return portico_data_type_ids[i];
  return NULL;
}

JsonObject *
portico_connector_get_data_type_request (PorticoConnector *self,
                                         const char       *data_type_id)
{
  const char *source = portico_connector_get_data_type_source (self, data_type_id);
  JsonObject *dt = source != NULL ? portico_connector_get_data_type_definition (self, source) : NULL;

  return dt != NULL ? json_object_get_object_member (dt, "request") : NULL;
}

JsonObject *
portico_connector_get_data_type_pagination (PorticoConnector *self,
                                            const char       *data_type_id)
{
  const char *source = portico_connector_get_data_type_source (self, data_type_id);
  JsonObject *dt = source != NULL ? portico_connector_get_data_type_definition (self, source) : NULL;

  if (dt == NULL || !json_object_has_member (dt, "pagination"))
    return NULL;
  return json_object_get_object_member (dt, "pagination");
}

JsonNode *
portico_connector_get_data_type_items (PorticoConnector *self,
                                       const char       *data_type_id)
{
  const char *source = portico_connector_get_data_type_source (self, data_type_id);
  JsonObject *dt = source != NULL ? portico_connector_get_data_type_definition (self, source) : NULL;

  if (dt == NULL)
    return NULL;
  if (!json_object_has_member (dt, "items"))
    return self->empty_items;
  return json_object_get_member (dt, "items");
}

JsonObject *
portico_connector_get_data_type_map (PorticoConnector *self,
                                     const char       *data_type_id)
{
  JsonObject *dt = portico_connector_get_data_type_definition (self, data_type_id);

  return dt != NULL ? json_object_get_object_member (dt, "map") : NULL;
}

JsonArray *
portico_expr_get_items (JsonNode *items_path,
                        JsonNode *body)
{
  g_autoptr(GArray) segs = NULL;
  JsonNode *found;

  g_return_val_if_fail (items_path != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  segs = portico_expr_path_parse (items_path, NULL);
  if (segs == NULL)
    return NULL;
  found = portico_expr_path_lookup (body, segs);
  if (found == NULL || !JSON_NODE_HOLDS_ARRAY (found))
    return NULL;
  return json_node_get_array (found);
}

static JsonArray *
actions_array (PorticoConnector *self)
{
  if (!json_object_has_member (self->def, "actions"))
    return NULL;
  return json_object_get_array_member (self->def, "actions");
}

static GStrv
action_strings (PorticoConnector *self, const char *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *actions = actions_array (self);

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    g_strv_builder_add (builder, json_object_get_string_member (json_array_get_object_element (actions, i), key));

  return g_strv_builder_end (builder);
}

GStrv
portico_connector_get_action_ids (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return action_strings (self, "id");
}

GStrv
portico_connector_get_action_labels (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return action_strings (self, "label");
}

JsonObject *
portico_connector_get_action (PorticoConnector *self,
                              const char       *action_id)
{
  JsonArray *actions;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (action_id != NULL, NULL);

  actions = actions_array (self);
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *action = json_array_get_object_element (actions, i);

      if (g_str_equal (json_object_get_string_member (action, "id"), action_id))
        return action;
    }

  return NULL;
}

GStrv
portico_connector_get_custom_field_labels (PorticoConnector *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *map;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);

  map = portico_connector_get_data_type_map (self, "custom_fields");
  if (map != NULL && json_object_has_member (map, "fields"))
    {
      JsonObjectIter iter;
      const char *label;
      JsonNode *expr;

      json_object_iter_init_ordered (&iter, json_object_get_object_member (map, "fields"));
      while (json_object_iter_next_ordered (&iter, &label, &expr))
        g_strv_builder_add (builder, label);
    }

  return g_strv_builder_end (builder);
}

JsonObject *
portico_connector_get_definition (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return self->def;
}

static JsonObject *
optional_object (PorticoConnector *self, const char *key)
{
  if (!json_object_has_member (self->def, key))
    return NULL;
  return json_object_get_object_member (self->def, key);
}

gboolean
portico_connector_field_is_secret (const PorticoConnectorField *field)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return field->type == PORTICO_FIELD_SECRET || field->type == PORTICO_FIELD_FILE;
}

const char *
portico_connector_get_auth_scheme (PorticoConnector *self)
{
  JsonObject *auth = portico_connector_get_auth (self);

  return auth != NULL ? json_object_get_string_member_with_default (auth, "scheme", NULL) : NULL;
}

gboolean
portico_connector_signs_in (PorticoConnector *self)
{
  return g_strcmp0 (portico_connector_get_auth_scheme (self), "oauth2_authorization_code") == 0;
}

gboolean
portico_connector_is_sign_in_value (PorticoConnector *self,
                                    const char       *name)
{
  JsonObject *auth;
  JsonNode *after;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  auth = portico_connector_get_auth (self);
  after = auth != NULL ? json_object_get_member (auth, "after_sign_in") : NULL;
  if (after == NULL || !JSON_NODE_HOLDS_OBJECT (after))
    return FALSE;
  after = json_object_get_member (json_node_get_object (after), "values");
  return after != NULL && JSON_NODE_HOLDS_OBJECT (after) &&
         json_object_has_member (json_node_get_object (after), name);
}

static void
add_scopes (GPtrArray *out,
            JsonArray *scopes)
{
  for (guint i = 0; scopes != NULL && i < json_array_get_length (scopes); i++)
    {
      const char *scope = json_array_get_string_element (scopes, i);
      gboolean seen = FALSE;

      for (guint j = 0; scope != NULL && j < out->len; j++)
        seen = seen || g_str_equal (scope, g_ptr_array_index (out, j));
      if (scope != NULL && *scope != '\0' && !seen)
        g_ptr_array_add (out, (gpointer) scope);
    }
}

char *
portico_connector_dup_scope (PorticoConnector *self,
                             const char       *permission)
{
  g_autoptr(GPtrArray) scopes = g_ptr_array_new ();
  JsonObject *auth = portico_connector_get_auth (self);
  JsonArray *permissions;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);

  if (auth != NULL && json_object_has_member (auth, "scopes"))
    add_scopes (scopes, json_object_get_array_member (auth, "scopes"));

  permissions = json_object_has_member (self->def, "permissions")
    ? json_object_get_array_member (self->def, "permissions") : NULL;
  for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
    {
      JsonObject *level = json_array_get_object_element (permissions, i);
      const char *id = json_object_get_string_member_with_default (level, "id", "");

      /* "act" is read and more: it asks for both levels' scopes. */
      if ((g_str_equal (id, "read") || g_strcmp0 (permission, "act") == 0) &&
          json_object_has_member (level, "scopes"))
        add_scopes (scopes, json_object_get_array_member (level, "scopes"));
    }

  g_ptr_array_add (scopes, NULL);
  return g_strjoinv (" ", (char **) scopes->pdata);
}

JsonObject *
portico_connector_get_auth (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return optional_object (self, "auth");
}

JsonObject *
portico_connector_get_identity (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return optional_object (self, "identity");
}

JsonObject *
portico_connector_get_errors (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return optional_object (self, "errors");
}

JsonObject *
portico_connector_get_rate_limit (PorticoConnector *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), NULL);
  return optional_object (self, "rate_limit");
}

/* ------------------------------------------------------------------------ */
/* Field values                                                              */
/* ------------------------------------------------------------------------ */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
invalid_field (GError **error, const PorticoConnectorField *field, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid_field (GError **error, const PorticoConnectorField *field, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One sentence, as every message the CLI prints or the dialog shows. */
  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
               "%s: %s%s", field->label, message, g_str_has_suffix (message, ".") ? "" : ".");
  return FALSE;
}

static gboolean
validate_url (const PorticoConnectorField *field, const char *value, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri == NULL || (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0) ||
      host == NULL || *host == '\0')
    return invalid_field (error, field, _("“%s” is not a web address; enter a full address such as https://example.com"),
                          value);

  if (!g_str_equal (field->id, API_BASE_URL))
    return TRUE;

  if (g_str_equal (scheme, "http") && !host_is_loopback (host))
    {
      g_autofree char *https = g_strconcat ("https", value + strlen ("http"), NULL);

      return invalid_field (error, field,
                            _("http:// is only allowed for a loopback address (localhost, 127.0.0.1, ::1); use %s instead"),
                            https);
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL ||
      (*g_uri_get_path (uri) != '\0' && !g_str_equal (g_uri_get_path (uri), "/")))
    return invalid_field (error, field,
                          _("only the scheme, host and port are used; remove everything after the host and port from “%s”"),
                          value);

  return TRUE;
}

static gboolean
validate_email (const PorticoConnectorField *field, const char *value, GError **error)
{
  const char *at = strchr (value, '@');
  const char *dot;

  for (const char *p = value; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      at = NULL;

  dot = at != NULL ? strrchr (at, '.') : NULL;
  if (at == NULL || at == value || strchr (at + 1, '@') != NULL ||
      dot == NULL || dot == at + 1 || dot[1] == '\0')
    return invalid_field (error, field, _("“%s” is not an email address; enter one such as admin@example.com"), value);

  return TRUE;
}

gboolean
portico_connector_validate_value (PorticoConnector *self,
                                  const char       *field_id,
                                  const char       *value,
                                  GError          **error)
{
  const PorticoConnectorField *field;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (self), FALSE);
  g_return_val_if_fail (field_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  field = portico_connector_get_field (self, field_id);
  if (field == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("%s has no field “%s”; use one of the fields it lists"),
                   portico_connector_get_name (self), field_id);
      return FALSE;
    }

  if (value == NULL || *value == '\0')
    {
      if (field->required)
        return invalid_field (error, field, _("this field is required; fill it in"));
      return TRUE;
    }

  if (field->type == PORTICO_FIELD_CHOICE && field->choice_ids != NULL &&
      !g_strv_contains ((const char * const *) field->choice_ids, value))
    {
      g_autofree char *ids = g_strjoinv (", ", field->choice_ids);

      return invalid_field (error, field, _("“%s” is not one of the choices; use one of %s"), value, ids);
    }

  if (field->type == PORTICO_FIELD_URL && !validate_url (field, value, error))
    return FALSE;

  /* A service-account key file is checked as soon as it is given, so that
   * a wrong file is named before any request is made. */
  if (field->type == PORTICO_FIELD_FILE &&
      g_strcmp0 (portico_connector_get_auth_scheme (self), "oauth2_jwt_bearer") == 0 &&
      g_strcmp0 (json_object_get_string_member_with_default (portico_connector_get_auth (self), "key_field", ""),
                 field->id) == 0)
    {
      g_autoptr(GError) key_error = NULL;
      g_autoptr(PorticoServiceAccountKey) key = portico_service_account_key_parse (value, &key_error);

      if (key == NULL)
        return invalid_field (error, field, "%s", key_error->message);
    }

  if (field->type == PORTICO_FIELD_EMAIL && !validate_email (field, value, error))
    return FALSE;

  if (field->pattern != NULL && !g_regex_match_simple (field->pattern, value, 0, 0))
    {
      /* The value of a secret is never repeated in a message. */
      if (portico_connector_field_is_secret (field))
        return invalid_field (error, field, _("the value does not have the expected format; %s"),
                              field->help != NULL && *field->help != '\0' ? field->help : _("check it for typos"));
      return invalid_field (error, field, _("“%s” does not have the expected format; %s"), value,
                            field->help != NULL && *field->help != '\0' ? field->help : _("check it for typos"));
    }

  return TRUE;
}
