/* portico-connector-validate-sections.c: checking the other top-level
 * sections of a connector definition (auth, identity, errors, rate limit,
 * actions, permissions, fields) and the definition as a whole.
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

/* An optional array of strings (OAuth scopes). */
static gboolean
check_string_list (Check *c, JsonObject *obj, const char *path, const char *key)
{
  JsonArray *list;
  g_autofree char *key_path = portico_check_sub (path, key);

  if (!portico_check_get_array (c, obj, path, key, FALSE, &list))
    return FALSE;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    if (!portico_check_holds (json_array_get_element (list, i), G_TYPE_STRING))
      {
        g_autofree char *item_path = portico_check_idx (key_path, i);

        return portico_check_wrong_type (c, item_path, json_array_get_element (list, i), _("a string"));
      }
  return TRUE;
}

/* The value names of auth.after_sign_in, read before any template is
 * checked (base_url may use them); their own rules are checked with the
 * auth. */
static gboolean
collect_sign_in_names (Check *c, JsonObject *def)
{
  JsonNode *auth = json_object_get_member (def, "auth");
  JsonNode *after = auth != NULL && JSON_NODE_HOLDS_OBJECT (auth)
                    ? json_object_get_member (json_node_get_object (auth), "after_sign_in") : NULL;
  JsonNode *values = after != NULL && JSON_NODE_HOLDS_OBJECT (after)
                     ? json_object_get_member (json_node_get_object (after), "values") : NULL;
  g_autoptr(GList) names = NULL;

  if (values == NULL || !JSON_NODE_HOLDS_OBJECT (values))
    return TRUE;
  names = json_object_get_members (json_node_get_object (values));
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *path = g_strdup_printf ("auth.after_sign_in.values.%s", name);

      if (!g_regex_match_simple ("^[a-z][a-z0-9_]*$", name, 0, 0))
        return portico_check_fail (c, path, _("is not a value name; use lower-case letters, digits and “_”"));
      if (g_str_equal (name, API_BASE_URL))
        return portico_check_fail (c, path, _("is a name Portico uses itself; choose another name"));
      for (guint i = 0; i < c->field_ids->len; i++)
        if (g_str_equal (name, g_ptr_array_index (c->field_ids, i)))
          return portico_check_fail (c, path, _("is also a field; a value told at sign-in replaces a field, so remove the field “%s”"),
                       name);
      g_ptr_array_add (c->sign_in_names, g_strdup (name));
    }
  return TRUE;
}

/* auth.after_sign_in: {"request": {"method", "url"}, "values": {name: expression}}. */
static gboolean
check_after_sign_in (Check *c, JsonObject *auth)
{
  static const char * const keys[] = { "request", "values", NULL };
  static const char * const request_keys[] = { "method", "url", NULL };
  static const char * const methods[] = { "GET", "POST", NULL };
  JsonObject *after, *values, *request;
  g_autoptr(GList) names = NULL;

  if (!portico_check_get_object (c, auth, "auth", "after_sign_in", FALSE, &after))
    return FALSE;
  if (after == NULL)
    return TRUE;
  if (!portico_check_keys (c, after, "auth.after_sign_in", keys) ||
      !portico_check_get_object (c, after, "auth.after_sign_in", "request", FALSE, &request) ||
      !portico_check_get_object (c, after, "auth.after_sign_in", "values", TRUE, &values))
    return FALSE;
  if (request != NULL &&
      !(portico_check_keys (c, request, "auth.after_sign_in.request", request_keys) &&
        portico_check_get_choice (c, request, "auth.after_sign_in.request", "method", FALSE, methods, _("method"), NULL) &&
        portico_check_template_member (c, request, "auth.after_sign_in.request", "url", TRUE, FALSE, NULL)))
    return FALSE;
  names = json_object_get_members (values);
  if (names == NULL)
    return portico_check_missing (c, "auth.after_sign_in.values", _("at least one value such as \"cloud_id\": \"0.id\""));
  for (GList *l = names; l != NULL; l = l->next)
    if (!portico_check_expr_member (c, values, "auth.after_sign_in.values", l->data, TRUE, 0))
      return FALSE;
  return TRUE;
}

