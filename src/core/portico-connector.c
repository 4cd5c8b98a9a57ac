/* portico-connector.c: loading and validating one connector definition,
 * and the expressions its field mappings are written in.
 *
 * Every rule of connectors/README.md is checked here, so that a broken file
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
#include "portico-jwt.h"
#include "portico-connector-i18n.h"
#include "portico-errors.h"
#include "portico-json.h"
#include "portico-limits.h"

#define API_BASE_URL "api_base_url"

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
  "discovered_apps", NULL,
};

static const char * const categories[] = {
  "identity_provider", "human_resources", "expenses", "communication",
  "collaboration", "engineering", "productivity", "sales", "support",
  "design", "security", "storage", "finance", "marketing", "other", NULL,
};

static const char * const field_types[] = {
  "text", "secret", "url", "email", "choice", "file", NULL,
};

static const char * const error_codes[] = {
  "not_authorized", "forbidden", "plan", "not_found", "rate_limited",
  "server", "bad_response", NULL,
};

static const char * const user_statuses[] = {
  "active", "invited", "suspended", "deprovisioned", NULL,
};

static const char * const pagination_styles[] = {
  "none", "link_header", "cursor", "next_url", "page", "offset", "scim", NULL,
};

static const char * const auth_schemes[] = {
  "header", "basic", "body", "oauth2_client_credentials",
  "oauth2_authorization_code", "oauth2_jwt_bearer", NULL,
};

static const char * const reset_formats[] = {
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
    for (int i = 0; categories[i] != NULL; i++)
      if (g_str_equal (categories[i], category))
        return i;

  return G_N_ELEMENTS (categories);
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
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct
{
  char *key;         /* NULL for an array index or a match */
  gint64 index;      /* -1 for a key or a match */
  char *match_key;   /* a match: the element of an array whose member */
  char *match_value; /* match_key has this text ("attributes[name=department]") */
} PathSeg;

static void
path_seg_clear (gpointer data)
{
  PathSeg *seg = data;

  g_free (seg->key);
  g_free (seg->match_key);
  g_free (seg->match_value);
}

static gboolean
add_match_segment (GArray *segs, const char *match_key, const char *match_value,
                   const char *whole, GError **error)
{
  PathSeg seg = { NULL, -1, NULL, NULL };

  if (*match_key == '\0' || strchr (match_key, '"') != NULL || strchr (match_key, '\'') != NULL ||
      strchr (match_value, '\'') != NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has a match that cannot be read; write it as key[member=value]"), whole);
      return FALSE;
    }
  seg.match_key = g_strdup (match_key);
  seg.match_value = g_strdup (match_value);
  g_array_append_val (segs, seg);
  return TRUE;
}

/* "attributes[name=department]": the key, then a match. */
static gboolean
add_dotted_part (GArray *segs, const char *part, const char *whole, GError **error);

static gboolean
is_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
add_key_segment (GArray *segs, const char *key, gboolean dotted, const char *whole, GError **error)
{
  PathSeg seg = { NULL, -1, NULL, NULL };

  if (*key == '\0')
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has an empty key; remove the extra dot"), whole);
      return FALSE;
    }
  if (strchr (key, '"') != NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the key “%s” holds a double quote, which cannot be read; use another key"), key);
      return FALSE;
    }

  /* In the dotted form a number indexes an array; in the array form only a
   * JSON number does, so that a key like "0" can still be named. */
  if (dotted && is_digits (key))
    {
      guint64 index;

      if (!g_ascii_string_to_unsigned (key, 10, 0, G_MAXINT32, &index, NULL))
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("the index “%s” is too large"), key);
          return FALSE;
        }
      seg.index = (gint64) index;
    }
  else
    seg.key = g_strdup (key);

  g_array_append_val (segs, seg);
  return TRUE;
}

static gboolean
add_dotted_part (GArray *segs, const char *part, const char *whole, GError **error)
{
  const char *open = strchr (part, '[');
  g_autofree char *key = NULL;
  g_autofree char *inner = NULL;
  const char *eq;
  gsize len = strlen (part);

  if (open == NULL)
    return add_key_segment (segs, part, TRUE, whole, error);
  if (open == part || part[len - 1] != ']' || strchr (open + 1, '[') != NULL ||
      (eq = strchr (open, '=')) == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has a match that cannot be read; write it as key[member=value]"), whole);
      return FALSE;
    }
  key = g_strndup (part, open - part);
  if (!add_key_segment (segs, key, TRUE, whole, error))
    return FALSE;
  inner = g_strndup (open + 1, eq - open - 1);
  {
    g_autofree char *value = g_strndup (eq + 1, part + len - 1 - (eq + 1));

    return add_match_segment (segs, inner, value, whole, error);
  }
}

/* Parses a path (a dotted string or an array of keys and indexes) into
 * segments. "" is the item itself. A dotted part "key[member=value]" and an
 * array element {"where": {"member": "value"}} select the first element of
 * an array whose member has that value. */
static GArray *
path_parse (JsonNode *node, GError **error)
{
  g_autoptr(GArray) segs = g_array_new (FALSE, FALSE, sizeof (PathSeg));

  g_array_set_clear_func (segs, path_seg_clear);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *str = json_node_get_string (node);
      g_auto(GStrv) parts = NULL;

      if (*str == '\0')
        return g_steal_pointer (&segs);

      parts = g_strsplit (str, ".", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (!add_dotted_part (segs, parts[i], str, error))
          return NULL;

      return g_steal_pointer (&segs);
    }

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("a path given as an array needs at least one key; use \"\" for the item itself"));
          return NULL;
        }

      for (guint i = 0; i < n; i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          GType type = JSON_NODE_HOLDS_VALUE (el) ? json_node_get_value_type (el) : G_TYPE_INVALID;

          if (type == G_TYPE_STRING)
            {
              if (!add_key_segment (segs, json_node_get_string (el), FALSE, json_node_get_string (el), error))
                return NULL;
            }
          else if (type == G_TYPE_INT64 && json_node_get_int (el) >= 0 &&
                   json_node_get_int (el) <= G_MAXINT32)
            {
              PathSeg seg = { NULL, json_node_get_int (el), NULL, NULL };

              g_array_append_val (segs, seg);
            }
          else if (JSON_NODE_HOLDS_OBJECT (el) &&
                   json_object_get_size (json_node_get_object (el)) == 1 &&
                   json_object_has_member (json_node_get_object (el), "where") &&
                   JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (el), "where")) &&
                   json_object_get_size (json_object_get_object_member (json_node_get_object (el), "where")) == 1)
            {
              JsonObject *where = json_object_get_object_member (json_node_get_object (el), "where");
              g_autoptr(GList) names = json_object_get_members (where);
              JsonNode *value = json_object_get_member (where, names->data);

              if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
                {
                  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("element %u of the path matches a value that is not a string"), i);
                  return NULL;
                }
              if (!add_match_segment (segs, names->data, json_node_get_string (value), names->data, error))
                return NULL;
            }
          else
            {
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                           _("element %u of the path is neither a key nor an array index; use a string or a number ≥ 0"), i);
              return NULL;
            }
        }

      return g_steal_pointer (&segs);
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("a path must be a string like \"profile.email\" or an array of keys like [\"@odata.nextLink\"]"));
  return NULL;
}

static char *node_to_text (JsonNode *node, gboolean bool_words);

/* Returns the node at @segs (borrowed), which may be a JSON null; NULL when
 * the path does not exist. */
static JsonNode *
path_lookup (JsonNode *item, GArray *segs)
{
  JsonNode *node = item;

  for (guint i = 0; node != NULL && i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->key != NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return NULL;
          node = json_object_get_member (json_node_get_object (node), seg->key);
        }
      else if (seg->match_key != NULL)
        {
          JsonArray *array;
          JsonNode *found = NULL;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return NULL;
          array = json_node_get_array (node);
          for (guint k = 0; found == NULL && k < json_array_get_length (array); k++)
            {
              JsonNode *el = json_array_get_element (array, k);
              JsonNode *member;
              g_autofree char *text = NULL;

              if (!JSON_NODE_HOLDS_OBJECT (el))
                continue;
              member = json_object_get_member (json_node_get_object (el), seg->match_key);
              text = node_to_text (member, TRUE);
              if (text != NULL && g_str_equal (text, seg->match_value))
                found = el;
            }
          node = found;
        }
      else
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return NULL;
          array = json_node_get_array (node);
          if (seg->index >= json_array_get_length (array))
            return NULL;
          node = json_array_get_element (array, (guint) seg->index);
        }
    }

  return node;
}

static gboolean
key_needs_quotes (const char *key)
{
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return TRUE;
  return FALSE;
}

/* The SQLite JSON path ("$.a[0].\"@b\"") of @segs. */
static char *
path_to_sqlite (GArray *segs)
{
  GString *out = g_string_new ("$");

  for (guint i = 0; i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->key == NULL)
        g_string_append_printf (out, "[%" G_GINT64_FORMAT "]", seg->index);
      else if (key_needs_quotes (seg->key))
        g_string_append_printf (out, ".\"%s\"", seg->key);
      else
        g_string_append_printf (out, ".%s", seg->key);
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Templates                                                                 */
/* ------------------------------------------------------------------------ */

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* A relative date at @p (which points at '{'): "{now}", "{now-30d}",
 * "{now+2h:date}", "{now-15m:epoch}". Units: d(ays), h(ours), m(inutes);
 * formats: iso (default, "2026-03-01T08:00:00Z"), date ("2026-03-01"),
 * epoch (seconds). Returns the end ('}') or NULL when @p is not one; sets
 * @offset (seconds) and @format. */
static const char *
relative_date_parse (const char  *p,
                     gint64      *offset,
                     const char **format,
                     gsize       *format_len)
{
  const char *q = p + 1;

  *offset = 0;
  *format = "iso";
  *format_len = 3;
  if (!g_str_has_prefix (q, "now"))
    return NULL;
  q += 3;
  if (*q == '-' || *q == '+')
    {
      gboolean minus = *q == '-';
      gint64 n = 0;
      guint digits = 0;

      for (q++; g_ascii_isdigit (*q) && digits < 7; q++, digits++)
        n = n * 10 + (*q - '0');
      if (digits == 0 || g_ascii_isdigit (*q))
        return NULL;
      if (*q == 'd')
        n *= 86400;
      else if (*q == 'h')
        n *= 3600;
      else if (*q == 'm')
        n *= 60;
      else
        return NULL;
      q++;
      *offset = minus ? -n : n;
    }
  if (*q == ':')
    {
      static const char * const formats[] = { "iso", "date", "epoch" };
      gboolean known = FALSE;

      q++;
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        if (g_str_has_prefix (q, formats[i]) && q[strlen (formats[i])] == '}')
          {
            *format = formats[i];
            *format_len = strlen (formats[i]);
            q += strlen (formats[i]);
            known = TRUE;
            break;
          }
      if (!known)
        return NULL;
    }
  return *q == '}' ? q : NULL;
}

static char *
relative_date_format (gint64      now,
                      gint64      offset,
                      const char *format)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (now + offset);

  if (when == NULL)
    return g_strdup ("");
  if (g_str_has_prefix (format, "epoch"))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (when));
  if (g_str_has_prefix (format, "date"))
    return g_date_time_format (when, "%Y-%m-%d");
  return g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
}

