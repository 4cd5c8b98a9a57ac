/* portico-connector-validate.c: checking a connector definition against
 * connectors/README.md: the shared checks, requests, templates, expressions
 * and data types.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "portico-connector-private.h"
#include "portico-jwt.h"
#include "portico-connector-i18n.h"
#include "portico-errors.h"
#include "portico-json.h"
#include "portico-limits.h"

const char * const portico_connector_field_types[] = {
  "text", "secret", "url", "email", "choice", "file", NULL,
};

const char * const portico_connector_error_codes[] = {
  "not_authorized", "forbidden", "plan", "not_found", "rate_limited",
  "server", "bad_response", NULL,
};

static const char * const user_statuses[] = {
  "active", "invited", "suspended", "deprovisioned", NULL,
};

/* Who an identity provider assigned to an app: only people ("user") are
 * counted; groups are not expanded into their members. */
static const char * const principal_types[] = {
  "user", "group", "other", NULL,
};

static const char * const pagination_styles[] = {
  "none", "link_header", "cursor", "next_url", "page", "offset", "scim", NULL,
};

const char * const portico_connector_auth_schemes[] = {
  "header", "basic", "body", "oauth2_client_credentials",
  "oauth2_authorization_code", "oauth2_jwt_bearer", NULL,
};

const char * const portico_connector_reset_formats[] = {
  "epoch", "epoch_ms", "seconds", "http_date", "iso8601", NULL,
};

/* Map targets per data type; the first group of each list is required (see
 * the README), which map_required() below encodes. */
static const char * const users_targets[] = {
  "id", "email", "name", "status", "role", "last_activity", "license", NULL,
};
static const char * const licenses_targets[] = {
  "sku", "name", "total", "assigned", NULL,
};
static const char * const usage_targets[] = {
  "user_id", "email", "last_activity", NULL,
};
static const char * const custom_fields_targets[] = {
  "user_id", "email", "fields", NULL,
};
static const char * const transactions_targets[] = {
  "id", "amount", "currency", "vendor", "date", "user_email", "description", NULL,
};
static const char * const groups_targets[] = {
  "id", "name", "members", NULL,
};
static const char * const discovered_apps_targets[] = {
  "name", "id", "users", "spend", NULL,
};
static const char * const app_assignments_targets[] = {
  "app_id", "user_id", "email", "principal_type", NULL,
};
/* ------------------------------------------------------------------------ */
/* Validation                                                                */
/* ------------------------------------------------------------------------ */



gboolean
portico_check_fail (Check *c, const char *path, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* The editor shows the reason at the field the path names. */
  if (c->fail_path == NULL)
    {
      c->fail_path = g_strdup (path != NULL ? path : "");
      c->fail_reason = g_strdup (message);
    }
  if (c->problems != NULL)
    {
      g_ptr_array_add (c->problems, g_strdup (path != NULL ? path : ""));
      g_ptr_array_add (c->problems, g_strdup (message));
    }

  /* A check that collects every problem goes on after the first one,
   * which stays the error. */
  if (c->error != NULL && *c->error != NULL)
    return FALSE;

  if (path != NULL && *path != '\0')
    g_set_error (c->error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                 "%s: %s: %s", c->file, path, message);
  else
    g_set_error (c->error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                 "%s: %s", c->file, message);
  return FALSE;
}

gboolean
portico_check_go_on (Check *c, gboolean ok, gboolean *all_ok)
{
  if (ok)
    return TRUE;
  *all_ok = FALSE;
  return c->problems != NULL;
}

char *
portico_check_sub (const char *path, const char *key)
{
  if (path == NULL || *path == '\0')
    return g_strdup (key);
  return g_strconcat (path, ".", key, NULL);
}

char *
portico_check_idx (const char *path, guint i)
{
  return g_strdup_printf ("%s[%u]", path, i);
}

char *
portico_check_join_names (const char * const *names)
{
  return g_strjoinv (", ", (char **) names);
}

gboolean
portico_check_in_list (const char * const *list, const char *value)
{
  return value != NULL && g_strv_contains (list, value);
}

static const char *
node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");
  if (JSON_NODE_HOLDS_NULL (node))
    return _("null");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING: return _("a string");
    case G_TYPE_INT64: return _("an integer");
    case G_TYPE_DOUBLE: return _("a number");
    case G_TYPE_BOOLEAN: return _("a boolean");
    default: return _("a value");
    }
}

gboolean
portico_check_holds (JsonNode *node, GType type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Refuses keys not in @allowed. */
gboolean
portico_check_keys (Check *c, JsonObject *obj, const char *path, const char * const *allowed)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, obj);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      g_autofree char *names = NULL;
      g_autofree char *key_path = NULL;

      /* Comments ("_comment", "$schema") are only welcome at the top, where
       * no runtime code iterates over the keys. */
      if (((key[0] == '_' || key[0] == '$') && *path == '\0') || portico_check_in_list (allowed, key))
        continue;
      names = portico_check_join_names (allowed);
      key_path = portico_check_sub (path, key);
      return portico_check_fail (c, key_path, _("unknown key; use one of %s"), names);
    }

  return TRUE;
}

gboolean
portico_check_missing (Check *c, const char *path, const char *what)
{
  return portico_check_fail (c, path, _("missing; add %s"), what);
}

gboolean
portico_check_wrong_type (Check *c, const char *path, JsonNode *node, const char *expected)
{
  return portico_check_fail (c, path, _("is %s; it must be %s"), node_kind (node), expected);
}