/* auth.revoke: {"url", "token": "refresh_token" | "access_token"}. */
static gboolean
check_revoke (Check *c, JsonObject *auth)
{
  static const char * const keys[] = { "url", "token", NULL };
  static const char * const tokens[] = { "refresh_token", "access_token", NULL };
  JsonObject *revoke;

  if (!portico_check_get_object (c, auth, "auth", "revoke", FALSE, &revoke))
    return FALSE;
  return revoke == NULL ||
         (portico_check_keys (c, revoke, "auth.revoke", keys) &&
          portico_check_template_member (c, revoke, "auth.revoke", "url", TRUE, FALSE, NULL) &&
          portico_check_get_choice (c, revoke, "auth.revoke", "token", FALSE, tokens, _("token"), NULL));
}

static gboolean
check_auth (Check *c, JsonObject *def)
{
  static const char * const header_keys[] = { "scheme", "header", "value", NULL };
  static const char * const basic_keys[] = { "scheme", "username", "password", NULL };
  static const char * const body_keys[] = { "scheme", "fields", NULL };
  static const char * const cc_keys[] = {
    "scheme", "token_url", "client_id", "client_secret", "scope", "client_auth", "params",
    "scope_from_permission", NULL,
  };
  static const char * const code_keys[] = {
    "scheme", "authorize_url", "token_url", "scopes", "pkce", "client_id", "client_secret",
    "client_auth", "authorize_params", "redirect_port", "after_sign_in", "revoke", NULL,
  };
  static const char * const jwt_keys[] = { "scheme", "key_field", "subject", "scopes", NULL };
  static const char * const client_auths[] = { "basic", "body", NULL };
  JsonObject *auth;
  const char *scheme;

  if (!portico_check_get_object (c, def, "", "auth", TRUE, &auth) ||
      !portico_check_get_choice (c, auth, "auth", "scheme", TRUE, portico_connector_auth_schemes, _("scheme"), &scheme))
    return FALSE;

  if (g_str_equal (scheme, "header"))
    return portico_check_keys (c, auth, "auth", header_keys) &&
           portico_check_get_string (c, auth, "auth", "header", TRUE, TRUE, NULL) &&
           portico_check_template_member (c, auth, "auth", "value", TRUE, FALSE, NULL);

  if (g_str_equal (scheme, "basic"))
    return portico_check_keys (c, auth, "auth", basic_keys) &&
           portico_check_template_member (c, auth, "auth", "username", TRUE, FALSE, NULL) &&
           portico_check_template_member (c, auth, "auth", "password", TRUE, FALSE, NULL);

  if (g_str_equal (scheme, "body"))
    {
      JsonObject *fields;

      if (!portico_check_keys (c, auth, "auth", body_keys) ||
          !portico_check_get_object (c, auth, "auth", "fields", TRUE, &fields))
        return FALSE;
      return portico_check_body_templates (c, "auth.fields", json_object_get_member (auth, "fields"), FALSE);
    }

  if (g_str_equal (scheme, "oauth2_client_credentials"))
    {
      if (!(portico_check_keys (c, auth, "auth", cc_keys) &&
            portico_check_template_member (c, auth, "auth", "token_url", TRUE, FALSE, NULL) &&
            portico_check_template_member (c, auth, "auth", "client_id", TRUE, FALSE, NULL) &&
            portico_check_template_member (c, auth, "auth", "client_secret", TRUE, FALSE, NULL) &&
            portico_check_template_member (c, auth, "auth", "scope", FALSE, FALSE, NULL) &&
            portico_check_get_choice (c, auth, "auth", "client_auth", FALSE, client_auths, _("client authentication"), NULL) &&
            portico_check_template_object (c, auth, "auth", "params", FALSE) &&
            portico_check_get_bool (c, auth, "auth", "scope_from_permission", FALSE)))
        return FALSE;
      if (json_object_get_boolean_member_with_default (auth, "scope_from_permission", FALSE))
        {
          JsonArray *permissions = json_object_get_array_member (def, "permissions");

          if (json_object_has_member (auth, "scope"))
            return portico_check_fail (c, "auth.scope_from_permission",
                                       _("is true while “scope” is also given; keep one of them"));
          for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
            {
              JsonNode *perm = json_array_get_element (permissions, i);

              if (!JSON_NODE_HOLDS_OBJECT (perm) ||
                  !json_object_has_member (json_node_get_object (perm), "scopes"))
                {
                  g_autofree char *perm_path = portico_check_idx ("permissions", i);

                  return portico_check_missing (c, perm_path, _("the “scopes” that “auth.scope_from_permission” asks for"));
                }
            }
        }
      return TRUE;
    }

  if (g_str_equal (scheme, "oauth2_jwt_bearer"))
    {
      const char *key_field;
      g_autofree char *key_path = portico_check_sub ("auth", "key_field");

      if (!portico_check_keys (c, auth, "auth", jwt_keys) ||
          !portico_check_get_string (c, auth, "auth", "key_field", TRUE, TRUE, &key_field) ||
          !portico_check_template_member (c, auth, "auth", "subject", FALSE, FALSE, NULL) ||
          !check_string_list (c, auth, "auth", "scopes"))
        return FALSE;
      for (guint i = 0; i < c->field_ids->len; i++)
        if (g_str_equal (key_field, g_ptr_array_index (c->field_ids, i)))
          return TRUE;
      return portico_check_fail (c, key_path, _("names no field; declare a field “%s” of type “file” for the key file"), key_field);
    }

  /* oauth2_authorization_code */
  return portico_check_keys (c, auth, "auth", code_keys) &&
         portico_check_template_member (c, auth, "auth", "authorize_url", TRUE, FALSE, NULL) &&
         portico_check_template_member (c, auth, "auth", "token_url", TRUE, FALSE, NULL) &&
         portico_check_template_member (c, auth, "auth", "client_id", TRUE, FALSE, NULL) &&
         portico_check_template_member (c, auth, "auth", "client_secret", FALSE, FALSE, NULL) &&
         portico_check_get_bool (c, auth, "auth", "pkce", FALSE) &&
         portico_check_get_choice (c, auth, "auth", "client_auth", FALSE, client_auths, _("client authentication"), NULL) &&
         portico_check_template_object (c, auth, "auth", "authorize_params", FALSE) &&
         portico_check_get_int (c, auth, "auth", "redirect_port", FALSE, 1024, 65535) &&
         check_string_list (c, auth, "auth", "scopes") &&
         check_after_sign_in (c, auth) &&
         check_revoke (c, auth);
}