/* Calls @func for each {name} in @str; a '{' that does not start a name is
 * literal text, and so is a relative date ("{now-30d}"). Stops and returns
 * FALSE when @func does. */
typedef gboolean (*TemplateFunc) (const char *name, gpointer user_data);

static gboolean
template_foreach_name (const char   *str,
                       TemplateFunc  func,
                       gpointer      user_data)
{
  for (const char *p = str; *p != '\0'; p++)
    {
      const char *end;
      gint64 offset;
      const char *format;
      gsize format_len;

      if (*p != '{')
        continue;
      if ((end = relative_date_parse (p, &offset, &format, &format_len)) != NULL)
        {
          p = end;
          continue;
        }
      for (end = p + 1; is_name_char (*end); end++)
        ;
      if (*end == '}' && end > p + 1)
        {
          g_autofree char *name = g_strndup (p + 1, end - p - 1);

          if (!func (name, user_data))
            return FALSE;
          p = end;
        }
    }

  return TRUE;
}

char *
portico_template_expand (const char *template_str,
                         GHashTable *values,
                         gboolean    uri_escape,
                         GError    **error)
{
  return portico_template_expand_at (template_str, values, uri_escape,
                                     g_get_real_time () / G_USEC_PER_SEC, error);
}

char *
portico_template_expand_at (const char *template_str,
                            GHashTable *values,
                            gboolean    uri_escape,
                            gint64      now,
                            GError    **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (template_str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_new (NULL);

  for (const char *p = template_str; *p != '\0'; p++)
    {
      const char *end;
      gint64 offset;
      const char *format;
      gsize format_len;

      if (*p == '{' && (end = relative_date_parse (p, &offset, &format, &format_len)) != NULL)
        {
          g_autofree char *date = relative_date_format (now, offset, format);

          /* The ISO form holds ':', which a query value escapes. */
          if (uri_escape)
            {
              g_autofree char *escaped = g_uri_escape_string (date, NULL, FALSE);

              g_string_append (out, escaped);
            }
          else
            g_string_append (out, date);
          p = end;
          continue;
        }
      if (*p == '{')
        {
          for (end = p + 1; is_name_char (*end); end++)
            ;
          if (*end == '}' && end > p + 1)
            {
              g_autofree char *name = g_strndup (p + 1, end - p - 1);
              const char *value = values != NULL ? g_hash_table_lookup (values, name) : NULL;

              if (value == NULL)
                {
                  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                               _("The value “%s” is needed but was not given; fill it in."), name);
                  return NULL;
                }
              if (uri_escape)
                {
                  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

                  g_string_append (out, escaped);
                }
              else
                g_string_append (out, value);
              p = end;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Expressions: evaluation                                                   */
/* ------------------------------------------------------------------------ */

/* SQLite renders a REAL as "%!.15g": 15 significant digits and always a
 * decimal point ("100.0", "1.0e+20"). Doing the same keeps the json-glib and
 * SQL evaluations of an expression identical. */
static char *
format_real (double value)
{
  char buf[64];
  char *e;

  g_snprintf (buf, sizeof buf, "%.15g", value);
  if (strchr (buf, '.') != NULL || strchr (buf, 'n') != NULL || strchr (buf, 'N') != NULL)
    return g_strdup (buf);

  e = strchr (buf, 'e');
  if (e != NULL)
    {
      g_autofree char *mantissa = g_strndup (buf, e - buf);

      return g_strdup_printf ("%s.0%s", mantissa, e);
    }

  return g_strdup_printf ("%s.0", buf);
}

/* A double as a SQL literal that SQLite reads back as the same REAL. */
static char *
format_real_literal (double value)
{
  char buf[64];

  g_snprintf (buf, sizeof buf, "%.17g", value);
  if (strpbrk (buf, ".e") == NULL)
    return g_strdup_printf ("%s.0", buf);
  return g_strdup (buf);
}

/* The text of a scalar as SQLite's CAST(json_extract(...) AS TEXT) gives it,
 * except that @bool_words renders booleans as "true"/"false" (value maps). */
static char *
node_to_text (JsonNode *node, gboolean bool_words)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return format_real (json_node_get_double (node));
      if (type == G_TYPE_BOOLEAN)
        {
          if (bool_words)
            return g_strdup (json_node_get_boolean (node) ? "true" : "false");
          return g_strdup (json_node_get_boolean (node) ? "1" : "0");
        }
      return NULL;
    }

  return json_to_string (node, FALSE);
}

static JsonNode *
string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str);
  return node;
}

/* SQLite's numeric reading of text in arithmetic: the longest leading
 * number, else 0. @is_int: whether that number is an integer SQLite keeps as
 * one (no '.', no exponent, within 64 bits; also no number at all, which
 * SQLite reads as the integer 0), stored in @int_value. */
static double
text_to_real (const char *str,
              gboolean   *is_int,
              gint64     *int_value)
{
  const char *p = str;
  const char *start;
  g_autofree char *number = NULL;

  while (g_ascii_isspace (*p))
    p++;
  start = p;
  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++;
  *is_int = FALSE;
  if (*p != '.' && *p != 'e' && *p != 'E')
    {
      g_autofree char *digits = g_strndup (start, p - start);

      if (p == start || (p == start + 1 && (*start == '+' || *start == '-')))
        {
          *int_value = 0;
          *is_int = TRUE;
          return 0;
        }
      if (g_ascii_string_to_signed (digits[0] == '+' ? digits + 1 : digits, 10,
                                    G_MININT64, G_MAXINT64, int_value, NULL))
        {
          *is_int = TRUE;
          return (double) *int_value;
        }
    }
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if ((*p == 'e' || *p == 'E') && p > start)
    {
      const char *q = p + 1;

      if (*q == '+' || *q == '-')
        q++;
      if (g_ascii_isdigit (*q))
        {
          while (g_ascii_isdigit (*q))
            q++;
          p = q;
        }
    }

  number = g_strndup (start, p - start);
  return g_ascii_strtod (number, NULL);
}

static JsonNode *expr_eval (JsonNode *expr, JsonNode *item, GHashTable *field_values);

static JsonNode *
eval_path (JsonNode *path, JsonNode *item)
{
  g_autoptr(GArray) segs = path_parse (path, NULL);
  JsonNode *found;

  if (segs == NULL)
    return NULL;
  found = path_lookup (item, segs);
  if (found == NULL || JSON_NODE_HOLDS_NULL (found))
    return NULL;
  return json_node_copy (found);
}

static JsonNode *
eval_scale (JsonNode *value, JsonNode *scale)
{
  JsonNode *result = json_node_new (JSON_NODE_VALUE);
  gboolean value_is_int = FALSE;
  gint64 ivalue = 0;
  gint64 product;
  double dvalue = 0;

  switch (json_node_get_value_type (value))
    {
    case G_TYPE_INT64:
      value_is_int = TRUE;
      ivalue = json_node_get_int (value);
      break;
    case G_TYPE_BOOLEAN:
      value_is_int = TRUE;
      ivalue = json_node_get_boolean (value) ? 1 : 0;
      break;
    case G_TYPE_DOUBLE:
      dvalue = json_node_get_double (value);
      break;
    case G_TYPE_STRING:
      /* As SQLite: a leading integer stays an integer, other text is a REAL. */
      dvalue = text_to_real (json_node_get_string (value), &value_is_int, &ivalue);
      break;
    default:
      break;
    }

  /* SQLite turns an integer product that overflows into a REAL. */
  if (value_is_int && json_node_get_value_type (scale) == G_TYPE_INT64 &&
      !__builtin_mul_overflow (ivalue, json_node_get_int (scale), &product))
    json_node_set_int (result, product);
  else
    json_node_set_double (result, (value_is_int ? (double) ivalue : dvalue) *
                                  json_node_get_double (scale));

  return result;
}

static JsonNode *
eval_object (JsonObject *obj, JsonNode *item, GHashTable *field_values)
{
  if (json_object_has_member (obj, "path"))
    {
      g_autoptr(JsonNode) value = eval_path (json_object_get_member (obj, "path"), item);
      JsonNode *def = json_object_get_member (obj, "default");

      if (json_object_has_member (obj, "map"))
        {
          JsonObject *map = json_object_get_object_member (obj, "map");
          g_autofree char *key = node_to_text (value, TRUE);
          JsonNode *mapped = NULL;

          if (key != NULL && map != NULL)
            mapped = json_object_get_member (map, key);
          if (mapped == NULL)
            mapped = def;
          if (mapped == NULL || JSON_NODE_HOLDS_NULL (mapped))
            return NULL;
          return json_node_copy (mapped);
        }

      if (value != NULL && json_object_has_member (obj, "scale") && JSON_NODE_HOLDS_VALUE (value))
        {
          JsonNode *scaled = eval_scale (value, json_object_get_member (obj, "scale"));

          g_clear_pointer (&value, json_node_unref);
          value = scaled;
        }
      else if (value != NULL && json_object_has_member (obj, "scale"))
        {
          /* SQLite multiplies JSON text (an object or array) as 0. */
          JsonNode *scale = json_object_get_member (obj, "scale");
          JsonNode *zero = json_node_new (JSON_NODE_VALUE);

          if (json_node_get_value_type (scale) == G_TYPE_INT64)
            json_node_set_int (zero, 0);
          else
            json_node_set_double (zero, 0.0);
          g_clear_pointer (&value, json_node_unref);
          value = zero;
        }

      if (value == NULL && def != NULL && !JSON_NODE_HOLDS_NULL (def))
        return json_node_copy (def);
      return g_steal_pointer (&value);
    }

  if (json_object_has_member (obj, "join"))
    {
      JsonArray *parts = json_object_get_array_member (obj, "join");
      const char *sep = json_object_get_string_member_with_default (obj, "sep", " ");
      g_autoptr(GString) out = NULL;

      for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
        {
          g_autofree char *text = portico_expr_eval_string (json_array_get_element (parts, i),
                                                            item, field_values);

          if (text == NULL || *text == '\0')
            continue;
          if (out == NULL)
            out = g_string_new (text);
          else
            {
              g_string_append (out, sep);
              g_string_append (out, text);
            }
        }

      if (out == NULL)
        return NULL;
      return string_node (out->str);
    }

  if (json_object_has_member (obj, "first"))
    {
      JsonArray *choices = json_object_get_array_member (obj, "first");

      for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
        {
          JsonNode *value = expr_eval (json_array_get_element (choices, i), item, field_values);

          if (value != NULL)
            return value;
        }
      return NULL;
    }

  if (json_object_has_member (obj, "literal"))
    {
      JsonNode *literal = json_object_get_member (obj, "literal");

      if (JSON_NODE_HOLDS_NULL (literal))
        return NULL;
      return json_node_copy (literal);
    }

  if (json_object_has_member (obj, "all"))
    {
      /* Several values per field: every element's value, as text, joined
       * (as SQLite's group_concat: NULL when there is none). */
      g_autoptr(GArray) segs = path_parse (json_object_get_member (obj, "all"), NULL);
      JsonNode *each_path = json_object_get_member (obj, "each");
      g_autoptr(GArray) each = each_path != NULL ? path_parse (each_path, NULL) : NULL;
      JsonNode *found = segs != NULL ? path_lookup (item, segs) : NULL;
      const char *sep = json_object_get_string_member_with_default (obj, "sep", ", ");
      g_autoptr(GString) joined = NULL;
      JsonArray *array;

      if (found == NULL || !JSON_NODE_HOLDS_ARRAY (found))
        return NULL;
      array = json_node_get_array (found);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          JsonNode *value = each != NULL ? path_lookup (el, each) : el;
          g_autofree char *text = NULL;

          if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
            continue;
          text = node_to_text (value, FALSE);
          if (joined == NULL)
            joined = g_string_new (text);
          else
            {
              g_string_append (joined, sep);
              g_string_append (joined, text);
            }
        }
      return joined != NULL ? string_node (joined->str) : NULL;
    }

  if (json_object_has_member (obj, "count"))
    {
      g_autoptr(GArray) segs = path_parse (json_object_get_member (obj, "count"), NULL);
      JsonNode *found = segs != NULL ? path_lookup (item, segs) : NULL;
      JsonNode *result;

      /* As json_array_length(): NULL when missing, 0 when not an array. */
      if (found == NULL)
        return NULL;
      result = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (result, JSON_NODE_HOLDS_ARRAY (found) ?
                                 json_array_get_length (json_node_get_array (found)) : 0);
      return result;
    }

  if (json_object_has_member (obj, "template"))
    {
      const char *tmpl = json_object_get_string_member_with_default (obj, "template", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (tmpl == NULL)
        return NULL;
      text = portico_template_expand (tmpl, field_values, FALSE, &error);
      if (text == NULL)
        {
          g_debug ("Cannot expand template: %s", error->message);
          return NULL;
        }
      return string_node (text);
    }

  return NULL;
}

