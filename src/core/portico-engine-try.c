/* portico-engine-try.c: the custom-integration editor's checks and Try it.
 *
 * Both reuse what an import and a sync use: the validator for the checks,
 * the runtime (its HTTP path, limits, origin checks and auth) for the
 * request, and the expression evaluator for the mapped rows, so that what
 * the editor shows is what the saved connector will do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-engine-try"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "portico-engine-try.h"
#include "portico-errors.h"
#include "portico-jwt.h"

/* Where Try it stops walking a record: deeper or longer parts are not
 * what an admin maps a column to. */
#define MAX_PATH_DEPTH 8
#define MAX_PATHS 300
#define MAX_GUESS_DEPTH 4

/* The file name the validator's messages would give: a draft has none. */
#define DRAFT_NAME "connector.json"

PorticoDraftProblem *
portico_draft_problem_new (const char *pointer,
                           const char *message)
{
  PorticoDraftProblem *problem = g_new0 (PorticoDraftProblem, 1);

  problem->pointer = g_strdup (pointer != NULL ? pointer : "");
  problem->message = g_strdup (message);
  return problem;
}

void
portico_draft_problem_free (PorticoDraftProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->pointer);
  g_free (problem->message);
  g_free (problem);
}

/* The validator's reasons are parts of a sentence that follows a field name
 * ("missing; add a name"); at the field itself they start a sentence. */
static char *
sentence_from_reason (const char *reason)
{
  g_autoptr(GString) sentence = NULL;
  gunichar first;
  char buffer[8];
  gint length;

  if (reason == NULL || *reason == '\0')
    return g_strdup (_("This definition cannot be saved; check it against connectors/README.md."));

  first = g_utf8_get_char (reason);
  length = g_unichar_to_utf8 (g_unichar_toupper (first), buffer);
  sentence = g_string_new_len (buffer, length);
  g_string_append (sentence, g_utf8_next_char (reason));
  if (!g_str_has_suffix (sentence->str, ".") && !g_str_has_suffix (sentence->str, "?"))
    g_string_append_c (sentence, '.');
  return g_string_free (g_steal_pointer (&sentence), FALSE);
}

/* The sentence for a draft that takes the id of a shipped connector. */
static char *
shipped_id_message (PorticoEngine *self,
                    const char    *id)
{
  PorticoConnector *existing = portico_catalog_lookup (portico_engine_get_catalog (self), id);

  if (existing == NULL || portico_connector_is_custom (existing))
    return NULL;
  return g_strdup_printf (_("“%s” is the id of the shipped connector %s, which a custom connector cannot replace; give this connector another id, for example “%s-custom”."),
                          id, portico_connector_get_name (existing), id);
}

/* Parses and validates @data as Try it does: the first problem is the error. */
static PorticoConnector *
check_draft (PorticoEngine *self,
             const char    *data,
             gssize         length,
             GError       **error)
{
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;

  connector = portico_connector_new_from_data_located (data, length, DRAFT_NAME, TRUE,
                                                       NULL, &reason, &local_error);
  if (connector == NULL)
    {
      /* Away from the field the sentence keeps the validator's field name;
       * a draft has no file name to give. */
      if (local_error != NULL && g_str_has_prefix (local_error->message, DRAFT_NAME ": "))
        g_set_error_literal (error, local_error->domain, local_error->code,
                             local_error->message + strlen (DRAFT_NAME ": "));
      else
        {
          g_autofree char *sentence = sentence_from_reason (reason);

          g_set_error_literal (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               sentence);
        }
      return NULL;
    }

  message = shipped_id_message (self, portico_connector_get_id (connector));
  if (message != NULL)
    {
      g_set_error_literal (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                           message);
      return NULL;
    }

  return g_steal_pointer (&connector);
}

