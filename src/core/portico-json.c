/* portico-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-json"

#include "config.h"

#include "portico-errors.h"
#include "portico-json.h"

static JsonNode *
value_member (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL || name == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return node;
}

const char *
portico_json_get_string (JsonObject *object,
                         const char *name)
{
  JsonNode *node = value_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
portico_json_get_int (JsonObject *object,
                      const char *name,
                      gint64      fallback)
{
  JsonNode *node = value_member (object, name);
  GType type;

  if (node == NULL)
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_BOOLEAN)
    return json_node_get_int (node);
  return fallback;
}

double
portico_json_get_double (JsonObject *object,
                         const char *name,
                         double      fallback)
{
  JsonNode *node = value_member (object, name);
  GType type;

  if (node == NULL)
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_BOOLEAN)
    return json_node_get_double (node);
  return fallback;
}

gboolean
portico_json_get_bool (JsonObject *object,
                       const char *name,
                       gboolean    fallback)
{
  JsonNode *node = value_member (object, name);
  GType type;

  if (node == NULL)
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
    return json_node_get_int (node) != 0;
  return fallback;
}

gboolean
portico_json_prescan (const char *data,
                      gsize       len,
                      guint       max_depth,
                      GError    **error)
{
  guint depth = 0;
  gsize i = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (i < len)
    {
      switch (data[i++])
        {
        case '"':
          /* Skip the string: an escaped byte never ends it. An unterminated
           * string ends the scan; the parser reports it. */
          while (i < len && data[i] != '"')
            i += data[i] == '\\' ? 2 : 1;
          i++;
          break;

        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                           "JSON nested more than %u levels deep", max_depth);
              return FALSE;
            }
          break;

        case ']':
        case '}':
          /* An unbalanced close is a syntax error for the parser. */
          if (depth > 0)
            depth--;
          break;

        default:
          break;
        }
    }

  return TRUE;
}