static JsonNode *
expr_eval (JsonNode   *expr,
           JsonNode   *item,
           GHashTable *field_values)
{
  if (expr == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (expr))
    return eval_object (json_node_get_object (expr), item, field_values);
  return eval_path (expr, item);
}

JsonNode *
portico_expr_eval (JsonNode   *expr,
                   JsonNode   *item,
                   GHashTable *field_values)
{
  g_return_val_if_fail (expr != NULL, NULL);

  return expr_eval (expr, item, field_values);
}

char *
portico_expr_eval_string (JsonNode   *expr,
                          JsonNode   *item,
                          GHashTable *field_values)
{
  g_autoptr(JsonNode) value = NULL;

  g_return_val_if_fail (expr != NULL, NULL);

  value = expr_eval (expr, item, field_values);
  return node_to_text (value, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Expressions: SQL                                                          */
/* ------------------------------------------------------------------------ */

static void
append_sql_string (GString *out, const char *str)
{
  g_string_append_c (out, '\'');
  for (const char *p = str; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static gboolean
append_sql_scalar (GString *out, JsonNode *node, GError **error)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "NULL");
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          append_sql_string (out, json_node_get_string (node));
          return TRUE;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          return TRUE;
        case G_TYPE_DOUBLE:
          {
            g_autofree char *text = format_real_literal (json_node_get_double (node));

            g_string_append (out, text);
            return TRUE;
          }
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "1" : "0");
          return TRUE;
        default:
          break;
        }
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("a constant must be a string, a number, true, false or null"));
  return FALSE;
}

/* @func over @segs[from..] of @column. A match segment becomes a subquery
 * over the array before it; its source is taken through a one-row SELECT
 * so that the outer "value" column is never confused with json_each's own. */
static void
append_sql_segs (GString *out, const char *func, const char *column, GArray *segs,
                 guint from, guint depth)
{
  g_autoptr(GArray) prefix = g_array_new (FALSE, FALSE, sizeof (PathSeg));
  g_autofree char *sqlite_path = NULL;
  guint i;

  for (i = from; i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->match_key != NULL)
        break;
      g_array_append_val (prefix, *seg);
    }
  sqlite_path = path_to_sqlite (prefix);

  if (i == segs->len)
    {
      g_string_append_printf (out, "%s(%s, ", func, column);
      append_sql_string (out, sqlite_path);
      g_string_append_c (out, ')');
      return;
    }

  {
    PathSeg *match = &g_array_index (segs, PathSeg, i);
    g_autofree char *element = g_strdup_printf ("m%u.value", depth);
    g_autofree char *key_path = NULL;
    PathSeg key_seg = { match->match_key, -1, NULL, NULL };
    g_autoptr(GArray) key_segs = g_array_new (FALSE, FALSE, sizeof (PathSeg));

    g_array_append_val (key_segs, key_seg);
    key_path = path_to_sqlite (key_segs);
    g_string_append (out, "(SELECT ");
    append_sql_segs (out, func, element, segs, i + 1, depth + 1);
    g_string_append_printf (out, " FROM (SELECT %s AS src) AS o%u JOIN json_each(o%u.src, ", column, depth, depth);
    append_sql_string (out, sqlite_path);
    g_string_append_printf (out, ") AS m%u WHERE json_type(o%u.src, ", depth, depth);
    append_sql_string (out, sqlite_path);
    g_string_append_printf (out, ") = 'array' AND (CASE WHEN m%u.type = 'object' THEN CAST(json_extract(%s, ",
                            depth, element);
    append_sql_string (out, key_path);
    g_string_append (out, ") AS TEXT) END) = ");
    append_sql_string (out, match->match_value);
    g_string_append (out, " LIMIT 1)");
  }
}

static gboolean
append_sql_path (GString *out, const char *func, const char *column, JsonNode *path, GError **error)
{
  g_autoptr(GArray) segs = path_parse (path, error);

  if (segs == NULL)
    return FALSE;

  /* Nested subqueries name their tables by depth, so names never collide. */
  append_sql_segs (out, func, column, segs, 0, 1);
  return TRUE;
}

static gboolean expr_sql (GString *out, JsonNode *expr, const char *column, GError **error);

static gboolean
expr_sql_map (GString *out, JsonObject *obj, const char *column, GError **error)
{
  JsonNode *path = json_object_get_member (obj, "path");
  JsonObject *map = json_object_get_object_member (obj, "map");
  JsonNode *def = json_object_get_member (obj, "default");
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gboolean other_keys = FALSE;

  if (map == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("“map” must be an object of values"));
      return FALSE;
    }

  /* json_extract() gives 1 and 0 for JSON booleans, so they are told apart
   * from numbers by json_type() and compared as "true" and "false". */
  g_string_append (out, "CASE ");
  if (!append_sql_path (out, "json_type", column, path, error))
    return FALSE;
  g_string_append (out, " WHEN 'true' THEN ");
  if (!append_sql_scalar (out, json_object_has_member (map, "true") ?
                               json_object_get_member (map, "true") : def, error))
    return FALSE;
  g_string_append (out, " WHEN 'false' THEN ");
  if (!append_sql_scalar (out, json_object_has_member (map, "false") ?
                               json_object_get_member (map, "false") : def, error))
    return FALSE;
  g_string_append (out, " ELSE ");

  /* Every key also compares with the text of the value, so that the JSON
   * string "true" matches the key "true" as a JSON true does. */
  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      if (!other_keys)
        {
          g_string_append (out, "CASE CAST(");
          if (!append_sql_path (out, "json_extract", column, path, error))
            return FALSE;
          g_string_append (out, " AS TEXT)");
          other_keys = TRUE;
        }
      g_string_append (out, " WHEN ");
      append_sql_string (out, key);
      g_string_append (out, " THEN ");
      if (!append_sql_scalar (out, value, error))
        return FALSE;
    }

  if (other_keys)
    g_string_append (out, " ELSE ");
  if (!append_sql_scalar (out, def, error))
    return FALSE;
  if (other_keys)
    g_string_append (out, " END");
  g_string_append (out, " END");
  return TRUE;
}

static gboolean
expr_sql_object (GString *out, JsonObject *obj, const char *column, GError **error)
{
  if (json_object_has_member (obj, "path"))
    {
      JsonNode *def = json_object_get_member (obj, "default");
      gboolean with_default;
      g_autoptr(GString) value = g_string_new (NULL);

      if (json_object_has_member (obj, "map"))
        return expr_sql_map (out, obj, column, error);

      if (!append_sql_path (value, "json_extract", column, json_object_get_member (obj, "path"), error))
        return FALSE;

      if (json_object_has_member (obj, "scale"))
        {
          g_string_prepend (value, "(");
          g_string_append (value, " * ");
          if (!append_sql_scalar (value, json_object_get_member (obj, "scale"), error))
            return FALSE;
          g_string_append (value, ")");
        }

      with_default = def != NULL && !JSON_NODE_HOLDS_NULL (def);
      if (with_default)
        g_string_append (out, "coalesce(");
      g_string_append (out, value->str);
      if (with_default)
        {
          g_string_append (out, ", ");
          if (!append_sql_scalar (out, def, error))
            return FALSE;
          g_string_append (out, ")");
        }
      return TRUE;
    }

  if (json_object_has_member (obj, "join"))
    {
      JsonArray *parts = json_object_get_array_member (obj, "join");
      const char *sep = json_object_get_string_member_with_default (obj, "sep", " ");

      if (parts == NULL || json_array_get_length (parts) == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("“join” needs a list of values"));
          return FALSE;
        }

      /* Each non-empty part is prefixed with the separator, and the first
       * separator is cut off again; nothing at all gives NULL. */
      g_string_append (out, "NULLIF(substr(");
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          if (i > 0)
            g_string_append (out, " || ");
          g_string_append (out, "coalesce(");
          append_sql_string (out, sep);
          g_string_append (out, " || NULLIF(CAST(");
          if (!expr_sql (out, json_array_get_element (parts, i), column, error))
            return FALSE;
          g_string_append (out, " AS TEXT), ''), '')");
        }
      g_string_append_printf (out, ", %ld), '')", g_utf8_strlen (sep, -1) + 1);
      return TRUE;
    }

  if (json_object_has_member (obj, "first"))
    {
      JsonArray *choices = json_object_get_array_member (obj, "first");
      guint n = choices != NULL ? json_array_get_length (choices) : 0;

      if (n == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("“first” needs a list of values"));
          return FALSE;
        }
      if (n == 1)
        return expr_sql (out, json_array_get_element (choices, 0), column, error);

      g_string_append (out, "coalesce(");
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          if (!expr_sql (out, json_array_get_element (choices, i), column, error))
            return FALSE;
        }
      g_string_append (out, ")");
      return TRUE;
    }

  if (json_object_has_member (obj, "literal"))
    return append_sql_scalar (out, json_object_get_member (obj, "literal"), error);

  if (json_object_has_member (obj, "all"))
    {
      g_autoptr(GArray) segs = path_parse (json_object_get_member (obj, "all"), error);
      g_autoptr(GArray) each = NULL;
      g_autofree char *all_path = NULL;
      g_autofree char *each_path = NULL;

      if (segs == NULL)
        return FALSE;
      if (json_object_has_member (obj, "each"))
        {
          each = path_parse (json_object_get_member (obj, "each"), error);
          if (each == NULL)
            return FALSE;
        }
      /* json_each's value is JSON text only for containers, so a scalar
       * element is read as its atom and a member only from an object. */
      all_path = path_to_sqlite (segs);
      if (each != NULL)
        {
          each_path = path_to_sqlite (each);
          g_string_append (out, "(SELECT group_concat(CASE WHEN a1.type = 'object' THEN CAST(json_extract(a1.value, ");
          append_sql_string (out, each_path);
          g_string_append (out, ") AS TEXT) END, ");
        }
      else
        g_string_append (out, "(SELECT group_concat(CAST(a1.atom AS TEXT), ");
      append_sql_string (out, json_object_get_string_member_with_default (obj, "sep", ", "));
      g_string_append_printf (out, ") FROM (SELECT %s AS src) AS s1 JOIN json_each(s1.src, ", column);
      append_sql_string (out, all_path);
      g_string_append (out, ") AS a1 WHERE json_type(s1.src, ");
      append_sql_string (out, all_path);
      if (each != NULL)
        {
          g_string_append (out, ") = 'array' AND (CASE WHEN a1.type = 'object' THEN json_type(a1.value, ");
          append_sql_string (out, each_path);
          g_string_append (out, ") END) NOT IN ('object', 'array', 'null'))");
        }
      else
        g_string_append (out, ") = 'array' AND a1.type NOT IN ('object', 'array', 'null'))");
      return TRUE;
    }

  if (json_object_has_member (obj, "count"))
    return append_sql_path (out, "json_array_length", column,
                            json_object_get_member (obj, "count"), error);

  if (json_object_has_member (obj, "template"))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("a template reads field values, not items, and cannot be used in a data type map"));
      return FALSE;
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("unknown expression; use a path or an object with path, join, first, literal or count"));
  return FALSE;
}

