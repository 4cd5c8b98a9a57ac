/* portico-connector.h: one parsed, validated connector definition.
 *
 * The format is documented in connectors/README.md. A PorticoConnector is
 * immutable once loaded; the runtime reads the raw JSON sub-objects
 * (requests, pagination, maps) through the accessors below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_CONNECTOR (portico_connector_get_type ())
G_DECLARE_FINAL_TYPE (PorticoConnector, portico_connector, PORTICO, CONNECTOR, GObject)

typedef enum
{
  PORTICO_FIELD_TEXT,
  PORTICO_FIELD_SECRET,
  PORTICO_FIELD_URL,
  PORTICO_FIELD_EMAIL,
  PORTICO_FIELD_CHOICE,
  PORTICO_FIELD_FILE,   /* a secret read from a file (a service-account key) */
} PorticoFieldType;

typedef struct
{
  char *id;
  char *label;
  PorticoFieldType type;
  gboolean required;
  char *help;
  char *pattern;       /* nullable */
  char *default_value; /* nullable */
  GStrv choice_ids;    /* nullable; for PORTICO_FIELD_CHOICE */
  GStrv choice_labels; /* nullable; same length as choice_ids */
  GStrv permissions;   /* nullable: asked at every level */
} PorticoConnectorField;

/* The data type ids, in display order. */
extern const char * const portico_data_type_ids[];
const char *portico_data_type_label (const char *data_type_id); /* translated */
const char *portico_category_label (const char *category);      /* translated */
/* Sort rank of a category in the catalog: identity providers, HR, expenses, others. */
int portico_category_rank (const char *category);

PorticoConnector *portico_connector_new_from_file (GFile   *file,
                                                   gboolean is_custom,
                                                   GError **error);
PorticoConnector *portico_connector_new_from_data (const char *data,
                                                   gssize      length,
                                                   const char *origin,
                                                   gboolean    is_custom,
                                                   GError    **error);
/* The same, and when the definition is refused, where and why: @pointer the
 * JSON Pointer (RFC 6901) of the failing member ("" for the whole text) and
 * @reason the sentence of @error without the file name and the field. */
PorticoConnector *portico_connector_new_from_data_located (const char *data,
                                                           gssize      length,
                                                           const char *origin,
                                                           gboolean    is_custom,
                                                           char      **pointer,
                                                           char      **reason,
                                                           GError    **error);
/* Every problem the validator finds in @data, going on past a failed part
 * that the others do not depend on (one data type, the identity, ...):
 * pairs of JSON Pointer (RFC 6901) and reason, as
 * portico_connector_new_from_data_located() gives them; empty when the
 * definition is valid. transfer full (element-type utf8). */
GPtrArray *portico_connector_list_problems (const char *data,
                                            gssize      length,
                                            gboolean    is_custom);

const char *portico_connector_get_id (PorticoConnector *self);
const char *portico_connector_get_name (PorticoConnector *self);
const char *portico_connector_get_category (PorticoConnector *self);
const char *portico_connector_get_icon_name (PorticoConnector *self); /* nullable: show a generic icon then */
const char *portico_connector_get_help_url (PorticoConnector *self);
/* The provider's API reference the definition follows (nullable). */
const char *portico_connector_get_docs_url (PorticoConnector *self);
const char *portico_connector_get_help (PorticoConnector *self);
const char *portico_connector_get_origin (PorticoConnector *self); /* file path */
gboolean portico_connector_is_custom (PorticoConnector *self);
gboolean portico_connector_get_multi_account (PorticoConnector *self);
gboolean portico_connector_has_test (PorticoConnector *self);
guint portico_connector_get_usage_period_days (PorticoConnector *self); /* 0 = none */

/* Fields, including the implicit optional `api_base_url` (last). */
GPtrArray *portico_connector_get_fields (PorticoConnector *self); /* element-type PorticoConnectorField, transfer none */
const PorticoConnectorField *portico_connector_get_field (PorticoConnector *self, const char *field_id);
/* Fields asked at a permission level ("read" or "act"). transfer container. */
GPtrArray *portico_connector_get_fields_for_permission (PorticoConnector *self, const char *permission);

GStrv portico_connector_get_permissions (PorticoConnector *self); /* transfer full, "read"/"act" */
GStrv portico_connector_get_data_types (PorticoConnector *self);  /* transfer full, display order */
gboolean portico_connector_has_data_type (PorticoConnector *self, const char *data_type_id);
gboolean portico_connector_data_type_is_essential (PorticoConnector *self, const char *data_type_id);
const char *portico_connector_get_data_type_requirement (PorticoConnector *self, const char *data_type_id);
GStrv portico_connector_get_action_ids (PorticoConnector *self);       /* transfer full */
GStrv portico_connector_get_action_labels (PorticoConnector *self);    /* transfer full */
GStrv portico_connector_get_custom_field_labels (PorticoConnector *self); /* transfer full */

/* Raw definition parts, transfer none, nullable. */
JsonObject *portico_connector_get_definition (PorticoConnector *self);
JsonObject *portico_connector_get_data_type_definition (PorticoConnector *self, const char *data_type_id);
JsonObject *portico_connector_get_auth (PorticoConnector *self);
const char *portico_connector_get_auth_scheme (PorticoConnector *self); /* nullable */
/* TRUE when connecting needs the admin to sign in through the browser
 * (oauth2_authorization_code). */