static gboolean
check_identity (Check *c, JsonObject *def)
{
  static const char * const keys[] = { "request", "id", "name", NULL };
  static const char * const members[] = { "id", "name", NULL };
  JsonObject *identity;

  if (!portico_check_get_object (c, def, "", "identity", TRUE, &identity) ||
      !portico_check_keys (c, identity, "identity", keys) ||
      !portico_check_request (c, identity, "identity", "request", FALSE, FALSE) ||
      !portico_check_expr_member (c, identity, "identity", "id", TRUE, EXPR_TEMPLATE) ||
      !portico_check_expr_member (c, identity, "identity", "name", TRUE, EXPR_TEMPLATE))
    return FALSE;

  /* Without a request there is no body to read: only field values. */
  if (!json_object_has_member (identity, "request"))
    for (guint i = 0; members[i] != NULL; i++)
      {
        JsonNode *expr = json_object_get_member (identity, members[i]);
        JsonObject *obj = JSON_NODE_HOLDS_OBJECT (expr) ? json_node_get_object (expr) : NULL;
        g_autofree char *member_path = portico_check_sub ("identity", members[i]);

        if (obj == NULL || (!json_object_has_member (obj, "template") &&
                            !json_object_has_member (obj, "literal")))
          return portico_check_fail (c, member_path, _("without “identity.request” there is no response to read; use {\"template\": \"{field}\"} or add a request"));
      }

  return TRUE;
}

static gboolean
check_errors (Check *c, JsonObject *def)
{
  static const char * const keys[] = {
    "message", "code", "ok_path", "errors_path", "codes", "message_header", NULL,
  };
  JsonObject *errors;
  JsonObject *codes;
  JsonObjectIter iter;
  const char *code;
  JsonNode *value;

  if (!portico_check_get_object (c, def, "", "errors", FALSE, &errors))
    return FALSE;
  if (errors == NULL)
    return TRUE;

  if (!portico_check_keys (c, errors, "errors", keys) ||
      !portico_check_expr_member (c, errors, "errors", "message", FALSE, 0) ||
      !portico_check_expr_member (c, errors, "errors", "code", FALSE, 0) ||
      !portico_check_expr_member (c, errors, "errors", "ok_path", FALSE, 0) ||
      (json_object_has_member (errors, "errors_path") &&
       !portico_check_path_node (c, "errors.errors_path", json_object_get_member (errors, "errors_path"))) ||
      !portico_check_get_object (c, errors, "errors", "codes", FALSE, &codes) ||
      !portico_check_get_string (c, errors, "errors", "message_header", FALSE, TRUE, NULL))
    return FALSE;

  if (json_object_has_member (errors, "ok_path") && !json_object_has_member (errors, "code"))
    return portico_check_missing (c, "errors.code", _("the expression naming the error, which “ok_path” needs"));

  if (codes == NULL)
    return TRUE;

  json_object_iter_init_ordered (&iter, codes);
  while (json_object_iter_next_ordered (&iter, &code, &value))
    {
      g_autofree char *code_path = portico_check_sub ("errors.codes", code);
      g_autofree char *names = portico_check_join_names (portico_connector_error_codes);

      if (!portico_check_holds (value, G_TYPE_STRING))
        return portico_check_wrong_type (c, code_path, value, _("a string"));
      if (!portico_check_in_list (portico_connector_error_codes, json_node_get_string (value)))
        return portico_check_fail (c, code_path, _("unknown error “%s”; use one of %s"),
                                   json_node_get_string (value), names);
    }

  return TRUE;
}