/* Gets an optional/required string member; @out may be NULL. */
gboolean
portico_check_get_string (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, gboolean nonempty, const char **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("a string")) : TRUE;
  if (!portico_check_holds (node, G_TYPE_STRING))
    return portico_check_wrong_type (c, key_path, node, _("a string"));
  if (nonempty && *json_node_get_string (node) == '\0')
    return portico_check_fail (c, key_path, _("is empty; fill it in"));
  if (out != NULL)
    *out = json_node_get_string (node);
  return TRUE;
}

gboolean
portico_check_get_bool (Check *c, JsonObject *obj, const char *path, const char *key, gboolean required)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("true or false")) : TRUE;
  if (!portico_check_holds (node, G_TYPE_BOOLEAN))
    return portico_check_wrong_type (c, key_path, node, _("true or false"));
  return TRUE;
}

gboolean
portico_check_get_int (Check *c, JsonObject *obj, const char *path, const char *key,
                       gboolean required, gint64 min, gint64 max)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("an integer")) : TRUE;
  if (!portico_check_holds (node, G_TYPE_INT64))
    return portico_check_wrong_type (c, key_path, node, _("an integer"));
  if (json_node_get_int (node) < min || json_node_get_int (node) > max)
    return portico_check_fail (c, key_path, _("%" PRId64 " is out of range; use a value from %"
                                              PRId64 " to %" PRId64),
                 json_node_get_int (node), min, max);
  return TRUE;
}

gboolean
portico_check_get_object (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, JsonObject **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  *out = NULL;
  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("an object")) : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return portico_check_wrong_type (c, key_path, node, _("an object"));
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
portico_check_get_array (Check *c, JsonObject *obj, const char *path, const char *key,
                         gboolean required, JsonArray **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  *out = NULL;
  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("an array")) : TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return portico_check_wrong_type (c, key_path, node, _("an array"));
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
portico_check_get_choice (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, const char * const *choices, const char *what,
                          const char **out)
{
  const char *value;
  g_autofree char *key_path = portico_check_sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (!portico_check_get_string (c, obj, path, key, required, FALSE, &value))
    return FALSE;
  if (value != NULL && !portico_check_in_list (choices, value))
    {
      g_autofree char *names = portico_check_join_names (choices);

      return portico_check_fail (c, key_path, _("unknown %s “%s”; use one of %s"), what, value, names);
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

gboolean
portico_check_https_url (Check *c, const char *path, const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return portico_check_fail (c, path, _("“%s” is not an https:// address; use the full https:// address of the page"), value);
  return TRUE;
}

typedef struct
{
  Check *c;
  const char *path;
  gboolean allow_user;
} TemplateCheck;

static gboolean
template_name_ok (const char *name, gpointer user_data)
{
  TemplateCheck *tc = user_data;
  g_autoptr(GString) known = NULL;

  if (g_str_equal (name, API_BASE_URL))
    return TRUE;
  for (guint i = 0; i < tc->c->field_ids->len; i++)
    if (g_str_equal (name, g_ptr_array_index (tc->c->field_ids, i)))
      return TRUE;
  for (guint i = 0; tc->c->sign_in_names != NULL && i < tc->c->sign_in_names->len; i++)
    if (g_str_equal (name, g_ptr_array_index (tc->c->sign_in_names, i)))
      return TRUE;
  if (tc->allow_user && (g_str_equal (name, "user_id") || g_str_equal (name, "user_email")))
    return TRUE;
  if (tc->c->allow_response && g_str_equal (name, "response"))
    return TRUE;
  if (tc->c->allow_item && g_str_equal (name, "item"))
    return TRUE;
  for (guint i = 0; tc->c->value_names != NULL && i < tc->c->value_names->len; i++)
    if (g_str_equal (name, g_ptr_array_index (tc->c->value_names, i)))
      return TRUE;

  known = g_string_new (NULL);
  for (guint i = 0; i < tc->c->field_ids->len; i++)
    g_string_append_printf (known, "%s, ", (const char *) g_ptr_array_index (tc->c->field_ids, i));
  for (guint i = 0; tc->c->sign_in_names != NULL && i < tc->c->sign_in_names->len; i++)
    g_string_append_printf (known, "%s, ", (const char *) g_ptr_array_index (tc->c->sign_in_names, i));
  for (guint i = 0; tc->c->value_names != NULL && i < tc->c->value_names->len; i++)
    g_string_append_printf (known, "%s, ", (const char *) g_ptr_array_index (tc->c->value_names, i));
  g_string_append (known, API_BASE_URL);
  if (tc->allow_user)
    g_string_append (known, ", user_id, user_email");
  if (tc->c->allow_response)
    g_string_append (known, ", response");
  if (tc->c->allow_item)
    g_string_append (known, ", item");

  portico_check_fail (tc->c, tc->path, _("unknown template name “{%s}”; declare a field “%s” or use one of %s"),
                      name, name, known->str);
  return FALSE;
}

static gboolean
check_template (Check *c, const char *path, const char *str, gboolean allow_user)
{
  TemplateCheck tc = { c, path, allow_user };

  return portico_template_foreach_name (str, template_name_ok, &tc);
}

gboolean
portico_check_template_member (Check *c, JsonObject *obj, const char *path, const char *key,
                               gboolean required, gboolean allow_user, const char **out)
{
  const char *value;
  g_autofree char *key_path = portico_check_sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (!portico_check_get_string (c, obj, path, key, required, FALSE, &value))
    return FALSE;
  if (value != NULL && !check_template (c, key_path, value, allow_user))
    return FALSE;
  if (out != NULL)
    *out = value;
  return TRUE;
}

/* An object of string templates (headers, query, form parameters). */
gboolean
portico_check_template_object (Check *c, JsonObject *obj, const char *path, const char *key,
                               gboolean allow_user)
{
  JsonObject *map;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  g_autofree char *key_path = portico_check_sub (path, key);

  if (!portico_check_get_object (c, obj, path, key, FALSE, &map))
    return FALSE;
  if (map == NULL)
    return TRUE;

  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &member, &value))
    {
      g_autofree char *member_path = portico_check_sub (key_path, member);

      if (!portico_check_holds (value, G_TYPE_STRING))
        return portico_check_wrong_type (c, member_path, value, _("a string"));
      if (!check_template (c, member_path, json_node_get_string (value), allow_user))
        return FALSE;
    }

  return TRUE;
}