GPtrArray *
portico_engine_check_draft (PorticoEngine *self,
                            const char    *data,
                            gssize         length)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) found = NULL;
  gboolean whole_file = FALSE;
  gboolean at_id = FALSE;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) portico_draft_problem_free);
  found = portico_connector_list_problems (data, length, TRUE);
  for (guint i = 0; i + 1 < found->len; i += 2)
    {
      const char *pointer = g_ptr_array_index (found, i);
      g_autofree char *message = sentence_from_reason (g_ptr_array_index (found, i + 1));

      whole_file |= *pointer == '\0';
      at_id |= g_str_equal (pointer, "/id");
      g_ptr_array_add (problems, portico_draft_problem_new (pointer, message));
    }

  /* The id of a shipped connector, even when other parts have problems
   * too; the text was parsed already unless it is not a JSON object. */
  if (!whole_file && !at_id)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonNode *root;
      JsonNode *id;

      if (json_parser_load_from_data (parser, data, length, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          (id = json_object_get_member (json_node_get_object (root), "id")) != NULL &&
          JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
        {
          g_autofree char *message = shipped_id_message (self, json_node_get_string (id));

          if (message != NULL)
            g_ptr_array_insert (problems, 0, portico_draft_problem_new ("/id", message));
        }
    }

  return g_steal_pointer (&problems);
}

/* ---- Try it ------------------------------------------------------------- */

typedef struct
{
  PorticoConnector *connector;
  GHashTable *values; /* owned keys, scrubbed values */
  char *data_type_id;

  guint status;
  JsonNode *raw_json;   /* nullable: the first page's body */
  JsonArray *items;     /* nullable: the first page's items */
} TryData;

static void
try_data_free (TryData *data)
{
  g_clear_object (&data->connector);
  g_clear_pointer (&data->values, g_hash_table_unref);
  g_free (data->data_type_id);
  g_clear_pointer (&data->raw_json, json_node_unref);
  g_clear_pointer (&data->items, json_array_unref);
  g_free (data);
}

static void
try_raw_page (const char *data_type_id,
              guint       status,
              GBytes     *body,
              JsonNode   *json,
              gpointer    user_data)
{
  TryData *data = user_data;

  data->status = status;
  g_clear_pointer (&data->raw_json, json_node_unref);
  if (json != NULL)
    data->raw_json = json_node_copy (json);
}

static gboolean
try_page (const char *data_type_id,
          guint       page_index,
          GBytes     *body,
          JsonArray  *items,
          gpointer    user_data,
          GError    **error)
{
  TryData *data = user_data;

  /* A page func's items are borrowed: copied, because a CSV page or a
   * keyed page builds them for the call only. */
  g_clear_pointer (&data->items, json_array_unref);
  data->items = json_array_new ();
  for (guint i = 0; i < json_array_get_length (items); i++)
    json_array_add_element (data->items, json_node_copy (json_array_get_element (items, i)));
  return TRUE;
}

/* A key the dotted form can hold as it is. */
static gboolean
key_is_dottable (const char *key)
{
  gboolean all_digits = TRUE;

  if (*key == '\0' || *key == '@')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    {
      if (strchr (".[]={}", *p) != NULL || g_ascii_isspace (*p))
        return FALSE;
      if (!g_ascii_isdigit (*p))
        all_digits = FALSE;
    }
  return !all_digits;
}

/* One step of a path being built: a key, an index, or a match on the array
 * reached by the previous key. */
typedef struct
{
  const char *key;        /* nullable */
  gint64 index;           /* -1 unless an index */
  const char *match_key;  /* nullable */
  const char *match_value;
} Step;