static gboolean
check_rate_limit (Check *c, JsonObject *def)
{
  static const char * const keys[] = {
    "retry_after_header", "reset_header", "reset_format", "body_retry_after", "statuses",
    "remaining_header", "header_statuses", NULL,
  };
  JsonObject *rl;
  JsonArray *statuses;
  JsonArray *header_statuses;

  if (!portico_check_get_object (c, def, "", "rate_limit", FALSE, &rl))
    return FALSE;
  if (rl == NULL)
    return TRUE;

  if (!portico_check_keys (c, rl, "rate_limit", keys) ||
      !portico_check_get_string (c, rl, "rate_limit", "retry_after_header", FALSE, TRUE, NULL) ||
      !portico_check_get_string (c, rl, "rate_limit", "reset_header", FALSE, TRUE, NULL) ||
      !portico_check_get_choice (c, rl, "rate_limit", "reset_format", FALSE, portico_connector_reset_formats, _("format"), NULL) ||
      !portico_check_expr_member (c, rl, "rate_limit", "body_retry_after", FALSE, 0) ||
      !portico_check_get_array (c, rl, "rate_limit", "statuses", FALSE, &statuses) ||
      !portico_check_get_string (c, rl, "rate_limit", "remaining_header", FALSE, TRUE, NULL) ||
      !portico_check_get_array (c, rl, "rate_limit", "header_statuses", FALSE, &header_statuses))
    return FALSE;

  for (guint i = 0; statuses != NULL && i < json_array_get_length (statuses); i++)
    {
      JsonNode *status = json_array_get_element (statuses, i);
      g_autofree char *status_path = portico_check_idx ("rate_limit.statuses", i);

      if (!portico_check_holds (status, G_TYPE_INT64) || json_node_get_int (status) < 400 ||
          json_node_get_int (status) > 599)
        return portico_check_fail (c, status_path, _("must be an HTTP error status from 400 to 599"));
    }
  for (guint i = 0; header_statuses != NULL && i < json_array_get_length (header_statuses); i++)
    {
      JsonNode *status = json_array_get_element (header_statuses, i);
      g_autofree char *status_path = portico_check_idx ("rate_limit.header_statuses", i);

      if (!portico_check_holds (status, G_TYPE_INT64) || json_node_get_int (status) < 400 ||
          json_node_get_int (status) > 599)
        return portico_check_fail (c, status_path, _("must be an HTTP error status from 400 to 599"));
    }
  if (header_statuses != NULL && !json_object_has_member (rl, "remaining_header"))
    return portico_check_missing (c, "rate_limit.remaining_header",
                                  _("the header counting the requests left, which “header_statuses” needs"));

  return TRUE;
}

static gboolean
check_id_string (Check *c, const char *path, const char *value, const char *what)
{
  static GRegex *id_regex = NULL;

  if (g_once_init_enter (&id_regex))
    g_once_init_leave (&id_regex, g_regex_new ("^[a-z0-9][a-z0-9_-]*$", G_REGEX_OPTIMIZE, 0, NULL));

  if (!g_regex_match (id_regex, value, 0, NULL))
    return portico_check_fail (c, path, _("“%s” is not a valid %s; use lower-case letters, digits, “_” and “-”, starting with a letter or digit"),
                               value, what);
  return TRUE;
}