static gboolean
expr_sql (GString *out, JsonNode *expr, const char *column, GError **error)
{
  if (JSON_NODE_HOLDS_OBJECT (expr))
    return expr_sql_object (out, json_node_get_object (expr), column, error);
  return append_sql_path (out, "json_extract", column, expr, error);
}

char *
portico_expr_to_sql (JsonNode   *expr,
                     const char *json_column,
                     GError    **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (json_column != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_new (NULL);
  if (!expr_sql (out, expr, json_column, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                */
/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *file;     /* the file name in messages */
  GError **error;
  GPtrArray *field_ids; /* the declared field ids */
  gboolean has_actions;
  gboolean has_act;
  gboolean allow_response; /* inside a "then" request: {response} is known */
  gboolean allow_item;     /* a data type read per item: {item} is known */
} Check;

static gboolean fail (Check *c, const char *path, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Check *c, const char *path, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (path != NULL && *path != '\0')
    g_set_error (c->error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                 "%s: %s: %s", c->file, path, message);
  else
    g_set_error (c->error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                 "%s: %s", c->file, message);
  return FALSE;
}

static char *
sub (const char *path, const char *key)
{
  if (path == NULL || *path == '\0')
    return g_strdup (key);
  return g_strconcat (path, ".", key, NULL);
}

static char *
idx (const char *path, guint i)
{
  return g_strdup_printf ("%s[%u]", path, i);
}

static char *
join_names (const char * const *names)
{
  return g_strjoinv (", ", (char **) names);
}

static gboolean
in_list (const char * const *list, const char *value)
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

static gboolean
holds (JsonNode *node, GType type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Refuses keys not in @allowed. */
static gboolean
check_keys (Check *c, JsonObject *obj, const char *path, const char * const *allowed)
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
      if (((key[0] == '_' || key[0] == '$') && *path == '\0') || in_list (allowed, key))
        continue;
      names = join_names (allowed);
      key_path = sub (path, key);
      return fail (c, key_path, _("unknown key; use one of %s"), names);
    }

  return TRUE;
}

static gboolean
missing (Check *c, const char *path, const char *what)
{
  return fail (c, path, _("missing; add %s"), what);
}

static gboolean
wrong_type (Check *c, const char *path, JsonNode *node, const char *expected)
{
  return fail (c, path, _("is %s; it must be %s"), node_kind (node), expected);
}

/* Gets an optional/required string member; @out may be NULL. */
static gboolean
get_string (Check *c, JsonObject *obj, const char *path, const char *key,
            gboolean required, gboolean nonempty, const char **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (node == NULL)
    return required ? missing (c, key_path, _("a string")) : TRUE;
  if (!holds (node, G_TYPE_STRING))
    return wrong_type (c, key_path, node, _("a string"));
  if (nonempty && *json_node_get_string (node) == '\0')
    return fail (c, key_path, _("is empty; fill it in"));
  if (out != NULL)
    *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_bool (Check *c, JsonObject *obj, const char *path, const char *key, gboolean required)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  if (node == NULL)
    return required ? missing (c, key_path, _("true or false")) : TRUE;
  if (!holds (node, G_TYPE_BOOLEAN))
    return wrong_type (c, key_path, node, _("true or false"));
  return TRUE;
}

static gboolean
get_int (Check *c, JsonObject *obj, const char *path, const char *key,
         gboolean required, gint64 min, gint64 max)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  if (node == NULL)
    return required ? missing (c, key_path, _("an integer")) : TRUE;
  if (!holds (node, G_TYPE_INT64))
    return wrong_type (c, key_path, node, _("an integer"));
  if (json_node_get_int (node) < min || json_node_get_int (node) > max)
    return fail (c, key_path, _("%" PRId64 " is out of range; use a value from %"
                                PRId64 " to %" PRId64),
                 json_node_get_int (node), min, max);
  return TRUE;
}

static gboolean
get_object (Check *c, JsonObject *obj, const char *path, const char *key,
            gboolean required, JsonObject **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  *out = NULL;
  if (node == NULL)
    return required ? missing (c, key_path, _("an object")) : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (c, key_path, node, _("an object"));
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_array (Check *c, JsonObject *obj, const char *path, const char *key,
           gboolean required, JsonArray **out)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  *out = NULL;
  if (node == NULL)
    return required ? missing (c, key_path, _("an array")) : TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (c, key_path, node, _("an array"));
  *out = json_node_get_array (node);
  return TRUE;
}

static gboolean
get_choice (Check *c, JsonObject *obj, const char *path, const char *key,
            gboolean required, const char * const *choices, const char *what,
            const char **out)
{
  const char *value;
  g_autofree char *key_path = sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (!get_string (c, obj, path, key, required, FALSE, &value))
    return FALSE;
  if (value != NULL && !in_list (choices, value))
    {
      g_autofree char *names = join_names (choices);

      return fail (c, key_path, _("unknown %s “%s”; use one of %s"), what, value, names);
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

static gboolean
check_https_url (Check *c, const char *path, const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return fail (c, path, _("“%s” is not an https:// address; use the full https:// address of the page"), value);
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
  if (tc->allow_user && (g_str_equal (name, "user_id") || g_str_equal (name, "user_email")))
    return TRUE;
  if (tc->c->allow_response && g_str_equal (name, "response"))
    return TRUE;
  if (tc->c->allow_item && g_str_equal (name, "item"))
    return TRUE;

  known = g_string_new (NULL);
  for (guint i = 0; i < tc->c->field_ids->len; i++)
    g_string_append_printf (known, "%s, ", (const char *) g_ptr_array_index (tc->c->field_ids, i));
  g_string_append (known, API_BASE_URL);
  if (tc->allow_user)
    g_string_append (known, ", user_id, user_email");
  if (tc->c->allow_response)
    g_string_append (known, ", response");
  if (tc->c->allow_item)
    g_string_append (known, ", item");

  fail (tc->c, tc->path, _("unknown template name “{%s}”; declare a field “%s” or use one of %s"),
        name, name, known->str);
  return FALSE;
}

static gboolean
check_template (Check *c, const char *path, const char *str, gboolean allow_user)
{
  TemplateCheck tc = { c, path, allow_user };

  return template_foreach_name (str, template_name_ok, &tc);
}

static gboolean
check_template_member (Check *c, JsonObject *obj, const char *path, const char *key,
                       gboolean required, gboolean allow_user, const char **out)
{
  const char *value;
  g_autofree char *key_path = sub (path, key);

  if (out != NULL)
    *out = NULL;
  if (!get_string (c, obj, path, key, required, FALSE, &value))
    return FALSE;
  if (value != NULL && !check_template (c, key_path, value, allow_user))
    return FALSE;
  if (out != NULL)
    *out = value;
  return TRUE;
}

/* An object of string templates (headers, query, form parameters). */
static gboolean
check_template_object (Check *c, JsonObject *obj, const char *path, const char *key,
                       gboolean allow_user)
{
  JsonObject *map;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  g_autofree char *key_path = sub (path, key);

  if (!get_object (c, obj, path, key, FALSE, &map))
    return FALSE;
  if (map == NULL)
    return TRUE;

  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &member, &value))
    {
      g_autofree char *member_path = sub (key_path, member);

      if (!holds (value, G_TYPE_STRING))
        return wrong_type (c, member_path, value, _("a string"));
      if (!check_template (c, member_path, json_node_get_string (value), allow_user))
        return FALSE;
    }

  return TRUE;
}

/* Every string in a JSON body is a template. */
static gboolean
check_body_templates (Check *c, const char *path, JsonNode *node, gboolean allow_user)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &member, &value))
        {
          g_autofree char *member_path = sub (path, member);

          if (!check_body_templates (c, member_path, value, allow_user))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *el_path = idx (path, i);

          if (!check_body_templates (c, el_path, json_array_get_element (array, i), allow_user))
            return FALSE;
        }
    }
  else if (holds (node, G_TYPE_STRING))
    return check_template (c, path, json_node_get_string (node), allow_user);

  return TRUE;
}

static gboolean
check_path_node (Check *c, const char *path, JsonNode *node)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) segs = path_parse (node, &local_error);

  if (segs == NULL)
    return fail (c, path, "%s", local_error->message);
  return TRUE;
}

/* A path without matches ("key[member=value]"), where a match cannot be
 * compiled (the values of "all"). */
static gboolean
check_plain_path_node (Check *c, const char *path, JsonNode *node)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) segs = path_parse (node, &local_error);

  if (segs == NULL)
    return fail (c, path, "%s", local_error->message);
  for (guint i = 0; i < segs->len; i++)
    if (g_array_index (segs, PathSeg, i).match_key != NULL)
      return fail (c, path, _("a match (key[member=value]) cannot be used here; use a plain path"));
  return TRUE;
}

static gboolean
check_scalar (Check *c, const char *path, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node) || JSON_NODE_HOLDS_VALUE (node))
    return TRUE;
  return wrong_type (c, path, node, _("a string, a number, true, false or null"));
}

enum
{
  EXPR_TEMPLATE = 1 << 0, /* {"template": ...} allowed (identity) */
};