/* Every string in a JSON body is a template. */
gboolean
portico_check_body_templates (Check *c, const char *path, JsonNode *node, gboolean allow_user)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &member, &value))
        {
          g_autofree char *member_path = portico_check_sub (path, member);

          if (!portico_check_body_templates (c, member_path, value, allow_user))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *el_path = portico_check_idx (path, i);

          if (!portico_check_body_templates (c, el_path, json_array_get_element (array, i), allow_user))
            return FALSE;
        }
    }
  else if (portico_check_holds (node, G_TYPE_STRING))
    return check_template (c, path, json_node_get_string (node), allow_user);

  return TRUE;
}

gboolean
portico_check_path_node (Check *c, const char *path, JsonNode *node)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) segs = portico_expr_path_parse (node, &local_error);

  if (segs == NULL)
    return portico_check_fail (c, path, "%s", local_error->message);
  return TRUE;
}

/* A path without matches ("key[member=value]"), where a match cannot be
 * compiled (the values of "all"). */
static gboolean
check_plain_path_node (Check *c, const char *path, JsonNode *node)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) segs = portico_expr_path_parse (node, &local_error);

  if (segs == NULL)
    return portico_check_fail (c, path, "%s", local_error->message);
  for (guint i = 0; i < segs->len; i++)
    if (g_array_index (segs, PathSeg, i).match_key != NULL)
      return portico_check_fail (c, path, _("a match (key[member=value]) cannot be used here; use a plain path"));
  return TRUE;
}

static gboolean
check_scalar (Check *c, const char *path, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node) || JSON_NODE_HOLDS_VALUE (node))
    return TRUE;
  return portico_check_wrong_type (c, path, node, _("a string, a number, true, false or null"));
}


static gboolean check_expr (Check *c, const char *path, JsonNode *node, guint flags);

static gboolean
check_expr_list (Check *c, JsonObject *obj, const char *path, const char *key, guint flags)
{
  JsonArray *list;
  g_autofree char *key_path = portico_check_sub (path, key);

  if (!portico_check_get_array (c, obj, path, key, TRUE, &list))
    return FALSE;
  if (json_array_get_length (list) == 0)
    return portico_check_fail (c, key_path, _("is empty; list at least one value"));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autofree char *el_path = portico_check_idx (key_path, i);

      if (!check_expr (c, el_path, json_array_get_element (list, i), flags))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_expr (Check *c, const char *path, JsonNode *node, guint flags)
{
  static const char * const path_keys[] = { "path", "map", "default", "scale", NULL };
  static const char * const join_keys[] = { "join", "sep", NULL };
  static const char * const first_keys[] = { "first", NULL };
  static const char * const literal_keys[] = { "literal", NULL };
  static const char * const count_keys[] = { "count", NULL };
  static const char * const all_keys[] = { "all", "each", "sep", NULL };
  static const char * const template_keys[] = { "template", NULL };
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return portico_check_path_node (c, path, node);

  obj = json_node_get_object (node);

  if (json_object_has_member (obj, "path"))
    {
      g_autofree char *path_path = portico_check_sub (path, "path");
      JsonObject *map;
      JsonNode *def = json_object_get_member (obj, "default");
      JsonNode *scale = json_object_get_member (obj, "scale");

      if (!portico_check_keys (c, obj, path, path_keys) ||
          !portico_check_path_node (c, path_path, json_object_get_member (obj, "path")) ||
          !portico_check_get_object (c, obj, path, "map", FALSE, &map))
        return FALSE;

      if (map != NULL)
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;
          g_autofree char *map_path = portico_check_sub (path, "map");

          if (scale != NULL)
            return portico_check_fail (c, path, _("has both “map” and “scale”; keep one of them"));
          json_object_iter_init_ordered (&iter, map);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            {
              g_autofree char *value_path = portico_check_sub (map_path, key);

              if (!check_scalar (c, value_path, value))
                return FALSE;
            }
        }

      if (def != NULL)
        {
          g_autofree char *def_path = portico_check_sub (path, "default");

          if (!check_scalar (c, def_path, def))
            return FALSE;
        }

      if (scale != NULL && !portico_check_holds (scale, G_TYPE_INT64) && !portico_check_holds (scale, G_TYPE_DOUBLE))
        {
          g_autofree char *scale_path = portico_check_sub (path, "scale");

          return portico_check_wrong_type (c, scale_path, scale, _("a number"));
        }

      return TRUE;
    }

  if (json_object_has_member (obj, "join"))
    return portico_check_keys (c, obj, path, join_keys) &&
           portico_check_get_string (c, obj, path, "sep", FALSE, FALSE, NULL) &&
           check_expr_list (c, obj, path, "join", flags);

  if (json_object_has_member (obj, "first"))
    return portico_check_keys (c, obj, path, first_keys) &&
           check_expr_list (c, obj, path, "first", flags);

  if (json_object_has_member (obj, "literal"))
    {
      g_autofree char *literal_path = portico_check_sub (path, "literal");

      return portico_check_keys (c, obj, path, literal_keys) &&
             check_scalar (c, literal_path, json_object_get_member (obj, "literal"));
    }

  if (json_object_has_member (obj, "count"))
    {
      g_autofree char *count_path = portico_check_sub (path, "count");

      return portico_check_keys (c, obj, path, count_keys) &&
             portico_check_path_node (c, count_path, json_object_get_member (obj, "count"));
    }

  if (json_object_has_member (obj, "all"))
    {
      g_autofree char *all_path = portico_check_sub (path, "all");
      g_autofree char *each_path = portico_check_sub (path, "each");

      if (!portico_check_keys (c, obj, path, all_keys) ||
          !check_plain_path_node (c, all_path, json_object_get_member (obj, "all")) ||
          !portico_check_get_string (c, obj, path, "sep", FALSE, FALSE, NULL))
        return FALSE;
      if (json_object_has_member (obj, "each") &&
          !check_plain_path_node (c, each_path, json_object_get_member (obj, "each")))
        return FALSE;
      return TRUE;
    }

  if (json_object_has_member (obj, "template"))
    {
      if (!(flags & EXPR_TEMPLATE))
        return portico_check_fail (c, path, _("a template reads field values and is only allowed in identity; read the item with a path"));
      return portico_check_keys (c, obj, path, template_keys) &&
             portico_check_template_member (c, obj, path, "template", TRUE, FALSE, NULL);
    }

  return portico_check_fail (c, path, _("unknown expression; use a path or an object with path, join, first, literal, count, all or template"));
}

