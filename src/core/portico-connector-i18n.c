/* portico-connector-i18n.c: the shipped connectors' texts in the user's
 * language.
 *
 * The connector files stay in English; their texts are extracted into the
 * app's template by po/extract-connector-strings.py and translated with the
 * rest of the app. A shipped definition is copied with those texts looked
 * up, so every reader (the connect dialog, the CLI, the capabilities table)
 * sees them translated without knowing. Custom connectors are the admin's
 * own words and stay as written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-connector-i18n.h"

/* Keep in step with TRANSLATABLE in po/extract-connector-strings.py. */
static const struct
{
  const char *path;
  const char *name;
} translatable[] = {
  { "", "help" },
  { "fields[]", "label" },
  { "fields[]", "help" },
  { "fields[].choices[]", "label" },
  { "permissions[]", "label" },
  { "permissions[]", "help" },
  { "data_types.*", "label" },
  { "data_types.*", "requirement" },
  { "actions[]", "label" },
  { "actions[]", "help" },
  { "actions.*", "label" },
  { "actions.*", "help" },
};

gboolean
portico_connector_member_is_translatable (const char *path,
                                          const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (translatable); i++)
    if (g_str_equal (translatable[i].path, path) && g_str_equal (translatable[i].name, name))
      return TRUE;

  return FALSE;
}

static JsonNode *copy_node (JsonNode *node, const char *path);

static char *
child_path (const char *path,
            const char *step)
{
  if (*path == '\0')
    return g_strdup (step);

  return g_strconcat (path, step[0] == '[' ? "" : ".", step, NULL);
}

static JsonNode *
copy_object (JsonObject *object,
             const char *path)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      g_autofree char *member_path = NULL;

      if (JSON_NODE_HOLDS_VALUE (member) &&
          json_node_get_value_type (member) == G_TYPE_STRING &&
          portico_connector_member_is_translatable (path, name))
        {
          const char *text = json_node_get_string (member);

          json_object_set_string_member (copy, name, *text != '\0' ? _(text) : text);
          continue;
        }

      /* The members of data_types and actions (when an object) are ids. */
      if (g_str_equal (path, "data_types") || g_str_equal (path, "actions"))
        member_path = g_strconcat (path, ".*", NULL);
      else
        member_path = child_path (path, name);
      json_object_set_member (copy, name, copy_node (member, member_path));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, copy);
  return node;
}

static JsonNode *
copy_node (JsonNode   *node,
           const char *path)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return copy_object (json_node_get_object (node), path);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));
      g_autofree char *element_path = g_strconcat (path, "[]", NULL);
      JsonNode *result;

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, copy_node (json_array_get_element (array, i), element_path));

      result = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (result, copy);
      return result;
    }

  return json_node_copy (node);
}

JsonNode *
portico_connector_translate_definition (JsonNode *root)
{
  JsonNode *copy;

  g_return_val_if_fail (root != NULL, NULL);

  /* Without a translation catalog for the user's language (gettext returns
   * its header for "" only when one is loaded) every text would stay as it
   * is: share the parsed tree rather than copy each definition member by
   * member, which was a fifth of loading the catalog. */
  if (json_node_is_immutable (root) && *g_dgettext (GETTEXT_PACKAGE, "") == '\0')
    return json_node_ref (root);

  copy = copy_node (root, "");
  json_node_seal (copy);

  return copy;
}

void
portico_i18n_init (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_po = g_build_filename (BUILD_DIR, "po", NULL);
  const char *localedir = LOCALEDIR;

  /* Run from the build tree (the tests, the README's quick start), the
   * translations are not installed yet: use the ones the build made. */
  if (exe != NULL && g_str_has_prefix (exe, BUILD_DIR G_DIR_SEPARATOR_S) &&
      g_file_test (build_po, G_FILE_TEST_IS_DIR))
    localedir = build_po;

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