static gboolean check_expr (Check *c, const char *path, JsonNode *node, guint flags);

static gboolean
check_expr_list (Check *c, JsonObject *obj, const char *path, const char *key, guint flags)
{
  JsonArray *list;
  g_autofree char *key_path = sub (path, key);

  if (!get_array (c, obj, path, key, TRUE, &list))
    return FALSE;
  if (json_array_get_length (list) == 0)
    return fail (c, key_path, _("is empty; list at least one value"));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autofree char *el_path = idx (key_path, i);

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
    return check_path_node (c, path, node);

  obj = json_node_get_object (node);

  if (json_object_has_member (obj, "path"))
    {
      g_autofree char *path_path = sub (path, "path");
      JsonObject *map;
      JsonNode *def = json_object_get_member (obj, "default");
      JsonNode *scale = json_object_get_member (obj, "scale");

      if (!check_keys (c, obj, path, path_keys) ||
          !check_path_node (c, path_path, json_object_get_member (obj, "path")) ||
          !get_object (c, obj, path, "map", FALSE, &map))
        return FALSE;

      if (map != NULL)
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;
          g_autofree char *map_path = sub (path, "map");

          if (scale != NULL)
            return fail (c, path, _("has both “map” and “scale”; keep one of them"));
          json_object_iter_init_ordered (&iter, map);
          while (json_object_iter_next_ordered (&iter, &key, &value))
            {
              g_autofree char *value_path = sub (map_path, key);

              if (!check_scalar (c, value_path, value))
                return FALSE;
            }
        }

      if (def != NULL)
        {
          g_autofree char *def_path = sub (path, "default");

          if (!check_scalar (c, def_path, def))
            return FALSE;
        }

      if (scale != NULL && !holds (scale, G_TYPE_INT64) && !holds (scale, G_TYPE_DOUBLE))
        {
          g_autofree char *scale_path = sub (path, "scale");

          return wrong_type (c, scale_path, scale, _("a number"));
        }

      return TRUE;
    }

  if (json_object_has_member (obj, "join"))
    return check_keys (c, obj, path, join_keys) &&
           get_string (c, obj, path, "sep", FALSE, FALSE, NULL) &&
           check_expr_list (c, obj, path, "join", flags);

  if (json_object_has_member (obj, "first"))
    return check_keys (c, obj, path, first_keys) &&
           check_expr_list (c, obj, path, "first", flags);

  if (json_object_has_member (obj, "literal"))
    {
      g_autofree char *literal_path = sub (path, "literal");

      return check_keys (c, obj, path, literal_keys) &&
             check_scalar (c, literal_path, json_object_get_member (obj, "literal"));
    }

  if (json_object_has_member (obj, "count"))
    {
      g_autofree char *count_path = sub (path, "count");

      return check_keys (c, obj, path, count_keys) &&
             check_path_node (c, count_path, json_object_get_member (obj, "count"));
    }

  if (json_object_has_member (obj, "all"))
    {
      g_autofree char *all_path = sub (path, "all");
      g_autofree char *each_path = sub (path, "each");

      if (!check_keys (c, obj, path, all_keys) ||
          !check_plain_path_node (c, all_path, json_object_get_member (obj, "all")) ||
          !get_string (c, obj, path, "sep", FALSE, FALSE, NULL))
        return FALSE;
      if (json_object_has_member (obj, "each") &&
          !check_plain_path_node (c, each_path, json_object_get_member (obj, "each")))
        return FALSE;
      return TRUE;
    }

  if (json_object_has_member (obj, "template"))
    {
      if (!(flags & EXPR_TEMPLATE))
        return fail (c, path, _("a template reads field values and is only allowed in identity; read the item with a path"));
      return check_keys (c, obj, path, template_keys) &&
             check_template_member (c, obj, path, "template", TRUE, FALSE, NULL);
    }

  return fail (c, path, _("unknown expression; use a path or an object with path, join, first, literal, count, all or template"));
}

static gboolean
check_expr_member (Check *c, JsonObject *obj, const char *path, const char *key,
                   gboolean required, guint flags)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autofree char *key_path = sub (path, key);

  if (node == NULL)
    return required ? missing (c, key_path, _("an expression such as \"id\"")) : TRUE;
  return check_expr (c, key_path, node, flags);
}