gboolean
portico_check_expr_member (Check *c, JsonObject *obj, const char *path, const char *key,
                           gboolean required, guint flags)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = portico_check_sub (path, key);

  if (node == NULL)
    return required ? portico_check_missing (c, key_path, _("an expression such as \"id\"")) : TRUE;
  return check_expr (c, key_path, node, flags);
}

gboolean
portico_check_request (Check *c, JsonObject *parent, const char *path, const char *key,
                       gboolean required, gboolean allow_user)
{
  static const char * const keys[] = {
    "method", "path", "query", "body", "body_encoding", "form_field", "form_params", "headers", NULL,
  };
  /* Only a data type's own request may have a second step, and only one. */
  static const char * const data_keys[] = {
    "method", "path", "query", "body", "body_encoding", "form_field", "form_params", "headers", "then", NULL,
  };
  gboolean allow_then = !allow_user && !c->allow_response && g_str_equal (key, "request") &&
                        g_str_has_prefix (path, "data_types.");
  static const char * const methods[] = { "GET", "POST", NULL };
  /* Actions change things, and providers use every verb for that. */
  static const char * const action_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
  static const char * const encodings[] = { "json", "form", NULL };
  JsonObject *req;
  const char *req_path;
  const char *encoding;
  g_autofree char *path_here = portico_check_sub (path, key);
  g_autofree char *path_path = portico_check_sub (path_here, "path");

  if (!portico_check_get_object (c, parent, path, key, required, &req))
    return FALSE;
  if (req == NULL)
    return TRUE;

  if (!portico_check_keys (c, req, path_here, allow_then ? data_keys : keys) ||
      !portico_check_get_choice (c, req, path_here, "method", TRUE, allow_user ? action_methods : methods,
                                 _("method"), NULL) ||
      !portico_check_template_member (c, req, path_here, "path", TRUE, allow_user, &req_path))
    return FALSE;
  if (req_path[0] != '/')
    return portico_check_fail (c, path_path, _("“%s” does not start with “/”; give the path after the base URL"), req_path);

  if (!portico_check_template_object (c, req, path_here, "query", allow_user) ||
      !portico_check_template_object (c, req, path_here, "headers", allow_user) ||
      !portico_check_get_choice (c, req, path_here, "body_encoding", FALSE, encodings, _("body encoding"), &encoding) ||
      !portico_check_get_string (c, req, path_here, "form_field", FALSE, TRUE, NULL))
    return FALSE;

  if (json_object_has_member (req, "form_field") && g_strcmp0 (encoding, "form") != 0)
    {
      g_autofree char *ff_path = portico_check_sub (path_here, "form_field");

      return portico_check_fail (c, ff_path, _("only applies to form bodies; set “body_encoding” to “form”"));
    }

  if (json_object_has_member (req, "form_params"))
    {
      g_autofree char *fp_path = portico_check_sub (path_here, "form_params");

      if (!json_object_has_member (req, "form_field"))
        return portico_check_fail (c, fp_path, _("sends form fields beside “form_field”; set “form_field” too"));
      if (!portico_check_template_object (c, req, path_here, "form_params", allow_user))
        return FALSE;
    }

  if (json_object_has_member (req, "body"))
    {
      g_autofree char *body_path = portico_check_sub (path_here, "body");
      JsonNode *body = json_object_get_member (req, "body");

      if (g_strcmp0 (encoding, "form") == 0 && !JSON_NODE_HOLDS_OBJECT (body))
        return portico_check_wrong_type (c, body_path, body, _("an object for a form body"));
      if (!portico_check_body_templates (c, body_path, body, allow_user))
        return FALSE;
    }

  if (json_object_has_member (req, "then"))
    {
      gboolean ok;

      /* The second request may read the first answer as {response}. */
      c->allow_response = TRUE;
      ok = portico_check_request (c, req, path_here, "then", TRUE, FALSE);
      c->allow_response = FALSE;
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* A pagination parameter placed in the JSON body: a dotted name is a path
 * of keys ("variables.after"), so none of them may be empty, and the
 * request must have a body (POST). */
static gboolean
check_body_param (Check *c, JsonObject *dt, JsonObject *pag, const char *pag_path, const char *key)
{
  JsonObject *req = NULL;
  const char *name = NULL;
  const char *method = NULL;
  g_autofree char *key_path = portico_check_sub (pag_path, key);

  if (json_object_has_member (pag, key) && portico_check_holds (json_object_get_member (pag, key), G_TYPE_STRING))
    name = json_node_get_string (json_object_get_member (pag, key));
  if (name != NULL)
    {
      g_auto(GStrv) keys = g_strsplit (name, ".", -1);

      for (guint i = 0; keys[i] != NULL; i++)
        if (*keys[i] == '\0')
          return portico_check_fail (c, key_path, _("“%s” has an empty key; in the body a dotted name is a path of keys, "
                                                    "so remove the extra dot"), name);
    }

  if (json_object_has_member (dt, "request") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (dt, "request")))
    req = json_object_get_object_member (dt, "request");
  /* With a second step, that one is paginated. */
  if (req != NULL && json_object_has_member (req, "then") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (req, "then")))
    req = json_object_get_object_member (req, "then");
  if (req != NULL && json_object_has_member (req, "method") &&
      portico_check_holds (json_object_get_member (req, "method"), G_TYPE_STRING))
    method = json_node_get_string (json_object_get_member (req, "method"));
  if (g_strcmp0 (method, "POST") != 0)
    {
      g_autofree char *in_path = portico_check_sub (pag_path, "in");

      return portico_check_fail (c, in_path, _("“body” needs a request with a body; set the request method to “POST” "
                                               "or use “query”"));
    }
  return TRUE;
}

