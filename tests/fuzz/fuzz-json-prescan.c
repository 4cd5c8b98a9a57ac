/* fuzz-json-prescan.c: the nesting pre-scan that guards json-glib
 * (portico_json_prescan), against json-glib itself.
 *
 * Input: one byte giving the depth limit (1..64), then a document. When the
 * pre-scan lets a document through and json-glib parses it, the tree must be
 * no deeper than the limit: otherwise a provider could still make the
 * parser recurse without bound (SPEC 12). The limit is small so that the
 * fuzzer reaches it with short inputs; the scan does not depend on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "portico-json.h"
#include "portico-limits.h"
#include "fuzz-common.h"

static guint
node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      /* Not MAX (deepest, node_depth (...)): the macro would evaluate the
       * recursion twice per level, 2^depth calls. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          guint depth = node_depth (json_array_get_element (array, i));

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        {
          guint depth = node_depth (member);

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *text;
  guint max_depth;
  guint depth;
  JsonNode *root;

  portico_fuzz_init ();
  if (size < 1)
    return 0;
  max_depth = 1 + data[0] % 64;
  text = (const char *) data + 1;
  size--;

  /* The runtime's own limit on the whole input, as it runs it. */
  if (!portico_json_prescan (text, size, PORTICO_LIMIT_JSON_DEPTH, &error))
    {
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
      return 0;
    }

  if (!portico_json_prescan (text, size, max_depth, &error))
    {
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
      return 0;
    }

  parser = json_parser_new_immutable ();
  if (size == 0 || !json_parser_load_from_data (parser, text, (gssize) size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return 0;

  depth = node_depth (root);
  if (depth > max_depth)
    g_error ("the pre-scan let through a document %u deep with a limit of %u: %.*s",
             depth, max_depth, (int) MIN (size, 200), text);
  return 0;
}