static gboolean
check_request (Check *c, JsonObject *parent, const char *path, const char *key,
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
  g_autofree char *path_here = sub (path, key);
  g_autofree char *path_path = sub (path_here, "path");

  if (!get_object (c, parent, path, key, required, &req))
    return FALSE;
  if (req == NULL)
    return TRUE;

  if (!check_keys (c, req, path_here, allow_then ? data_keys : keys) ||
      !get_choice (c, req, path_here, "method", TRUE, allow_user ? action_methods : methods,
                   _("method"), NULL) ||
      !check_template_member (c, req, path_here, "path", TRUE, allow_user, &req_path))
    return FALSE;
  if (req_path[0] != '/')
    return fail (c, path_path, _("“%s” does not start with “/”; give the path after the base URL"), req_path);

  if (!check_template_object (c, req, path_here, "query", allow_user) ||
      !check_template_object (c, req, path_here, "headers", allow_user) ||
      !get_choice (c, req, path_here, "body_encoding", FALSE, encodings, _("body encoding"), &encoding) ||
      !get_string (c, req, path_here, "form_field", FALSE, TRUE, NULL))
    return FALSE;

  if (json_object_has_member (req, "form_field") && g_strcmp0 (encoding, "form") != 0)
    {
      g_autofree char *ff_path = sub (path_here, "form_field");

      return fail (c, ff_path, _("only applies to form bodies; set “body_encoding” to “form”"));
    }

  if (json_object_has_member (req, "form_params"))
    {
      g_autofree char *fp_path = sub (path_here, "form_params");

      if (!json_object_has_member (req, "form_field"))
        return fail (c, fp_path, _("sends form fields beside “form_field”; set “form_field” too"));
      if (!check_template_object (c, req, path_here, "form_params", allow_user))
        return FALSE;
    }

  if (json_object_has_member (req, "body"))
    {
      g_autofree char *body_path = sub (path_here, "body");
      JsonNode *body = json_object_get_member (req, "body");

      if (g_strcmp0 (encoding, "form") == 0 && !JSON_NODE_HOLDS_OBJECT (body))
        return wrong_type (c, body_path, body, _("an object for a form body"));
      if (!check_body_templates (c, body_path, body, allow_user))
        return FALSE;
    }

  if (json_object_has_member (req, "then"))
    {
      gboolean ok;

      /* The second request may read the first answer as {response}. */
      c->allow_response = TRUE;
      ok = check_request (c, req, path_here, "then", TRUE, FALSE);
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
  g_autofree char *key_path = sub (pag_path, key);

  if (json_object_has_member (pag, key) && holds (json_object_get_member (pag, key), G_TYPE_STRING))
    name = json_node_get_string (json_object_get_member (pag, key));
  if (name != NULL)
    {
      g_auto(GStrv) keys = g_strsplit (name, ".", -1);

      for (guint i = 0; keys[i] != NULL; i++)
        if (*keys[i] == '\0')
          return fail (c, key_path, _("“%s” has an empty key; in the body a dotted name is a path of keys, "
                                      "so remove the extra dot"), name);
    }

  if (json_object_has_member (dt, "request") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (dt, "request")))
    req = json_object_get_object_member (dt, "request");
  /* With a second step, that one is paginated. */
  if (req != NULL && json_object_has_member (req, "then") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (req, "then")))
    req = json_object_get_object_member (req, "then");
  if (req != NULL && json_object_has_member (req, "method") &&
      holds (json_object_get_member (req, "method"), G_TYPE_STRING))
    method = json_node_get_string (json_object_get_member (req, "method"));
  if (g_strcmp0 (method, "POST") != 0)
    {
      g_autofree char *in_path = sub (pag_path, "in");

      return fail (c, in_path, _("“body” needs a request with a body; set the request method to “POST” "
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
  g_autofree char *pag_path = sub (path, "pagination");

  if (!get_object (c, dt, path, "pagination", FALSE, &pag))
    return FALSE;
  if (pag == NULL)
    return TRUE;

  if (!get_choice (c, pag, pag_path, "style", TRUE, pagination_styles, _("style"), &style) ||
      !get_int (c, pag, pag_path, "max_pages", FALSE, 1, G_MAXINT32))
    return FALSE;

  if (g_str_equal (style, "none") || g_str_equal (style, "link_header"))
    return check_keys (c, pag, pag_path, none_keys);

  if (g_str_equal (style, "cursor"))
    {
      const char *continue_path;
      g_autofree char *cp_path = sub (pag_path, "continue_path");

      if (!check_keys (c, pag, pag_path, cursor_keys) ||
          !check_expr_member (c, pag, pag_path, "cursor_path", TRUE, 0) ||
          !get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !get_choice (c, pag, pag_path, "in", TRUE, in_choices, _("place"), &in) ||
          !check_expr_member (c, pag, pag_path, "has_more_path", FALSE, 0) ||
          !check_template_member (c, pag, pag_path, "continue_path", FALSE, FALSE, &continue_path))
        return FALSE;
      if (continue_path != NULL && continue_path[0] != '/')
        return fail (c, cp_path, _("“%s” does not start with “/”; give the path after the base URL"),
                     continue_path);
      if (g_strcmp0 (in, "body") == 0 && !check_body_param (c, dt, pag, pag_path, "param"))
        return FALSE;
      return TRUE;
    }

  if (g_str_equal (style, "next_url"))
    return check_keys (c, pag, pag_path, next_url_keys) &&
           check_expr_member (c, pag, pag_path, "next_path", TRUE, 0) &&
           check_expr_member (c, pag, pag_path, "done_path", FALSE, 0);

  if (g_str_equal (style, "page"))
    {
      if (!check_keys (c, pag, pag_path, page_keys) ||
          !get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !get_choice (c, pag, pag_path, "in", FALSE, in_choices, _("place"), &in) ||
          !get_int (c, pag, pag_path, "start", FALSE, 0, G_MAXINT32) ||
          !get_string (c, pag, pag_path, "size_param", FALSE, TRUE, NULL) ||
          !get_int (c, pag, pag_path, "size", FALSE, 1, G_MAXINT32) ||
          !check_expr_member (c, pag, pag_path, "total_pages_path", FALSE, 0))
        return FALSE;
    }
  else if (g_str_equal (style, "offset"))
    {
      if (!check_keys (c, pag, pag_path, offset_keys) ||
          !get_string (c, pag, pag_path, "param", TRUE, TRUE, NULL) ||
          !get_choice (c, pag, pag_path, "in", FALSE, in_choices, _("place"), &in) ||
          !get_string (c, pag, pag_path, "size_param", TRUE, TRUE, NULL) ||
          !get_int (c, pag, pag_path, "size", TRUE, 1, G_MAXINT32) ||
          !get_int (c, pag, pag_path, "start", FALSE, 0, G_MAXINT32) ||
          !check_expr_member (c, pag, pag_path, "total_path", FALSE, 0))
        return FALSE;
    }
  else
    /* scim */
    return check_keys (c, pag, pag_path, scim_keys) &&
           get_int (c, pag, pag_path, "size", FALSE, 1, G_MAXINT32);

  if (g_strcmp0 (in, "body") == 0)
    return check_body_param (c, dt, pag, pag_path, "param") &&
           check_body_param (c, dt, pag, pag_path, "size_param");
  return TRUE;
}

/* Items paths may name field values ("policyInfo.{policy_id}.employees"). */
static gboolean
check_items_templates (Check *c, const char *path, JsonNode *items)
{
  if (holds (items, G_TYPE_STRING))
    return check_template (c, path, json_node_get_string (items), FALSE);

  if (JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          g_autofree char *el_path = idx (path, i);

          if (holds (el, G_TYPE_STRING) && !check_template (c, el_path, json_node_get_string (el), FALSE))
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
  return discovered_apps_targets;
}

static gboolean
check_map (Check *c, JsonObject *dt, const char *path, const char *data_type)
{
  const char * const *targets = targets_for (data_type);
  JsonObject *map;
  JsonObjectIter iter;
  const char *target;
  JsonNode *value;
  g_autofree char *map_path = sub (path, "map");

  if (!get_object (c, dt, path, "map", TRUE, &map) ||
      !check_keys (c, map, map_path, targets))
    return FALSE;

  if (g_str_equal (data_type, "usage"))
    {
      if (!json_object_has_member (map, "user_id") && !json_object_has_member (map, "email"))
        return fail (c, map_path, _("needs “user_id” or “email” to know whose usage it is; add one"));
    }
  else
    {
      /* The first target of every other data type is its required one. */
      g_autofree char *required_path = sub (map_path, targets[0]);

      if (!json_object_has_member (map, targets[0]))
        return missing (c, required_path, _("an expression such as \"id\""));
    }

  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &target, &value))
    {
      g_autofree char *target_path = sub (map_path, target);

      if (g_str_equal (data_type, "custom_fields") && g_str_equal (target, "fields"))
        {
          JsonObjectIter fields_iter;
          const char *label;
          JsonNode *expr;

          if (!JSON_NODE_HOLDS_OBJECT (value))
            return wrong_type (c, target_path, value, _("an object of label → expression"));
          if (json_object_get_size (json_node_get_object (value)) == 0)
            return fail (c, target_path, _("is empty; list at least one custom field"));

          json_object_iter_init_ordered (&fields_iter, json_node_get_object (value));
          while (json_object_iter_next_ordered (&fields_iter, &label, &expr))
            {
              g_autofree char *label_path = sub (target_path, label);

              if (!check_expr (c, label_path, expr, 0))
                return FALSE;
            }
          continue;
        }

      if (!check_expr (c, target_path, value, 0))
        return FALSE;

      /* A mapped user status can only take the four known values. */
      if (g_str_equal (data_type, "users") && g_str_equal (target, "status") &&
          JSON_NODE_HOLDS_OBJECT (value))
        {
          JsonObject *expr = json_node_get_object (value);
          JsonObject *values = json_object_has_member (expr, "map") ?
                               json_object_get_object_member (expr, "map") : NULL;
          JsonObjectIter values_iter;
          const char *from;
          JsonNode *to;
          g_autofree char *statuses = join_names (user_statuses);

          if (values != NULL)
            {
              json_object_iter_init_ordered (&values_iter, values);
              while (json_object_iter_next_ordered (&values_iter, &from, &to))
                {
                  g_autofree char *map_value_path = g_strconcat (target_path, ".map.", from, NULL);

                  if (!holds (to, G_TYPE_STRING) || !in_list (user_statuses, json_node_get_string (to)))
                    return fail (c, map_value_path, _("a user status must be one of %s"), statuses);
                }
            }
          if (json_object_has_member (expr, "default"))
            {
              JsonNode *def = json_object_get_member (expr, "default");
              g_autofree char *def_path = sub (target_path, "default");

              if (!holds (def, G_TYPE_STRING) || !in_list (user_statuses, json_node_get_string (def)))
                return fail (c, def_path, _("a user status must be one of %s"), statuses);
            }
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
  g_autofree char *fe_path = sub (path, "for_each");
  JsonObject *fe;
  JsonArray *values;

  if (!get_object (c, dt, path, "for_each", TRUE, &fe) ||
      !check_keys (c, fe, fe_path, keys) ||
      !get_array (c, fe, fe_path, "values", FALSE, &values) ||
      !get_int (c, fe, fe_path, "concurrency", FALSE, 1, 8))
    return FALSE;

  if ((values != NULL) == json_object_has_member (fe, "request"))
    return fail (c, fe_path, _("needs either “values” or a “request” listing the items; give one of them"));

  if (values != NULL)
    {
      if (json_array_get_length (values) == 0)
        return fail (c, fe_path, _("has no “values”; list at least one"));
      for (guint i = 0; i < json_array_get_length (values); i++)
        if (!holds (json_array_get_element (values, i), G_TYPE_STRING))
          {
            g_autofree char *v_path = idx (fe_path, i);

            return wrong_type (c, v_path, json_array_get_element (values, i), _("a string"));
          }
      if (json_object_has_member (fe, "value") || json_object_has_member (fe, "pagination") ||
          json_object_has_member (fe, "items"))
        return fail (c, fe_path, _("has fixed “values”; “value”, “pagination” and “items” belong to a “request”"));
      return TRUE;
    }

  {
    g_autofree char *items_path = sub (fe_path, "items");

    if (!check_request (c, fe, fe_path, "request", TRUE, FALSE) ||
        !check_pagination (c, fe, fe_path) ||
        !check_expr_member (c, fe, fe_path, "value", TRUE, 0))
      return FALSE;
    if (json_object_has_member (fe, "items") &&
        (!check_path_node (c, items_path, json_object_get_member (fe, "items")) ||
         !check_items_templates (c, items_path, json_object_get_member (fe, "items"))))
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_data_types (Check *c, JsonObject *def)
{
  static const char * const dt_keys[] = {
    "label", "essential", "requirement", "request", "request_from", "pagination",
    "items", "map", "for_each", NULL,
  };
  JsonObject *dts;
  JsonObjectIter iter;
  const char *id;
  JsonNode *node;

  if (!get_object (c, def, "", "data_types", TRUE, &dts))
    return FALSE;
  if (!json_object_has_member (dts, "users"))
    return missing (c, "data_types.users", _("the users data type, which every connector needs"));

  json_object_iter_init_ordered (&iter, dts);
  while (json_object_iter_next_ordered (&iter, &id, &node))
    {
      g_autofree char *path = sub ("data_types", id);
      g_autofree char *ids = join_names (portico_data_type_ids);
      JsonObject *dt;
      const char *from;

      if (!in_list (portico_data_type_ids, id))
        return fail (c, path, _("unknown data type “%s”; use one of %s"), id, ids);
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (c, path, node, _("an object"));
      dt = json_node_get_object (node);

      if (!check_keys (c, dt, path, dt_keys) ||
          !get_string (c, dt, path, "label", FALSE, TRUE, NULL) ||
          !get_bool (c, dt, path, "essential", FALSE) ||
          !get_string (c, dt, path, "requirement", FALSE, TRUE, NULL) ||
          !get_string (c, dt, path, "request_from", FALSE, TRUE, &from))
        return FALSE;

      if (from != NULL)
        {
          g_autofree char *from_path = sub (path, "request_from");
          JsonObject *other;

          if (json_object_has_member (dt, "request") || json_object_has_member (dt, "pagination") ||
              json_object_has_member (dt, "items"))
            return fail (c, from_path, _("replaces “request”, “pagination” and “items”; remove those or this key"));
          if (g_str_equal (from, id))
            return fail (c, from_path, _("names this data type itself; name the data type whose request to reuse"));
          other = json_object_has_member (dts, from) && JSON_NODE_HOLDS_OBJECT (json_object_get_member (dts, from)) ?
                  json_object_get_object_member (dts, from) : NULL;
          if (other == NULL)
            return fail (c, from_path, _("names “%s”, which this connector does not define; name one of its data types"), from);
          if (!json_object_has_member (other, "request"))
            return fail (c, from_path, _("names “%s”, which has no request of its own; name a data type with a request"), from);
        }
      else
        {
          g_autofree char *items_path = sub (path, "items");
          gboolean ok;

          if (json_object_has_member (dt, "for_each") && !check_for_each (c, dt, path))
            return FALSE;
          c->allow_item = json_object_has_member (dt, "for_each");
          ok = check_request (c, dt, path, "request", TRUE, FALSE) &&
               check_pagination (c, dt, path) &&
               (!json_object_has_member (dt, "items") ||
                (check_path_node (c, items_path, json_object_get_member (dt, "items")) &&
                 check_items_templates (c, items_path, json_object_get_member (dt, "items"))));
          c->allow_item = FALSE;
          if (!ok)
            return FALSE;
        }

      if (!check_map (c, dt, path, id))
        return FALSE;
    }

  return TRUE;
}

/* An optional array of strings (OAuth scopes). */
static gboolean
check_string_list (Check *c, JsonObject *obj, const char *path, const char *key)
{
  JsonArray *list;
  g_autofree char *key_path = sub (path, key);

  if (!get_array (c, obj, path, key, FALSE, &list))
    return FALSE;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    if (!holds (json_array_get_element (list, i), G_TYPE_STRING))
      {
        g_autofree char *item_path = idx (key_path, i);

        return wrong_type (c, item_path, json_array_get_element (list, i), _("a string"));
      }
  return TRUE;
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
    "client_auth", "authorize_params", "redirect_port", NULL,
  };
  static const char * const jwt_keys[] = { "scheme", "key_field", "subject", "scopes", NULL };
  static const char * const client_auths[] = { "basic", "body", NULL };
  JsonObject *auth;
  const char *scheme;

  if (!get_object (c, def, "", "auth", TRUE, &auth) ||
      !get_choice (c, auth, "auth", "scheme", TRUE, auth_schemes, _("scheme"), &scheme))
    return FALSE;

  if (g_str_equal (scheme, "header"))
    return check_keys (c, auth, "auth", header_keys) &&
           get_string (c, auth, "auth", "header", TRUE, TRUE, NULL) &&
           check_template_member (c, auth, "auth", "value", TRUE, FALSE, NULL);

  if (g_str_equal (scheme, "basic"))
    return check_keys (c, auth, "auth", basic_keys) &&
           check_template_member (c, auth, "auth", "username", TRUE, FALSE, NULL) &&
           check_template_member (c, auth, "auth", "password", TRUE, FALSE, NULL);

  if (g_str_equal (scheme, "body"))
    {
      JsonObject *fields;

      if (!check_keys (c, auth, "auth", body_keys) ||
          !get_object (c, auth, "auth", "fields", TRUE, &fields))
        return FALSE;
      return check_body_templates (c, "auth.fields", json_object_get_member (auth, "fields"), FALSE);
    }

  if (g_str_equal (scheme, "oauth2_client_credentials"))
    {
      if (!(check_keys (c, auth, "auth", cc_keys) &&
            check_template_member (c, auth, "auth", "token_url", TRUE, FALSE, NULL) &&
            check_template_member (c, auth, "auth", "client_id", TRUE, FALSE, NULL) &&
            check_template_member (c, auth, "auth", "client_secret", TRUE, FALSE, NULL) &&
            check_template_member (c, auth, "auth", "scope", FALSE, FALSE, NULL) &&
            get_choice (c, auth, "auth", "client_auth", FALSE, client_auths, _("client authentication"), NULL) &&
            check_template_object (c, auth, "auth", "params", FALSE) &&
            get_bool (c, auth, "auth", "scope_from_permission", FALSE)))
        return FALSE;
      if (json_object_get_boolean_member_with_default (auth, "scope_from_permission", FALSE))
        {
          JsonArray *permissions = json_object_get_array_member (def, "permissions");

          if (json_object_has_member (auth, "scope"))
            return fail (c, "auth.scope_from_permission",
                         _("is true while “scope” is also given; keep one of them"));
          for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
            {
              JsonNode *perm = json_array_get_element (permissions, i);

              if (!JSON_NODE_HOLDS_OBJECT (perm) ||
                  !json_object_has_member (json_node_get_object (perm), "scopes"))
                {
                  g_autofree char *perm_path = idx ("permissions", i);

                  return missing (c, perm_path, _("the “scopes” that “auth.scope_from_permission” asks for"));
                }
            }
        }
      return TRUE;
    }

  if (g_str_equal (scheme, "oauth2_jwt_bearer"))
    {
      const char *key_field;
      g_autofree char *key_path = sub ("auth", "key_field");

      if (!check_keys (c, auth, "auth", jwt_keys) ||
          !get_string (c, auth, "auth", "key_field", TRUE, TRUE, &key_field) ||
          !check_template_member (c, auth, "auth", "subject", FALSE, FALSE, NULL) ||
          !check_string_list (c, auth, "auth", "scopes"))
        return FALSE;
      for (guint i = 0; i < c->field_ids->len; i++)
        if (g_str_equal (key_field, g_ptr_array_index (c->field_ids, i)))
          return TRUE;
      return fail (c, key_path, _("names no field; declare a field “%s” of type “file” for the key file"), key_field);
    }

  /* oauth2_authorization_code */
  return check_keys (c, auth, "auth", code_keys) &&
         check_template_member (c, auth, "auth", "authorize_url", TRUE, FALSE, NULL) &&
         check_template_member (c, auth, "auth", "token_url", TRUE, FALSE, NULL) &&
         check_template_member (c, auth, "auth", "client_id", TRUE, FALSE, NULL) &&
         check_template_member (c, auth, "auth", "client_secret", FALSE, FALSE, NULL) &&
         get_bool (c, auth, "auth", "pkce", FALSE) &&
         get_choice (c, auth, "auth", "client_auth", FALSE, client_auths, _("client authentication"), NULL) &&
         check_template_object (c, auth, "auth", "authorize_params", FALSE) &&
         get_int (c, auth, "auth", "redirect_port", FALSE, 1024, 65535) &&
         check_string_list (c, auth, "auth", "scopes");
}

static gboolean
check_identity (Check *c, JsonObject *def)
{
  static const char * const keys[] = { "request", "id", "name", NULL };
  static const char * const members[] = { "id", "name", NULL };
  JsonObject *identity;

  if (!get_object (c, def, "", "identity", TRUE, &identity) ||
      !check_keys (c, identity, "identity", keys) ||
      !check_request (c, identity, "identity", "request", FALSE, FALSE) ||
      !check_expr_member (c, identity, "identity", "id", TRUE, EXPR_TEMPLATE) ||
      !check_expr_member (c, identity, "identity", "name", TRUE, EXPR_TEMPLATE))
    return FALSE;

  /* Without a request there is no body to read: only field values. */
  if (!json_object_has_member (identity, "request"))
    for (guint i = 0; members[i] != NULL; i++)
      {
        JsonNode *expr = json_object_get_member (identity, members[i]);
        JsonObject *obj = JSON_NODE_HOLDS_OBJECT (expr) ? json_node_get_object (expr) : NULL;
        g_autofree char *member_path = sub ("identity", members[i]);

        if (obj == NULL || (!json_object_has_member (obj, "template") &&
                            !json_object_has_member (obj, "literal")))
          return fail (c, member_path, _("without “identity.request” there is no response to read; use {\"template\": \"{field}\"} or add a request"));
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

  if (!get_object (c, def, "", "errors", FALSE, &errors))
    return FALSE;
  if (errors == NULL)
    return TRUE;

  if (!check_keys (c, errors, "errors", keys) ||
      !check_expr_member (c, errors, "errors", "message", FALSE, 0) ||
      !check_expr_member (c, errors, "errors", "code", FALSE, 0) ||
      !check_expr_member (c, errors, "errors", "ok_path", FALSE, 0) ||
      (json_object_has_member (errors, "errors_path") &&
       !check_path_node (c, "errors.errors_path", json_object_get_member (errors, "errors_path"))) ||
      !get_object (c, errors, "errors", "codes", FALSE, &codes) ||
      !get_string (c, errors, "errors", "message_header", FALSE, TRUE, NULL))
    return FALSE;

  if (json_object_has_member (errors, "ok_path") && !json_object_has_member (errors, "code"))
    return missing (c, "errors.code", _("the expression naming the error, which “ok_path” needs"));

  if (codes == NULL)
    return TRUE;

  json_object_iter_init_ordered (&iter, codes);
  while (json_object_iter_next_ordered (&iter, &code, &value))
    {
      g_autofree char *code_path = sub ("errors.codes", code);
      g_autofree char *names = join_names (error_codes);

      if (!holds (value, G_TYPE_STRING))
        return wrong_type (c, code_path, value, _("a string"));
      if (!in_list (error_codes, json_node_get_string (value)))
        return fail (c, code_path, _("unknown error “%s”; use one of %s"),
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

  if (!get_object (c, def, "", "rate_limit", FALSE, &rl))
    return FALSE;
  if (rl == NULL)
    return TRUE;

  if (!check_keys (c, rl, "rate_limit", keys) ||
      !get_string (c, rl, "rate_limit", "retry_after_header", FALSE, TRUE, NULL) ||
      !get_string (c, rl, "rate_limit", "reset_header", FALSE, TRUE, NULL) ||
      !get_choice (c, rl, "rate_limit", "reset_format", FALSE, reset_formats, _("format"), NULL) ||
      !check_expr_member (c, rl, "rate_limit", "body_retry_after", FALSE, 0) ||
      !get_array (c, rl, "rate_limit", "statuses", FALSE, &statuses) ||
      !get_string (c, rl, "rate_limit", "remaining_header", FALSE, TRUE, NULL) ||
      !get_array (c, rl, "rate_limit", "header_statuses", FALSE, &header_statuses))
    return FALSE;

  for (guint i = 0; statuses != NULL && i < json_array_get_length (statuses); i++)
    {
      JsonNode *status = json_array_get_element (statuses, i);
      g_autofree char *status_path = idx ("rate_limit.statuses", i);

      if (!holds (status, G_TYPE_INT64) || json_node_get_int (status) < 400 ||
          json_node_get_int (status) > 599)
        return fail (c, status_path, _("must be an HTTP error status from 400 to 599"));
    }
  for (guint i = 0; header_statuses != NULL && i < json_array_get_length (header_statuses); i++)
    {
      JsonNode *status = json_array_get_element (header_statuses, i);
      g_autofree char *status_path = idx ("rate_limit.header_statuses", i);

      if (!holds (status, G_TYPE_INT64) || json_node_get_int (status) < 400 ||
          json_node_get_int (status) > 599)
        return fail (c, status_path, _("must be an HTTP error status from 400 to 599"));
    }
  if (header_statuses != NULL && !json_object_has_member (rl, "remaining_header"))
    return missing (c, "rate_limit.remaining_header",
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
    return fail (c, path, _("“%s” is not a valid %s; use lower-case letters, digits, “_” and “-”, starting with a letter or digit"),
                 value, what);
  return TRUE;
}

static gboolean
check_actions (Check *c, JsonObject *def)
{
  static const char * const keys[] = { "id", "label", "help", "request", NULL };
  JsonArray *actions;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!get_array (c, def, "", "actions", FALSE, &actions))
    return FALSE;

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonNode *node = json_array_get_element (actions, i);
      g_autofree char *path = idx ("actions", i);
      g_autofree char *id_path = sub (path, "id");
      JsonObject *action;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (c, path, node, _("an object"));
      action = json_node_get_object (node);

      if (!check_keys (c, action, path, keys) ||
          !get_string (c, action, path, "id", TRUE, TRUE, &id) ||
          !check_id_string (c, id_path, id, _("action id")) ||
          !get_string (c, action, path, "label", TRUE, TRUE, NULL) ||
          !get_string (c, action, path, "help", FALSE, TRUE, NULL) ||
          !check_request (c, action, path, "request", TRUE, TRUE))
        return FALSE;
      if (g_hash_table_contains (seen, id))
        return fail (c, id_path, _("the action “%s” is defined twice; give each action its own id"), id);
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

  if (!get_array (c, def, "", "permissions", TRUE, &perms))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (perms); i++)
    {
      JsonNode *node = json_array_get_element (perms, i);
      g_autofree char *path = idx ("permissions", i);
      g_autofree char *id_path = sub (path, "id");
      JsonObject *perm;
      JsonArray *scopes;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (c, path, node, _("an object"));
      perm = json_node_get_object (node);

      if (!check_keys (c, perm, path, keys) ||
          !get_choice (c, perm, path, "id", TRUE, levels, _("permission level"), &id) ||
          !get_string (c, perm, path, "label", TRUE, TRUE, NULL) ||
          !get_string (c, perm, path, "help", FALSE, FALSE, NULL) ||
          !get_array (c, perm, path, "scopes", FALSE, &scopes))
        return FALSE;

      for (guint j = 0; scopes != NULL && j < json_array_get_length (scopes); j++)
        if (!holds (json_array_get_element (scopes, j), G_TYPE_STRING))
          {
            g_autofree char *scopes_path = sub (path, "scopes");
            g_autofree char *scope_path = idx (scopes_path, j);

            return wrong_type (c, scope_path, json_array_get_element (scopes, j), _("a string"));
          }

      if ((g_str_equal (id, "read") && has_read) || (g_str_equal (id, "act") && c->has_act))
        return fail (c, id_path, _("the level “%s” is listed twice; list it once"), id);
      if (g_str_equal (id, "read"))
        has_read = TRUE;
      else
        {
          c->has_act = TRUE;
          if (!c->has_actions)
            return fail (c, id_path, _("“act” needs actions; define “actions” or remove this level"));
        }
    }

  if (!has_read)
    return missing (c, "permissions", _("the “read” level, which every connector offers"));
  return TRUE;
}

static gboolean
check_fields (Check *c, JsonObject *def, GPtrArray *out)
{
  static const char * const keys[] = {
    "id", "label", "type", "required", "help", "pattern", "default", "choices", "permissions", NULL,
  };
  static const char * const choice_keys[] = { "id", "label", NULL };
  static const char * const levels[] = { "read", "act", NULL };
  static GRegex *field_id_regex = NULL;
  JsonArray *fields;

  if (g_once_init_enter (&field_id_regex))
    g_once_init_leave (&field_id_regex, g_regex_new ("^[a-z][a-z0-9_]*$", G_REGEX_OPTIMIZE, 0, NULL));

  if (!get_array (c, def, "", "fields", TRUE, &fields))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);
      g_autofree char *path = idx ("fields", i);
      g_autofree char *id_path = sub (path, "id");
      g_autofree char *pattern_path = sub (path, "pattern");
      g_autofree char *choices_path = sub (path, "choices");
      g_autofree char *default_path = sub (path, "default");
      g_autofree char *perms_path = sub (path, "permissions");
      PorticoConnectorField *field;
      JsonObject *obj;
      JsonArray *choices;
      JsonArray *perms;
      const char *id, *label, *type, *help, *pattern, *default_value;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return wrong_type (c, path, node, _("an object"));
      obj = json_node_get_object (node);

      if (!check_keys (c, obj, path, keys) ||
          !get_string (c, obj, path, "id", TRUE, TRUE, &id))
        return FALSE;
      if (!g_regex_match (field_id_regex, id, 0, NULL))
        return fail (c, id_path, _("“%s” is not a valid field id; use lower-case letters, digits and “_”, starting with a letter"), id);
      if (g_str_equal (id, API_BASE_URL))
        return fail (c, id_path, _("“api_base_url” is implicit in every connector; remove this field"));
      if (g_str_equal (id, "user_id") || g_str_equal (id, "user_email"))
        return fail (c, id_path, _("“%s” is reserved for actions; name the field differently"), id);
      for (guint j = 0; j < c->field_ids->len; j++)
        if (g_str_equal (id, g_ptr_array_index (c->field_ids, j)))
          return fail (c, id_path, _("the field “%s” is defined twice; give each field its own id"), id);

      if (!get_string (c, obj, path, "label", TRUE, TRUE, &label) ||
          !get_choice (c, obj, path, "type", TRUE, field_types, _("type"), &type) ||
          !get_bool (c, obj, path, "required", FALSE) ||
          !get_string (c, obj, path, "help", FALSE, FALSE, &help) ||
          !get_string (c, obj, path, "pattern", FALSE, TRUE, &pattern) ||
          !get_string (c, obj, path, "default", FALSE, FALSE, &default_value) ||
          !get_array (c, obj, path, "choices", FALSE, &choices) ||
          !get_array (c, obj, path, "permissions", FALSE, &perms))
        return FALSE;

      if (pattern != NULL)
        {
          g_autoptr(GError) regex_error = NULL;
          g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, &regex_error);

          if (regex == NULL)
            return fail (c, pattern_path, _("is not a valid regular expression (%s); fix the pattern"),
                         regex_error->message);
        }

      field = g_new0 (PorticoConnectorField, 1);
      field->id = g_strdup (id);
      field->label = g_strdup (label);
      field->help = g_strdup (help);
      field->pattern = g_strdup (pattern);
      field->default_value = g_strdup (default_value);
      field->required = json_object_get_boolean_member_with_default (obj, "required", FALSE);
      field->type = (PorticoFieldType) g_strv_length ((char **) field_types);
      for (guint j = 0; field_types[j] != NULL; j++)
        if (g_str_equal (field_types[j], type))
          field->type = (PorticoFieldType) j;
      g_ptr_array_add (out, field);
      g_ptr_array_add (c->field_ids, field->id);

      if (field->type == PORTICO_FIELD_CHOICE && choices == NULL)
        return missing (c, choices_path, _("the list of choices a “choice” field offers"));
      if (field->type != PORTICO_FIELD_CHOICE && choices != NULL)
        return fail (c, choices_path, _("only applies to “choice” fields; set “type” to “choice” or remove it"));

      if (choices != NULL)
        {
          guint n = json_array_get_length (choices);

          if (n == 0)
            return fail (c, choices_path, _("is empty; list at least one choice"));
          field->choice_ids = g_new0 (char *, n + 1);
          field->choice_labels = g_new0 (char *, n + 1);
          for (guint j = 0; j < n; j++)
            {
              JsonNode *choice_node = json_array_get_element (choices, j);
              g_autofree char *choice_path = idx (choices_path, j);
              JsonObject *choice;
              const char *choice_id, *choice_label;

              if (!JSON_NODE_HOLDS_OBJECT (choice_node))
                return wrong_type (c, choice_path, choice_node, _("an object with “id” and “label”"));
              choice = json_node_get_object (choice_node);
              if (!check_keys (c, choice, choice_path, choice_keys) ||
                  !get_string (c, choice, choice_path, "id", TRUE, TRUE, &choice_id) ||
                  !get_string (c, choice, choice_path, "label", TRUE, TRUE, &choice_label))
                return FALSE;
              field->choice_ids[j] = g_strdup (choice_id);
              field->choice_labels[j] = g_strdup (choice_label);
            }
        }

      if (default_value != NULL && *default_value != '\0' && field->choice_ids != NULL &&
          !g_strv_contains ((const char * const *) field->choice_ids, default_value))
        return fail (c, default_path, _("“%s” is not one of the choices; use a choice id"), default_value);

      if (perms != NULL)
        {
          guint n = json_array_get_length (perms);

          if (n == 0)
            return fail (c, perms_path, _("is empty; list “read” and/or “act”, or remove it"));
          field->permissions = g_new0 (char *, n + 1);
          for (guint j = 0; j < n; j++)
            {
              JsonNode *level = json_array_get_element (perms, j);
              g_autofree char *level_path = idx (perms_path, j);

              if (!holds (level, G_TYPE_STRING) || !in_list (levels, json_node_get_string (level)))
                return fail (c, level_path, _("must be “read” or “act”"));
              field->permissions[j] = g_strdup (json_node_get_string (level));
            }
        }
    }

  return TRUE;
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

              return fail (c, path, _("the level “%s” is not in “permissions”; add it there or remove it here"),
                           field->permissions[j]);
            }
        }
    }

  return TRUE;
}