static gboolean
check_pagination (Check *c, JsonObject *dt, const char *path)
{
  static const char * const none_keys[] = { "style", "max_pages", NULL };
  static const char * const cursor_keys[] = {
    "style", "cursor_path", "param", "in", "has_more_path", "continue_path", "max_pages", NULL,
  };
  static const char * const next_url_keys[] = { "style", "next_path", "done_path", "max_pages", NULL };
  static const char * const page_keys[] = {
    "style", "param", "in", "start", "size_param", "size", "total_pages_path", "max_pages", NULL,
  };
  static const char * const offset_keys[] = {
    "style", "param", "in", "size_param", "size", "total_path", "start", "max_pages", NULL,
  };
  static const char * const scim_keys[] = { "style", "size", "max_pages", NULL };
  static const char * const in_choices[] = { "query", "body", NULL };
  JsonObject *pag;
  const char *style;
  const char *in = NULL;
  g_autofree char *pag_path = portico_check_sub (path, "pagination");

  if (!portico_check_get_object (c, dt, path, "pagination", FALSE, &pag))
    return FALSE;
  if (pag == NULL)
    return TRUE;

  if (!portico_check_get_choice (c, pag, pag_path, "style", TRUE, pagination_styles, _("style"), &style) ||
      !portico_check_get_int (c, pag, pag_path, "max_pages", FALSE, 1, G_MAXINT32))
    return FALSE;

  if (g_str_equal (style, "none") || g_str_equal (style, "link_header"))
    return portico_check_keys (c, pag, pag_path, none_keys);

  if (g_str_equal (style, "cursor"))
    {
      const char *continue_path;
      g_autofree char *cp_path = portico_check_sub (pag_path, "continue_path");

      if (!portico_check_keys (c, pag, pag_path, cursor_keys) ||
          !portico_check_expr_member (c, pag, pag_path, "cursor_path", TRUE, 0) ||
          !portico_check_get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !portico_check_get_choice (c, pag, pag_path, "in", TRUE, in_choices, _("place"), &in) ||
          !portico_check_expr_member (c, pag, pag_path, "has_more_path", FALSE, 0) ||
          !portico_check_template_member (c, pag, pag_path, "continue_path", FALSE, FALSE, &continue_path))
        return FALSE;
      if (continue_path != NULL && continue_path[0] != '/')
        return portico_check_fail (c, cp_path, _("“%s” does not start with “/”; give the path after the base URL"),
                                   continue_path);
      if (g_strcmp0 (in, "body") == 0 && !check_body_param (c, dt, pag, pag_path, "param"))
        return FALSE;
      return TRUE;
    }

  if (g_str_equal (style, "next_url"))
    return portico_check_keys (c, pag, pag_path, next_url_keys) &&
           portico_check_expr_member (c, pag, pag_path, "next_path", TRUE, 0) &&
           portico_check_expr_member (c, pag, pag_path, "done_path", FALSE, 0);

  if (g_str_equal (style, "page"))
    {
      if (!portico_check_keys (c, pag, pag_path, page_keys) ||
          !portico_check_get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !portico_check_get_choice (c, pag, pag_path, "in", FALSE, in_choices, _("place"), &in) ||
          !portico_check_get_int (c, pag, pag_path, "start", FALSE, 0, G_MAXINT32) ||
          !portico_check_get_string (c, pag, pag_path, "size_param", FALSE, TRUE, NULL) ||
          !portico_check_get_int (c, pag, pag_path, "size", FALSE, 1, G_MAXINT32) ||
          !portico_check_expr_member (c, pag, pag_path, "total_pages_path", FALSE, 0))
        return FALSE;
    }
  else if (g_str_equal (style, "offset"))
    {
      if (!portico_check_keys (c, pag, pag_path, offset_keys) ||
          !portico_check_get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !portico_check_get_choice (c, pag, pag_path, "in", FALSE, in_choices, _("place"), &in) ||
          !portico_check_get_string (c, pag, pag_path, "size_param", TRUE, TRUE, NULL) ||
          !portico_check_get_int (c, pag, pag_path, "size", TRUE, 1, G_MAXINT32) ||
          !portico_check_get_int (c, pag, pag_path, "start", FALSE, 0, G_MAXINT32) ||
          !portico_check_expr_member (c, pag, pag_path, "total_path", FALSE, 0))
        return FALSE;
    }
  else
    /* scim */
    return portico_check_keys (c, pag, pag_path, scim_keys) &&
           portico_check_get_int (c, pag, pag_path, "size", FALSE, 1, G_MAXINT32);

  if (g_strcmp0 (in, "body") == 0)
    return check_body_param (c, dt, pag, pag_path, "param") &&
           check_body_param (c, dt, pag, pag_path, "size_param");
  return TRUE;
}