static gboolean
check_actions (Check *c, JsonObject *def)
{
  static const char * const keys[] = { "id", "label", "help", "request", NULL };
  JsonArray *actions;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!portico_check_get_array (c, def, "", "actions", FALSE, &actions))
    return FALSE;

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonNode *node = json_array_get_element (actions, i);
      g_autofree char *path = portico_check_idx ("actions", i);
      g_autofree char *id_path = portico_check_sub (path, "id");
      JsonObject *action;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return portico_check_wrong_type (c, path, node, _("an object"));
      action = json_node_get_object (node);

      if (!portico_check_keys (c, action, path, keys) ||
          !portico_check_get_string (c, action, path, "id", TRUE, TRUE, &id) ||
          !check_id_string (c, id_path, id, _("action id")) ||
          !portico_check_get_string (c, action, path, "label", TRUE, TRUE, NULL) ||
          !portico_check_get_string (c, action, path, "help", FALSE, TRUE, NULL) ||
          !portico_check_request (c, action, path, "request", TRUE, TRUE))
        return FALSE;
      if (g_hash_table_contains (seen, id))
        return portico_check_fail (c, id_path, _("the action “%s” is defined twice; give each action its own id"), id);
      g_hash_table_add (seen, (gpointer) id);
    }

  c->has_actions = actions != NULL && json_array_get_length (actions) > 0;
  return TRUE;
}

static gboolean
check_permissions (Check *c, JsonObject *def)
{
  static const char * const keys[] = { "id", "label", "help", "scopes", NULL };
  static const char * const levels[] = { "read", "act", NULL };
  JsonArray *perms;
  gboolean has_read = FALSE;

  if (!portico_check_get_array (c, def, "", "permissions", TRUE, &perms))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (perms); i++)
    {
      JsonNode *node = json_array_get_element (perms, i);
      g_autofree char *path = portico_check_idx ("permissions", i);
      g_autofree char *id_path = portico_check_sub (path, "id");
      JsonObject *perm;
      JsonArray *scopes;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return portico_check_wrong_type (c, path, node, _("an object"));
      perm = json_node_get_object (node);

      if (!portico_check_keys (c, perm, path, keys) ||
          !portico_check_get_choice (c, perm, path, "id", TRUE, levels, _("permission level"), &id) ||
          !portico_check_get_string (c, perm, path, "label", TRUE, TRUE, NULL) ||
          !portico_check_get_string (c, perm, path, "help", FALSE, FALSE, NULL) ||
          !portico_check_get_array (c, perm, path, "scopes", FALSE, &scopes))
        return FALSE;

      for (guint j = 0; scopes != NULL && j < json_array_get_length (scopes); j++)
        if (!portico_check_holds (json_array_get_element (scopes, j), G_TYPE_STRING))
          {
            g_autofree char *scopes_path = portico_check_sub (path, "scopes");
            g_autofree char *scope_path = portico_check_idx (scopes_path, j);

            return portico_check_wrong_type (c, scope_path, json_array_get_element (scopes, j), _("a string"));
          }

      if ((g_str_equal (id, "read") && has_read) || (g_str_equal (id, "act") && c->has_act))
        return portico_check_fail (c, id_path, _("the level “%s” is listed twice; list it once"), id);
      if (g_str_equal (id, "read"))
        has_read = TRUE;
      else
        {
          c->has_act = TRUE;
          if (!c->has_actions)
            return portico_check_fail (c, id_path, _("“act” needs actions; define “actions” or remove this level"));
        }
    }

  if (!has_read)
    return portico_check_missing (c, "permissions", _("the “read” level, which every connector offers"));
  return TRUE;
}

/* Format v2: a choice may set "values", names every template may use (the
 * token host of the region picked). Every choice of a field sets the same
 * names, a name is set by one field only and is never a field id, and a
 * value may use field names (checked once all fields are known). */