static gboolean
check_definition (Check *c, JsonObject *def, const char *file_id, GPtrArray *fields)
{
  static const char * const keys[] = {
    "format", "id", "name", "category", "icon", "help_url", "docs_url", "help", "multi_account",
    "test", "base_url", "headers", "fields", "permissions", "auth", "identity",
    "data_types", "errors", "rate_limit", "actions", "usage_period_days", NULL,
  };
  const char *id, *help_url, *docs_url, *base_url;

  if (!check_keys (c, def, "", keys) ||
      !get_int (c, def, "", "format", TRUE, 1, 2) ||
      !get_string (c, def, "", "id", TRUE, TRUE, &id) ||
      !check_id_string (c, "id", id, _("connector id")))
    return FALSE;

  if (file_id != NULL && !g_str_equal (id, file_id))
    return fail (c, "id", _("“%s” does not match the file name; rename the file to “%s.json” or set the id to “%s”"),
                 id, id, file_id);

  if (!get_string (c, def, "", "name", TRUE, TRUE, NULL) ||
      !get_choice (c, def, "", "category", TRUE, categories, _("category"), NULL) ||
      !get_string (c, def, "", "icon", FALSE, TRUE, NULL) ||
      !get_string (c, def, "", "help_url", TRUE, TRUE, &help_url) ||
      !check_https_url (c, "help_url", help_url) ||
      !get_string (c, def, "", "docs_url", FALSE, TRUE, &docs_url) ||
      (docs_url != NULL && !check_https_url (c, "docs_url", docs_url)) ||
      !get_string (c, def, "", "help", TRUE, TRUE, NULL) ||
      !get_bool (c, def, "", "multi_account", TRUE) ||
      !get_bool (c, def, "", "test", FALSE) ||
      !get_int (c, def, "", "usage_period_days", FALSE, 1, 3660) ||
      !check_fields (c, def, fields) ||
      !check_template_member (c, def, "", "base_url", TRUE, FALSE, &base_url))
    return FALSE;

  if (!g_str_has_prefix (base_url, "https://") && base_url[0] != '{')
    return fail (c, "base_url", _("“%s” is not an https:// address; start it with https:// or with a URL field such as {server_url}"),
                 base_url);

  return check_template_object (c, def, "", "headers", FALSE) &&
         check_actions (c, def) &&
         check_permissions (c, def) &&
         check_field_permissions (c, fields, def) &&
         check_auth (c, def) &&
         check_identity (c, def) &&
         check_data_types (c, def) &&
         check_errors (c, def) &&
         check_rate_limit (c, def);
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
  self->empty_items = string_node ("");
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

static PorticoConnector *
connector_new (const char *data,
               gssize      length,
               const char *origin,
               const char *file_id,
               gboolean    is_custom,
               GError    **error)
{
  g_autoptr(PorticoConnector) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GPtrArray) field_ids = g_ptr_array_new ();
  g_autofree char *file = g_path_get_basename (origin != NULL ? origin : "connector.json");
  Check c = { file, error, field_ids, FALSE, FALSE };
  JsonNode *root;

  /* The parser recurses once per level: a file nested deep enough (an
   * imported definition from anywhere) would crash the app at every start.
   * No definition nests anywhere near the cap. */
  if (!portico_json_prescan (data, length < 0 ? strlen (data) : (gsize) length, PORTICO_LIMIT_JSON_DEPTH, NULL))
    {
      fail (&c, NULL, _("nested more than %u levels deep, which no connector definition is; fix the file"),
            (guint) PORTICO_LIMIT_JSON_DEPTH);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: REASON": give the
       * admin the place in words and the reason without the parser's name
       * for its input. */
      const char *reason = strstr (parse_error->message, ": Parse error: ");
      guint line = 0, column = 0;

      if (reason != NULL &&
          sscanf (parse_error->message, "<data>:%u:%u:", &line, &column) == 2)
        fail (&c, NULL, _("not valid JSON at line %u, character %u (%s); fix the syntax there"),
              line, column, reason + strlen (": Parse error: "));
      else
        fail (&c, NULL, _("not valid JSON (%s); fix the syntax"), parse_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (&c, NULL, _("the file must hold one JSON object; see connectors/README.md"));
      return NULL;
    }

  self = g_object_new (PORTICO_TYPE_CONNECTOR, NULL);
  /* Shipped connectors speak the user's language; custom ones the admin's. */
  self->root = is_custom ? json_node_ref (root) : portico_connector_translate_definition (root);
  self->def = json_node_get_object (self->root);
  self->origin = g_strdup (origin);
  self->is_custom = is_custom;

  if (!check_definition (&c, self->def, file_id, self->fields))
    return NULL;

  g_ptr_array_add (self->fields, api_base_url_field_new ());
  return g_steal_pointer (&self);
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

  return connector_new (contents, length, path != NULL ? path : basename, file_id, is_custom, error);
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

  return connector_new (data, length, origin, NULL, is_custom, error);
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

  segs = path_parse (items_path, NULL);
  if (segs == NULL)
    return NULL;
  found = path_lookup (body, segs);
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