static JsonNode *
steps_to_expression (GArray *steps)
{
  g_autoptr(GString) dotted = g_string_new ("");
  g_autoptr(JsonArray) segments = json_array_new ();
  gboolean dottable = TRUE;

  for (guint i = 0; i < steps->len; i++)
    {
      const Step *step = &g_array_index (steps, Step, i);

      if (step->key != NULL)
        {
          if (!key_is_dottable (step->key))
            dottable = FALSE;
          if (dotted->len > 0)
            g_string_append_c (dotted, '.');
          g_string_append (dotted, step->key);
          json_array_add_string_element (segments, step->key);
        }
      else if (step->match_key != NULL)
        {
          g_autoptr(JsonObject) where = json_object_new ();
          g_autoptr(JsonObject) element = json_object_new ();

          /* The dotted form matches on the array of the key before it. */
          if (dotted->len == 0 || dotted->str[dotted->len - 1] == ']')
            dottable = FALSE;
          g_string_append_printf (dotted, "[%s=%s]", step->match_key, step->match_value);
          json_object_set_string_member (where, step->match_key, step->match_value);
          json_object_set_object_member (element, "where", g_steal_pointer (&where));
          json_array_add_object_element (segments, g_steal_pointer (&element));
        }
      else
        {
          if (dotted->len > 0)
            g_string_append_c (dotted, '.');
          g_string_append_printf (dotted, "%" G_GINT64_FORMAT, step->index);
          json_array_add_int_element (segments, step->index);
        }
    }

  if (dottable && dotted->len > 0)
    return json_node_init_string (json_node_alloc (), dotted->str);
  return json_node_init_array (json_node_alloc (), segments);
}

typedef struct
{
  GHashTable *seen;  /* path text → its entry in paths (JsonObject, borrowed) */
  JsonArray *paths;
  JsonNode *record;  /* the record being walked */
} PathWalk;

static void
add_leaf (PathWalk *walk,
          GArray   *steps,
          JsonNode *leaf)
{
  g_autoptr(JsonNode) expression = steps_to_expression (steps);
  g_autoptr(JsonNode) read_back = NULL;
  g_autofree char *key = json_to_string (expression, FALSE);
  JsonObject *entry;

  entry = g_hash_table_lookup (walk->seen, key);
  if (entry != NULL)
    {
      /* A later record may fill in what the first one left null. */
      if (JSON_NODE_HOLDS_NULL (json_object_get_member (entry, "sample")) && !JSON_NODE_HOLDS_NULL (leaf))
        json_object_set_member (entry, "sample", json_node_copy (leaf));
      return;
    }
  if (json_array_get_length (walk->paths) >= MAX_PATHS)
    return;

  /* Only a path that reads this very value back is offered. */
  read_back = portico_expr_eval (expression, walk->record, NULL);
  if (JSON_NODE_HOLDS_NULL (leaf) ? read_back != NULL
                                  : read_back == NULL || !json_node_equal (read_back, leaf))
    return;

  entry = json_object_new ();
  json_object_set_member (entry, "path", json_node_ref (expression));
  json_object_set_member (entry, "sample", json_node_copy (leaf));
  json_array_add_object_element (walk->paths, entry);
  g_hash_table_insert (walk->seen, g_steal_pointer (&key), entry);
}

/* The element of @array whose "primary" member is true, or -1. */
static gint
primary_element (JsonArray *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonNode *primary;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      primary = json_object_get_member (json_node_get_object (element), "primary");
      if (primary != NULL && JSON_NODE_HOLDS_VALUE (primary) &&
          json_node_get_value_type (primary) == G_TYPE_BOOLEAN && json_node_get_boolean (primary))
        return (gint) i;
    }
  return -1;
}

static void
walk_node (PathWalk *walk,
           GArray   *steps,
           JsonNode *node)
{
  if (steps->len > MAX_PATH_DEPTH)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &key, &member))
        {
          Step step = { key, -1, NULL, NULL };

          /* Under [primary=true], "primary" itself says nothing. */
          if (steps->len > 0 && g_strcmp0 (g_array_index (steps, Step, steps->len - 1).match_key, key) == 0)
            continue;

          g_array_append_val (steps, step);
          walk_node (walk, steps, member);
          g_array_set_size (steps, steps->len - 1);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      gint primary = primary_element (array);

      if (primary >= 0 && steps->len > 0 &&
          g_array_index (steps, Step, steps->len - 1).key != NULL)
        {
          /* SCIM's emails, phoneNumbers, addresses: read by what they
           * are, not where they happen to be. */
          Step step = { NULL, -1, "primary", "true" };

          g_array_append_val (steps, step);
          walk_node (walk, steps, json_array_get_element (array, (guint) primary));
          g_array_set_size (steps, steps->len - 1);
        }
      if (json_array_get_length (array) > 0)
        {
          Step step = { NULL, 0, NULL, NULL };

          g_array_append_val (steps, step);
          walk_node (walk, steps, json_array_get_element (array, 0));
          g_array_set_size (steps, steps->len - 1);
        }
    }
  else if (steps->len > 0)
    add_leaf (walk, steps, node);
}