/* Items paths may name field values ("policyInfo.{policy_id}.employees"). */
static gboolean
check_items_templates (Check *c, const char *path, JsonNode *items)
{
  if (portico_check_holds (items, G_TYPE_STRING))
    return check_template (c, path, json_node_get_string (items), FALSE);

  if (JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          g_autofree char *el_path = portico_check_idx (path, i);

          if (portico_check_holds (el, G_TYPE_STRING) && !check_template (c, el_path, json_node_get_string (el), FALSE))
            return FALSE;
        }
    }
  return TRUE;
}

static const char * const *
targets_for (const char *data_type)
{
  if (g_str_equal (data_type, "users"))
    return users_targets;
  if (g_str_equal (data_type, "licenses"))
    return licenses_targets;
  if (g_str_equal (data_type, "usage"))
    return usage_targets;
  if (g_str_equal (data_type, "custom_fields"))
    return custom_fields_targets;
  if (g_str_equal (data_type, "transactions"))
    return transactions_targets;
  if (g_str_equal (data_type, "groups"))
    return groups_targets;
  if (g_str_equal (data_type, "app_assignments"))
    return app_assignments_targets;
  return discovered_apps_targets;
}

/* Where a value map (or its default) under @target_path gives a value
 * outside @allowed: that value's path (free it), or NULL when all are in. */
static char *
mapped_value_outside (const char         *target_path,
                      JsonNode           *value,
                      const char * const *allowed)
{
  JsonObject *expr;
  JsonObject *values;
  JsonObjectIter values_iter;
  const char *from;
  JsonNode *to;

  if (!JSON_NODE_HOLDS_OBJECT (value))
    return NULL;
  expr = json_node_get_object (value);
  values = json_object_has_member (expr, "map") ? json_object_get_object_member (expr, "map") : NULL;
  if (values != NULL)
    {
      json_object_iter_init_ordered (&values_iter, values);
      while (json_object_iter_next_ordered (&values_iter, &from, &to))
        if (!portico_check_holds (to, G_TYPE_STRING) || !portico_check_in_list (allowed, json_node_get_string (to)))
          return g_strconcat (target_path, ".map.", from, NULL);
    }
  if (json_object_has_member (expr, "default"))
    {
      JsonNode *def = json_object_get_member (expr, "default");

      if (!portico_check_holds (def, G_TYPE_STRING) || !portico_check_in_list (allowed, json_node_get_string (def)))
        return portico_check_sub (target_path, "default");
    }
  return NULL;
}

static gboolean
check_map (Check *c, JsonObject *dt, const char *path, const char *data_type)
{
  const char * const *targets = targets_for (data_type);
  JsonObject *map;
  JsonObjectIter iter;
  const char *target;
  JsonNode *value;
  g_autofree char *map_path = portico_check_sub (path, "map");

  if (!portico_check_get_object (c, dt, path, "map", TRUE, &map) ||
      !portico_check_keys (c, map, map_path, targets))
    return FALSE;

  if (g_str_equal (data_type, "usage"))
    {
      if (!json_object_has_member (map, "user_id") && !json_object_has_member (map, "email"))
        return portico_check_fail (c, map_path, _("needs “user_id” or “email” to know whose usage it is; add one"));
    }
  else
    {
      /* The first target of every other data type is its required one. */
      g_autofree char *required_path = portico_check_sub (map_path, targets[0]);

      if (!json_object_has_member (map, targets[0]))
        return portico_check_missing (c, required_path, _("an expression such as \"id\""));
    }

  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &target, &value))
    {
      g_autofree char *target_path = portico_check_sub (map_path, target);

      if (g_str_equal (data_type, "custom_fields") && g_str_equal (target, "fields"))
        {
          JsonObjectIter fields_iter;
          const char *label;
          JsonNode *expr;

          if (!JSON_NODE_HOLDS_OBJECT (value))
            return portico_check_wrong_type (c, target_path, value, _("an object of label → expression"));
          if (json_object_get_size (json_node_get_object (value)) == 0)
            return portico_check_fail (c, target_path, _("is empty; list at least one custom field"));

          json_object_iter_init_ordered (&fields_iter, json_node_get_object (value));
          while (json_object_iter_next_ordered (&fields_iter, &label, &expr))
            {
              g_autofree char *label_path = portico_check_sub (target_path, label);

              if (!check_expr (c, label_path, expr, 0))
                return FALSE;
            }
          continue;
        }

      if (!check_expr (c, target_path, value, 0))
        return FALSE;

      /* A mapped user status can only take the four known values, a
       * principal type its three. */
      if (g_str_equal (data_type, "users") && g_str_equal (target, "status"))
        {
          g_autofree char *bad = mapped_value_outside (target_path, value, user_statuses);
          g_autofree char *statuses = portico_check_join_names (user_statuses);

          if (bad != NULL)
            return portico_check_fail (c, bad, _("a user status must be one of %s"), statuses);
        }
      if (g_str_equal (data_type, "app_assignments") && g_str_equal (target, "principal_type"))
        {
          g_autofree char *bad = mapped_value_outside (target_path, value, principal_types);
          g_autofree char *types = portico_check_join_names (principal_types);

          if (bad != NULL)
            return portico_check_fail (c, bad, _("a principal type must be one of %s"), types);
        }
    }

  return TRUE;
}