static gboolean
check_choice_values (Check *c, JsonArray *fields)
{
  static const char * const reserved[] = { API_BASE_URL, "user_id", "user_email", "response", "item", NULL };

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);
      JsonArray *choices = json_object_has_member (field, "choices") &&
                           JSON_NODE_HOLDS_ARRAY (json_object_get_member (field, "choices"))
                           ? json_object_get_array_member (field, "choices") : NULL;
      g_autoptr(GPtrArray) first_names = NULL;

      for (guint j = 0; choices != NULL && j < json_array_get_length (choices); j++)
        {
          JsonObject *choice = json_array_get_object_element (choices, j);
          g_autofree char *choice_path = g_strdup_printf ("fields[%u].choices[%u]", i, j);
          g_autofree char *values_path = portico_check_sub (choice_path, "values");
          g_autoptr(GPtrArray) names = g_ptr_array_new ();
          JsonObject *values;
          JsonObjectIter iter;
          const char *name;
          JsonNode *value;

          if (!portico_check_get_object (c, choice, choice_path, "values", FALSE, &values))
            return FALSE;
          if (values != NULL)
            {
              json_object_iter_init_ordered (&iter, values);
              while (json_object_iter_next_ordered (&iter, &name, &value))
                {
                  g_autofree char *name_path = portico_check_sub (values_path, name);
                  gboolean ok = *name != '\0' && g_ascii_islower (name[0]);

                  for (const char *q = name; ok && *q != '\0'; q++)
                    ok = g_ascii_islower (*q) || g_ascii_isdigit (*q) || *q == '_';
                  if (!ok)
                    return portico_check_fail (c, name_path, _("“%s” is not a valid name; use lower-case letters, digits and “_”, starting with a letter"), name);
                  if (portico_check_in_list (reserved, name))
                    return portico_check_fail (c, name_path, _("“%s” is a name Portico sets itself; name the value differently"), name);
                  for (guint k = 0; k < c->field_ids->len; k++)
                    if (g_str_equal (name, g_ptr_array_index (c->field_ids, k)))
                      return portico_check_fail (c, name_path, _("“%s” is also a field id; name the value differently"), name);
                  if (!portico_check_holds (value, G_TYPE_STRING))
                    return portico_check_wrong_type (c, name_path, value, _("a string"));
                  if (!portico_check_template_member (c, values, values_path, name, TRUE, FALSE, NULL))
                    return FALSE;
                  g_ptr_array_add (names, (gpointer) name);
                }
            }

          if (j == 0)
            {
              first_names = g_ptr_array_ref (names);
              for (guint k = 0; k < names->len; k++)
                if (g_ptr_array_find_with_equal_func (c->value_names, names->pdata[k], g_str_equal, NULL))
                  return portico_check_fail (c, values_path, _("“%s” is set by the choices of another field too; give each value one field"),
                                             (const char *) names->pdata[k]);
              continue;
            }
          if (names->len != first_names->len)
            return portico_check_fail (c, values_path, _("sets other names than the field's first choice; every choice sets the same names"));
          for (guint k = 0; k < names->len; k++)
            if (!g_ptr_array_find_with_equal_func (first_names, names->pdata[k], g_str_equal, NULL))
              return portico_check_fail (c, values_path, _("sets “%s”, which the field's first choice does not; every choice sets the same names"),
                                         (const char *) names->pdata[k]);
        }
      for (guint k = 0; first_names != NULL && k < first_names->len; k++)
        g_ptr_array_add (c->value_names, first_names->pdata[k]);
    }
  return TRUE;
}