static JsonArray *
collect_paths (JsonArray *records)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (Step));
  JsonArray *paths = json_array_new ();
  PathWalk walk = { seen, paths, NULL };

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      walk.record = json_array_get_element (records, i);
      walk_node (&walk, steps, walk.record);
    }
  return paths;
}

/* The column a map target fills: the store's name for it. */
static const char *
column_for_target (const char *target)
{
  return g_str_equal (target, "id") ? "external_id" : target;
}

static JsonArray *
map_records (PorticoConnector *connector,
             const char       *data_type_id,
             GHashTable       *values,
             JsonArray        *records)
{
  JsonObject *map = portico_connector_get_data_type_map (connector, data_type_id);
  JsonArray *rows = json_array_new ();

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonNode *record = json_array_get_element (records, i);
      JsonObject *row = json_object_new ();

      if (map != NULL)
        {
          JsonObjectIter iter;
          const char *target;
          JsonNode *expression;

          json_object_iter_init_ordered (&iter, map);
          while (json_object_iter_next_ordered (&iter, &target, &expression))
            {
              JsonNode *value = portico_expr_eval (expression, record, values);

              json_object_set_member (row, column_for_target (target),
                                      value != NULL ? value : json_node_new (JSON_NODE_NULL));
            }
        }
      json_array_add_object_element (rows, row);
    }
  return rows;
}

/* Where the items of @body probably are: the body itself when it is an
 * array, else the longest array of objects within a few levels, as a
 * dotted path. NULL when there is none. */
static void
guess_in (JsonNode   *node,
          const char *prefix,
          guint       depth,
          char      **best_path,
          guint      *best_length)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  if (depth > MAX_GUESS_DEPTH || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      g_autofree char *path = NULL;

      if (!key_is_dottable (key))
        continue;
      path = *prefix != '\0' ? g_strconcat (prefix, ".", key, NULL) : g_strdup (key);
      if (JSON_NODE_HOLDS_ARRAY (member))
        {
          JsonArray *array = json_node_get_array (member);
          guint length = json_array_get_length (array);

          if (length > 0 && JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0)) &&
              (*best_path == NULL || length > *best_length))
            {
              g_free (*best_path);
              *best_path = g_steal_pointer (&path);
              *best_length = length;
            }
        }
      else
        guess_in (member, path, depth + 1, best_path, best_length);
    }
}

static char *
guess_items_path (JsonNode *body)
{
  g_autofree char *best = NULL;
  guint best_length = 0;

  if (body == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (body))
    return g_strdup ("");
  guess_in (body, "", 0, &best, &best_length);
  return g_steal_pointer (&best);
}

static gboolean
draft_gives_items (PorticoConnector *connector,
                   const char       *data_type_id)
{
  JsonNode *items = portico_connector_get_data_type_items (connector, data_type_id);

  return items != NULL &&
         !(JSON_NODE_HOLDS_VALUE (items) && json_node_get_value_type (items) == G_TYPE_STRING &&
           *json_node_get_string (items) == '\0');
}

static JsonNode *
build_result (TryData   *data,
              JsonArray *items,
              JsonNode  *items_path)
{
  g_autoptr(JsonArray) records = json_array_new ();
  g_autoptr(JsonObject) result = json_object_new ();
  guint total = json_array_get_length (items);

  for (guint i = 0; i < total && i < PORTICO_TRY_MAX_RECORDS; i++)
    json_array_add_element (records, json_node_copy (json_array_get_element (items, i)));

  json_object_set_array_member (result, "rows",
                                map_records (data->connector, data->data_type_id, data->values, records));
  json_object_set_array_member (result, "paths", collect_paths (records));
  json_object_set_member (result, "items_path", json_node_ref (items_path));
  json_object_set_int_member (result, "status", data->status);
  json_object_set_int_member (result, "total", total);
  json_object_set_array_member (result, "records", g_steal_pointer (&records));
  return json_node_init_object (json_node_alloc (), result);
}