/* Format v2 "for_each": the data type's request is sent once per value,
 * fixed ("values") or read from the items of a list request. */
static gboolean
check_for_each (Check *c, JsonObject *dt, const char *path)
{
  static const char * const keys[] = {
    "values", "request", "pagination", "items", "value", "concurrency", NULL,
  };
  g_autofree char *fe_path = portico_check_sub (path, "for_each");
  JsonObject *fe;
  JsonArray *values;

  if (!portico_check_get_object (c, dt, path, "for_each", TRUE, &fe) ||
      !portico_check_keys (c, fe, fe_path, keys) ||
      !portico_check_get_array (c, fe, fe_path, "values", FALSE, &values) ||
      !portico_check_get_int (c, fe, fe_path, "concurrency", FALSE, 1, 8))
    return FALSE;

  if ((values != NULL) == json_object_has_member (fe, "request"))
    return portico_check_fail (c, fe_path, _("needs either “values” or a “request” listing the items; give one of them"));

  if (values != NULL)
    {
      if (json_array_get_length (values) == 0)
        return portico_check_fail (c, fe_path, _("has no “values”; list at least one"));
      for (guint i = 0; i < json_array_get_length (values); i++)
        if (!portico_check_holds (json_array_get_element (values, i), G_TYPE_STRING))
          {
            g_autofree char *v_path = portico_check_idx (fe_path, i);

            return portico_check_wrong_type (c, v_path, json_array_get_element (values, i), _("a string"));
          }
      if (json_object_has_member (fe, "value") || json_object_has_member (fe, "pagination") ||
          json_object_has_member (fe, "items"))
        return portico_check_fail (c, fe_path, _("has fixed “values”; “value”, “pagination” and “items” belong to a “request”"));
      return TRUE;
    }

  {
    g_autofree char *items_path = portico_check_sub (fe_path, "items");

    if (!portico_check_request (c, fe, fe_path, "request", TRUE, FALSE) ||
        !check_pagination (c, fe, fe_path) ||
        !portico_check_expr_member (c, fe, fe_path, "value", TRUE, 0))
      return FALSE;
    if (json_object_has_member (fe, "items") &&
        (!portico_check_path_node (c, items_path, json_object_get_member (fe, "items")) ||
         !check_items_templates (c, items_path, json_object_get_member (fe, "items"))))
      return FALSE;
  }
  return TRUE;
}

/* Format v2: how the items of a data type's answers are read.
 * "items_keyed_by": the node at "items" is an object whose values are the
 * records; each gets its key in that member. "response_format": "csv"
 * answers are RFC 4180 text whose rows are the items, so there is no
 * "items" path and no pagination. */
static gboolean
check_items_shape (Check *c, JsonObject *dt, const char *path, const char * const *response_formats)
{
  const char *keyed_by = NULL;
  const char *format = NULL;
  g_autofree char *keyed_path = portico_check_sub (path, "items_keyed_by");
  g_autofree char *format_path = portico_check_sub (path, "response_format");

  if (!portico_check_get_string (c, dt, path, "items_keyed_by", FALSE, TRUE, &keyed_by) ||
      !portico_check_get_choice (c, dt, path, "response_format", FALSE, response_formats, _("response format"), &format))
    return FALSE;
  if (keyed_by != NULL)
    {
      gboolean ok = g_ascii_isalpha (keyed_by[0]) || keyed_by[0] == '_';

      for (const char *q = keyed_by; ok && *q != '\0'; q++)
        ok = g_ascii_isalnum (*q) || *q == '_';
      if (!ok)
        return portico_check_fail (c, keyed_path, _("“%s” is not a member name; use letters, digits and “_”"), keyed_by);
    }
  if (g_strcmp0 (format, "csv") == 0)
    {
      JsonNode *items = json_object_get_member (dt, "items");
      JsonObject *pagination = json_object_has_member (dt, "pagination") &&
                               JSON_NODE_HOLDS_OBJECT (json_object_get_member (dt, "pagination"))
                               ? json_object_get_object_member (dt, "pagination") : NULL;

      if (keyed_by != NULL)
        return portico_check_fail (c, keyed_path, _("does not apply to CSV answers, whose rows are the items; remove it"));
      if (items != NULL && !(portico_check_holds (items, G_TYPE_STRING) && *json_node_get_string (items) == '\0'))
        return portico_check_fail (c, format_path, _("CSV answers are the list of items themselves; set “items” to \"\" or remove it"));
      if (pagination != NULL && g_strcmp0 (json_object_get_string_member_with_default (pagination, "style", ""), "none") != 0)
        return portico_check_fail (c, format_path, _("CSV answers are read in one piece; set the pagination style to “none” or remove it"));
      if (json_object_has_member (dt, "for_each"))
        return portico_check_fail (c, format_path, _("a request per item cannot read CSV answers; remove “for_each” or this key"));
    }
  return TRUE;
}