static gboolean
check_fields (Check *c, JsonObject *def, GPtrArray *out)
{
  static const char * const keys[] = {
    "id", "label", "type", "required", "help", "pattern", "default", "choices", "permissions", NULL,
  };
  static const char * const choice_keys[] = { "id", "label", "values", NULL };
  static const char * const levels[] = { "read", "act", NULL };
  static GRegex *field_id_regex = NULL;
  JsonArray *fields;

  if (g_once_init_enter (&field_id_regex))
    g_once_init_leave (&field_id_regex, g_regex_new ("^[a-z][a-z0-9_]*$", G_REGEX_OPTIMIZE, 0, NULL));

  if (!portico_check_get_array (c, def, "", "fields", TRUE, &fields))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);
      g_autofree char *path = portico_check_idx ("fields", i);
      g_autofree char *id_path = portico_check_sub (path, "id");
      g_autofree char *pattern_path = portico_check_sub (path, "pattern");
      g_autofree char *choices_path = portico_check_sub (path, "choices");
      g_autofree char *default_path = portico_check_sub (path, "default");
      g_autofree char *perms_path = portico_check_sub (path, "permissions");
      PorticoConnectorField *field;
      JsonObject *obj;
      JsonArray *choices;
      JsonArray *perms;
      const char *id, *label, *type, *help, *pattern, *default_value;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return portico_check_wrong_type (c, path, node, _("an object"));
      obj = json_node_get_object (node);

      if (!portico_check_keys (c, obj, path, keys) ||
          !portico_check_get_string (c, obj, path, "id", TRUE, TRUE, &id))
        return FALSE;
      if (!g_regex_match (field_id_regex, id, 0, NULL))
        return portico_check_fail (c, id_path, _("“%s” is not a valid field id; use lower-case letters, digits and “_”, starting with a letter"), id);
      if (g_str_equal (id, API_BASE_URL))
        return portico_check_fail (c, id_path, _("“api_base_url” is implicit in every connector; remove this field"));
      if (g_str_equal (id, "user_id") || g_str_equal (id, "user_email"))
        return portico_check_fail (c, id_path, _("“%s” is reserved for actions; name the field differently"), id);
      for (guint j = 0; j < c->field_ids->len; j++)
        if (g_str_equal (id, g_ptr_array_index (c->field_ids, j)))
          return portico_check_fail (c, id_path, _("the field “%s” is defined twice; give each field its own id"), id);

      if (!portico_check_get_string (c, obj, path, "label", TRUE, TRUE, &label) ||
          !portico_check_get_choice (c, obj, path, "type", TRUE, portico_connector_field_types, _("type"), &type) ||
          !portico_check_get_bool (c, obj, path, "required", FALSE) ||
          !portico_check_get_string (c, obj, path, "help", FALSE, FALSE, &help) ||
          !portico_check_get_string (c, obj, path, "pattern", FALSE, TRUE, &pattern) ||
          !portico_check_get_string (c, obj, path, "default", FALSE, FALSE, &default_value) ||
          !portico_check_get_array (c, obj, path, "choices", FALSE, &choices) ||
          !portico_check_get_array (c, obj, path, "permissions", FALSE, &perms))
        return FALSE;

      if (pattern != NULL)
        {
          g_autoptr(GError) regex_error = NULL;
          g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, &regex_error);

          if (regex == NULL)
            return portico_check_fail (c, pattern_path, _("is not a valid regular expression (%s); fix the pattern"),
                                       regex_error->message);
        }

      field = g_new0 (PorticoConnectorField, 1);
      field->id = g_strdup (id);
      field->label = g_strdup (label);
      field->help = g_strdup (help);
      field->pattern = g_strdup (pattern);
      field->default_value = g_strdup (default_value);
      field->required = json_object_get_boolean_member_with_default (obj, "required", FALSE);
      field->type = (PorticoFieldType) g_strv_length ((char **) portico_connector_field_types);
      for (guint j = 0; portico_connector_field_types[j] != NULL; j++)
        if (g_str_equal (portico_connector_field_types[j], type))
          field->type = (PorticoFieldType) j;
      g_ptr_array_add (out, field);
      g_ptr_array_add (c->field_ids, field->id);

      if (field->type == PORTICO_FIELD_CHOICE && choices == NULL)
        return portico_check_missing (c, choices_path, _("the list of choices a “choice” field offers"));
      if (field->type != PORTICO_FIELD_CHOICE && choices != NULL)
        return portico_check_fail (c, choices_path, _("only applies to “choice” fields; set “type” to “choice” or remove it"));

      if (choices != NULL)
        {
          guint n = json_array_get_length (choices);

          if (n == 0)
            return portico_check_fail (c, choices_path, _("is empty; list at least one choice"));
          field->choice_ids = g_new0 (char *, n + 1);
          field->choice_labels = g_new0 (char *, n + 1);
          for (guint j = 0; j < n; j++)
            {
              JsonNode *choice_node = json_array_get_element (choices, j);
              g_autofree char *choice_path = portico_check_idx (choices_path, j);
              JsonObject *choice;
              const char *choice_id, *choice_label;

              if (!JSON_NODE_HOLDS_OBJECT (choice_node))
                return portico_check_wrong_type (c, choice_path, choice_node, _("an object with “id” and “label”"));
              choice = json_node_get_object (choice_node);
              if (!portico_check_keys (c, choice, choice_path, choice_keys) ||
                  !portico_check_get_string (c, choice, choice_path, "id", TRUE, TRUE, &choice_id) ||
                  !portico_check_get_string (c, choice, choice_path, "label", TRUE, TRUE, &choice_label))
                return FALSE;
              field->choice_ids[j] = g_strdup (choice_id);
              field->choice_labels[j] = g_strdup (choice_label);
            }
        }

      if (default_value != NULL && *default_value != '\0' && field->choice_ids != NULL &&
          !g_strv_contains ((const char * const *) field->choice_ids, default_value))
        return portico_check_fail (c, default_path, _("“%s” is not one of the choices; use a choice id"), default_value);

      if (perms != NULL)
        {
          guint n = json_array_get_length (perms);

          if (n == 0)
            return portico_check_fail (c, perms_path, _("is empty; list “read” and/or “act”, or remove it"));
          field->permissions = g_new0 (char *, n + 1);
          for (guint j = 0; j < n; j++)
            {
              JsonNode *level = json_array_get_element (perms, j);
              g_autofree char *level_path = portico_check_idx (perms_path, j);

              if (!portico_check_holds (level, G_TYPE_STRING) || !portico_check_in_list (levels, json_node_get_string (level)))
                return portico_check_fail (c, level_path, _("must be “read” or “act”"));
              field->permissions[j] = g_strdup (json_node_get_string (level));
            }
        }
    }

  return check_choice_values (c, fields);
}

