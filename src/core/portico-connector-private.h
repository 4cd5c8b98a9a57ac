/* portico-connector-private.h: what the portico-connector-*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-connector.h"

G_BEGIN_DECLS

#define API_BASE_URL "api_base_url"

typedef struct
{
  const char *file;     /* the file name in messages */
  GError **error;
  GPtrArray *field_ids; /* the declared field ids */
  gboolean has_actions;
  gboolean has_act;
  gboolean allow_response; /* inside a "then" request: {response} is known */
  gboolean allow_item;     /* a data type read per item: {item} is known */
  GPtrArray *sign_in_names; /* auth.after_sign_in value names: known in templates */
  GPtrArray *value_names;  /* names set by choices' "values" (format v2) */
  char *fail_path;         /* owned: the dotted path of the first failure ("" = the file) */
  char *fail_reason;       /* owned: its sentence without the file name and path */
  GPtrArray *problems;     /* nullable: collect every problem (path, reason, ...),
                            * going on after a failed section that later ones
                            * do not depend on */
} Check;

enum
{
  EXPR_TEMPLATE = 1 << 0, /* {"template": ...} allowed (identity) */
};

extern const char * const portico_connector_categories[];

extern const char * const portico_connector_field_types[];

extern const char * const portico_connector_error_codes[];

extern const char * const portico_connector_auth_schemes[];

extern const char * const portico_connector_reset_formats[];

/* One step of a path: see portico_expr_path_parse(). */
typedef struct
{
  char *key;         /* NULL for an array index or a match */
  gint64 index;      /* -1 for a key or a match */
  char *match_key;   /* a match: the element of an array whose member */
  char *match_value; /* match_key has this text ("attributes[name=department]") */
} PathSeg;

typedef gboolean (*TemplateFunc) (const char *name, gpointer user_data);

GArray *
portico_expr_path_parse (JsonNode *node, GError **error);

JsonNode *
portico_expr_path_lookup (JsonNode *item, GArray *segs);

gboolean
portico_template_foreach_name (const char   *str,
                               TemplateFunc  func,
                               gpointer      user_data);

JsonNode *
portico_expr_string_node (const char *str);

gboolean
portico_check_fail (Check *c, const char *path, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* After a section that the next ones do not depend on: TRUE to go on (it
 * passed, or @c collects every problem), FALSE to stop. Clears @all_ok
 * when it failed. */
gboolean
portico_check_go_on (Check *c, gboolean ok, gboolean *all_ok);

char *
portico_check_sub (const char *path, const char *key);

char *
portico_check_idx (const char *path, guint i);

char *
portico_check_join_names (const char * const *names);

gboolean
portico_check_in_list (const char * const *list, const char *value);

gboolean
portico_check_holds (JsonNode *node, GType type);

gboolean
portico_check_keys (Check *c, JsonObject *obj, const char *path, const char * const *allowed);

gboolean
portico_check_missing (Check *c, const char *path, const char *what);

gboolean
portico_check_wrong_type (Check *c, const char *path, JsonNode *node, const char *expected);

gboolean
portico_check_get_string (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, gboolean nonempty, const char **out);

gboolean
portico_check_get_bool (Check *c, JsonObject *obj, const char *path, const char *key, gboolean required);

gboolean
portico_check_get_int (Check *c, JsonObject *obj, const char *path, const char *key,
                       gboolean required, gint64 min, gint64 max);

gboolean
portico_check_get_object (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, JsonObject **out);

gboolean
portico_check_get_array (Check *c, JsonObject *obj, const char *path, const char *key,
                         gboolean required, JsonArray **out);

gboolean
portico_check_get_choice (Check *c, JsonObject *obj, const char *path, const char *key,
                          gboolean required, const char * const *choices, const char *what,
                          const char **out);

gboolean
portico_check_https_url (Check *c, const char *path, const char *value);

gboolean
portico_check_template_member (Check *c, JsonObject *obj, const char *path, const char *key,
                               gboolean required, gboolean allow_user, const char **out);

gboolean
portico_check_template_object (Check *c, JsonObject *obj, const char *path, const char *key,
                               gboolean allow_user);

gboolean
portico_check_body_templates (Check *c, const char *path, JsonNode *node, gboolean allow_user);

gboolean
portico_check_path_node (Check *c, const char *path, JsonNode *node);

gboolean
portico_check_expr_member (Check *c, JsonObject *obj, const char *path, const char *key,
                           gboolean required, guint flags);

gboolean
portico_check_request (Check *c, JsonObject *parent, const char *path, const char *key,
                       gboolean required, gboolean allow_user);

gboolean
portico_check_data_types (Check *c, JsonObject *def);

gboolean
portico_check_definition (Check *c, JsonObject *def, const char *file_id, GPtrArray *fields);

G_END_DECLS