/* Format v2: "empty_statuses", the HTTP statuses with which the provider
 * says there are no items (BambooHR's empty directory is a 404). 401 and
 * 429 keep their meaning (sign-in, rate limit). A data type that reuses
 * another's request reads that one's. */
static gboolean
check_empty_statuses (Check *c, JsonObject *dt, const char *path, gboolean request_from)
{
  g_autofree char *member_path = portico_check_sub (path, "empty_statuses");
  JsonArray *statuses = NULL;

  if (!portico_check_get_array (c, dt, path, "empty_statuses", FALSE, &statuses))
    return FALSE;
  if (statuses == NULL)
    return TRUE;
  if (request_from)
    return portico_check_fail (c, member_path, _("applies to the data type whose request is reused; remove it here"));
  for (guint i = 0; i < json_array_get_length (statuses); i++)
    {
      JsonNode *status = json_array_get_element (statuses, i);
      g_autofree char *status_path = portico_check_idx (member_path, i);
      gint64 value = portico_check_holds (status, G_TYPE_INT64) ? json_node_get_int (status) : 0;

      if (value < 400 || value > 499 || value == 401 || value == 429)
        return portico_check_fail (c, status_path, _("must be an HTTP client error status from 400 to 499 other than 401 and 429"));
    }
  return TRUE;
}

/* One data type; the others do not depend on it. */
static gboolean
check_data_type (Check *c, JsonObject *dts, const char *id, JsonNode *node)
{
  static const char * const dt_keys[] = {
    "label", "essential", "requirement", "request", "request_from", "pagination",
    "items", "map", "for_each", "items_keyed_by", "response_format", "empty_statuses", NULL,
  };
  static const char * const response_formats[] = { "json", "csv", NULL };
  g_autofree char *path = portico_check_sub ("data_types", id);
  g_autofree char *ids = portico_check_join_names (portico_data_type_ids);
  JsonObject *dt;
  const char *from;

  if (!portico_check_in_list (portico_data_type_ids, id))
    return portico_check_fail (c, path, _("unknown data type “%s”; use one of %s"), id, ids);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return portico_check_wrong_type (c, path, node, _("an object"));
  dt = json_node_get_object (node);

  if (!portico_check_keys (c, dt, path, dt_keys) ||
      !portico_check_get_string (c, dt, path, "label", FALSE, TRUE, NULL) ||
      !portico_check_get_bool (c, dt, path, "essential", FALSE) ||
      !portico_check_get_string (c, dt, path, "requirement", FALSE, TRUE, NULL) ||
      !portico_check_get_string (c, dt, path, "request_from", FALSE, TRUE, &from) ||
      !check_items_shape (c, dt, path, response_formats) ||
      !check_empty_statuses (c, dt, path, from != NULL))
    return FALSE;

  if (from != NULL)
    {
      g_autofree char *from_path = portico_check_sub (path, "request_from");
      JsonObject *other;

      if (json_object_has_member (dt, "request") || json_object_has_member (dt, "pagination") ||
          json_object_has_member (dt, "items") || json_object_has_member (dt, "items_keyed_by") ||
          json_object_has_member (dt, "response_format") || json_object_has_member (dt, "for_each"))
        return portico_check_fail (c, from_path, _("replaces “request”, “pagination”, “items”, “items_keyed_by”, “response_format” and “for_each”; remove those or this key"));
      if (g_str_equal (from, id))
        return portico_check_fail (c, from_path, _("names this data type itself; name the data type whose request to reuse"));
      other = json_object_has_member (dts, from) && JSON_NODE_HOLDS_OBJECT (json_object_get_member (dts, from)) ?
              json_object_get_object_member (dts, from) : NULL;
      if (other == NULL)
        return portico_check_fail (c, from_path, _("names “%s”, which this connector does not define; name one of its data types"), from);
      if (!json_object_has_member (other, "request"))
        return portico_check_fail (c, from_path, _("names “%s”, which has no request of its own; name a data type with a request"), from);
    }
  else
    {
      g_autofree char *items_path = portico_check_sub (path, "items");
      gboolean ok;

      if (json_object_has_member (dt, "for_each") && !check_for_each (c, dt, path))
        return FALSE;
      c->allow_item = json_object_has_member (dt, "for_each");
      ok = portico_check_request (c, dt, path, "request", TRUE, FALSE) &&
           check_pagination (c, dt, path) &&
           (!json_object_has_member (dt, "items") ||
            (portico_check_path_node (c, items_path, json_object_get_member (dt, "items")) &&
             check_items_templates (c, items_path, json_object_get_member (dt, "items"))));
      c->allow_item = FALSE;
      if (!ok)
        return FALSE;
    }

  return check_map (c, dt, path, id);
}

gboolean
portico_check_data_types (Check *c, JsonObject *def)
{
  JsonObject *dts;
  JsonObjectIter iter;
  const char *id;
  JsonNode *node;
  gboolean all_ok = TRUE;

  if (!portico_check_get_object (c, def, "", "data_types", TRUE, &dts))
    return FALSE;
  if (!json_object_has_member (dts, "users"))
    return portico_check_missing (c, "data_types.users", _("the users data type, which every connector needs"));

  json_object_iter_init_ordered (&iter, dts);
  while (json_object_iter_next_ordered (&iter, &id, &node))
    if (!portico_check_go_on (c, check_data_type (c, dts, id, node), &all_ok))
      return FALSE;

  return all_ok;
}