static void
try_fetch_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TryData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) items_path = NULL;
  gboolean given = draft_gives_items (data->connector, data->data_type_id);

  if (portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (object), result, &error) < 0)
    {
      g_autofree char *guess = NULL;
      JsonArray *found;

      /* Without an items path the body must be the array; when it is an
       * object, the editor wants the guess rather than the refusal. */
      if (given || !g_error_matches (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE) ||
          data->raw_json == NULL || (guess = guess_items_path (data->raw_json)) == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      items_path = json_node_init_string (json_node_alloc (), guess);
      found = portico_expr_get_items (items_path, data->raw_json);
      if (found == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("Try of %s: the items are probably at “%s”", data->data_type_id, guess);
      g_task_return_pointer (task, build_result (data, found, items_path), (GDestroyNotify) json_node_unref);
      return;
    }

  if (given)
    items_path = json_node_copy (portico_connector_get_data_type_items (data->connector, data->data_type_id));
  else
    {
      g_autofree char *guess = guess_items_path (data->raw_json);

      items_path = json_node_init_string (json_node_alloc (), guess != NULL ? guess : "");
    }

  if (data->items == NULL)
    data->items = json_array_new ();
  g_task_return_pointer (task, build_result (data, data->items, items_path), (GDestroyNotify) json_node_unref);
}

/* The values of the fields asked for reading: required ones present, each
 * one as its pattern wants. */
static gboolean
check_values (PorticoConnector *connector,
              GHashTable       *values,
              GError          **error)
{
  g_autoptr(GPtrArray) fields = portico_connector_get_fields_for_permission (connector, "read");

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *value = g_hash_table_lookup (values, field->id);

      if (value == NULL || *value == '\0')
        {
          if (!field->required || (field->default_value != NULL && *field->default_value != '\0'))
            continue;
          if (!portico_connector_validate_value (connector, field->id, "", error))
            return FALSE;
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                       _("Enter the %s."), field->label);
          return FALSE;
        }
      if (!portico_connector_validate_value (connector, field->id, value, error))
        return FALSE;
    }
  return TRUE;
}

void
portico_engine_try_connector_async (PorticoEngine      *self,
                                    const char         *data,
                                    gssize              length,
                                    GHashTable         *field_values,
                                    const char         *data_type_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  TryData *try_data;

  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_try_connector_async);

  try_data = g_new0 (TryData, 1);
  try_data->data_type_id = g_strdup (data_type_id != NULL ? data_type_id : "users");
  try_data->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) portico_secret_free);
  g_task_set_task_data (task, try_data, (GDestroyNotify) try_data_free);

  try_data->connector = check_draft (self, data, length, &error);
  if (try_data->connector == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!portico_connector_has_data_type (try_data->connector, try_data->data_type_id))
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("This connector does not read %s; add it under “data_types” first."),
                               portico_data_type_label (try_data->data_type_id));
      return;
    }

  if (field_values != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, field_values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (try_data->values, g_strdup (key), g_strdup (value));
    }
  g_hash_table_replace (try_data->values, g_strdup (PORTICO_VALUE_PERMISSION), g_strdup ("read"));

  if (!check_values (try_data->connector, try_data->values, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  portico_runtime_fetch_first_page_async (portico_engine_get_runtime (self), try_data->connector,
                                          try_data->values, try_data->data_type_id,
                                          try_raw_page, try_page, try_data, NULL,
                                          cancellable, try_fetch_cb, g_object_ref (task));
}

JsonNode *
portico_engine_try_connector_finish (PorticoEngine *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_try_connector_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