/* Field permission levels must exist at the top level; checked once both
 * are known. */
static gboolean
check_field_permissions (Check *c, GPtrArray *fields, JsonObject *def)
{
  JsonArray *perms = json_object_get_array_member (def, "permissions");

  for (guint i = 0; i < fields->len; i++)
    {
      PorticoConnectorField *field = g_ptr_array_index (fields, i);

      for (guint j = 0; field->permissions != NULL && field->permissions[j] != NULL; j++)
        {
          gboolean found = FALSE;

          for (guint k = 0; k < json_array_get_length (perms); k++)
            {
              JsonObject *perm = json_array_get_object_element (perms, k);

              if (g_strcmp0 (json_object_get_string_member (perm, "id"), field->permissions[j]) == 0)
                found = TRUE;
            }
          if (!found)
            {
              g_autofree char *path = g_strdup_printf ("fields[%u].permissions[%u]", i, j);

              return portico_check_fail (c, path, _("the level “%s” is not in “permissions”; add it there or remove it here"),
                                         field->permissions[j]);
            }
        }
    }

  return TRUE;
}

gboolean
portico_check_definition (Check *c, JsonObject *def, const char *file_id, GPtrArray *fields)
{
  static const char * const keys[] = {
    "format", "id", "name", "category", "icon", "help_url", "docs_url", "help", "multi_account",
    "test", "base_url", "headers", "fields", "permissions", "auth", "identity",
    "data_types", "errors", "rate_limit", "actions", "usage_period_days", NULL,
  };
  const char *id, *help_url, *docs_url, *base_url;
  gboolean all_ok = TRUE;

  if (!portico_check_keys (c, def, "", keys) ||
      !portico_check_get_int (c, def, "", "format", TRUE, 1, 2) ||
      !portico_check_get_string (c, def, "", "id", TRUE, TRUE, &id) ||
      !check_id_string (c, "id", id, _("connector id")))
    return FALSE;

  if (file_id != NULL && !g_str_equal (id, file_id))
    return portico_check_fail (c, "id", _("“%s” does not match the file name; rename the file to “%s.json” or set the id to “%s”"),
                               id, id, file_id);

  if (!portico_check_get_string (c, def, "", "name", TRUE, TRUE, NULL) ||
      !portico_check_get_choice (c, def, "", "category", TRUE, portico_connector_categories, _("category"), NULL) ||
      !portico_check_get_string (c, def, "", "icon", FALSE, TRUE, NULL) ||
      !portico_check_get_string (c, def, "", "help_url", TRUE, TRUE, &help_url) ||
      !portico_check_https_url (c, "help_url", help_url) ||
      !portico_check_get_string (c, def, "", "docs_url", FALSE, TRUE, &docs_url) ||
      (docs_url != NULL && !portico_check_https_url (c, "docs_url", docs_url)) ||
      !portico_check_get_string (c, def, "", "help", TRUE, TRUE, NULL) ||
      !portico_check_get_bool (c, def, "", "multi_account", TRUE) ||
      !portico_check_get_bool (c, def, "", "test", FALSE) ||
      !portico_check_get_int (c, def, "", "usage_period_days", FALSE, 1, 3660) ||
      !check_fields (c, def, fields) ||
      !collect_sign_in_names (c, def) ||
      !portico_check_template_member (c, def, "", "base_url", TRUE, FALSE, &base_url))
    return FALSE;

  if (!g_str_has_prefix (base_url, "https://") && base_url[0] != '{')
    return portico_check_fail (c, "base_url", _("“%s” is not an https:// address; start it with https:// or with a URL field such as {server_url}"),
                               base_url);

  /* What follows depends on the parts above only, so that a check that
   * collects every problem goes on past a failed section: permissions name
   * actions, fields and auth scopes name permissions. */
  return portico_check_go_on (c, portico_check_template_object (c, def, "", "headers", FALSE), &all_ok) &&
         portico_check_go_on (c,
                              check_actions (c, def) &&
                              check_permissions (c, def) &&
                              check_field_permissions (c, fields, def) &&
                              check_auth (c, def), &all_ok) &&
         portico_check_go_on (c, check_identity (c, def), &all_ok) &&
         portico_check_go_on (c, portico_check_data_types (c, def), &all_ok) &&
         portico_check_go_on (c, check_errors (c, def), &all_ok) &&
         portico_check_go_on (c, check_rate_limit (c, def), &all_ok) &&
         all_ok;
}