gboolean portico_connector_signs_in (PorticoConnector *self);
/* Whether @name is a value the provider tells at sign-in
 * (auth.after_sign_in): stored with the account's non-secret settings. */
gboolean portico_connector_is_sign_in_value (PorticoConnector *self,
                                             const char       *name);
/* The OAuth scopes to ask for at @permission ("read" or "act"), space
 * separated: auth.scopes, then the scopes of "read" and, for "act", those of
 * "act" too. "" when there are none. */
char *portico_connector_dup_scope (PorticoConnector *self,
                                   const char       *permission);
/* Secret and file fields: their values go to the keyring only. */
gboolean portico_connector_field_is_secret (const PorticoConnectorField *field);
JsonObject *portico_connector_get_identity (PorticoConnector *self);
JsonObject *portico_connector_get_errors (PorticoConnector *self);
JsonObject *portico_connector_get_rate_limit (PorticoConnector *self);

/* How a data type is read. A data type with `request_from` reuses another
 * one's request, pagination and items: these accessors resolve that, so the
 * runtime never reads `request_from` itself. All transfer none, nullable when
 * the connector has no such data type. */
const char *portico_connector_get_data_type_source (PorticoConnector *self, const char *data_type_id); /* the data type whose request serves this one */
JsonObject *portico_connector_get_data_type_request (PorticoConnector *self, const char *data_type_id);
JsonObject *portico_connector_get_data_type_pagination (PorticoConnector *self, const char *data_type_id); /* NULL = "none" */
JsonNode *portico_connector_get_data_type_items (PorticoConnector *self, const char *data_type_id);   /* a path expression, "" = the body */
JsonObject *portico_connector_get_data_type_map (PorticoConnector *self, const char *data_type_id);   /* target -> expression */
JsonObject *portico_connector_get_action (PorticoConnector *self, const char *action_id);             /* {id, label, request} */

/* Checks one field value against the field's rules: required, pattern, URL
 * shape, and for api_base_url the loopback rule for http://. */
gboolean portico_connector_validate_value (PorticoConnector *self,
                                           const char       *field_id,
                                           const char       *value,
                                           GError          **error);

/* Expressions (see connectors/README.md "Expressions").
 *
 * portico_expr_eval() returns NULL for a missing value or JSON null.
 * portico_expr_eval_string() gives the text SQLite gives for the SQL of
 * portico_expr_to_sql(), so both ways of reading an item agree: integers in
 * decimal, reals as SQLite prints them ("1.5", "100.0"), booleans as "1"/"0"
 * (json_extract's values; value maps still match them as "true"/"false"),
 * objects and arrays as compact JSON (the same text as SQLite's while
 * numbers in them are spelled canonically). A path of digits in the dotted form
 * only indexes arrays. A value map without a match and without "default"
 * gives NULL. {"template"} (identity only) reads @field_values and cannot be
 * compiled to SQL. */
JsonNode *portico_expr_eval (JsonNode   *expr,
                             JsonNode   *item,
                             GHashTable *field_values); /* transfer full, nullable */
char *portico_expr_eval_string (JsonNode   *expr,
                                JsonNode   *item,
                                GHashTable *field_values); /* transfer full, nullable */
/* SQL for SQLite evaluating @expr over the JSON text in column @json_column,
 * e.g. json_extract(value, '$.profile.email'); @json_column is pasted as is
 * (e.g. "value" of json_each()), every literal is quoted. */
char *portico_expr_to_sql (JsonNode   *expr,
                           const char *json_column,
                           GError    **error);
/* The array at @items_path in a response @body (transfer none), or NULL
 * when there is none. */
JsonArray *portico_expr_get_items (JsonNode *items_path,
                                   JsonNode *body);
/* Template expansion with {field} names; fails on a name missing from
 * @values (PORTICO_CONNECTOR_ERROR_INVALID_FIELD). A '{' that does not start a
 * {name} is kept as is. With @uri_escape each value is percent-encoded,
 * reserved characters included (for path segments and query values). */
char *portico_template_expand (const char *template_str,
                               GHashTable *values,
                               gboolean    uri_escape,
                               GError    **error);
/* The same at a given time (@now, Unix seconds) for the relative dates
 * "{now}", "{now-30d}", "{now+1h:date}", "{now-7d:epoch}" (formats iso,
 * date, epoch; units d, h, m), which portico_template_expand() takes from
 * the clock. */
char *portico_template_expand_at (const char *template_str,
                                  GHashTable *values,
                                  gboolean    uri_escape,
                                  gint64      now,
                                  GError    **error);

/* Format v2: adds to @values (a table owning g_free-able keys and values)
 * the "values" of the choice picked in each choice field that sets some
 * (the field's default, or its first choice, when none is picked), expanded
 * over @values. Fails with PORTICO_CONNECTOR_ERROR_INVALID_FIELD when a
 * picked value is not one of the choices. */
gboolean portico_connector_add_choice_values (PorticoConnector *self,
                                              GHashTable       *values,
                                              GError          **error);
/* A copy of @values (nullable) with the choice values added. */
GHashTable *portico_connector_resolve_values (PorticoConnector *self,
                                              GHashTable       *values,
                                              GError          **error);

void portico_connector_field_free (PorticoConnectorField *field);

G_END_DECLS
