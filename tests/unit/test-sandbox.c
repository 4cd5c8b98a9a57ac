/* test-sandbox.c: the sandbox speaks each connector definition's API.
 *
 * Fixture definitions below cover every pagination style and auth scheme;
 * a small client here reads them with plain SoupSession requests and checks
 * the answers against the sandbox's own expected data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sandbox"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "portico-catalog.h"
#include "portico-sandbox-server.h"
#include "portico-sandbox-vendor.h"

#define FIXTURE_HEAD(id, cat) \
  "{\"format\":1,\"id\":\"" id "\",\"name\":\"" id " app\",\"category\":\"" cat "\"," \
  "\"help_url\":\"https://example.com/help\",\"help\":\"An admin API key.\",\"multi_account\":true," \
  "\"permissions\":[{\"id\":\"read\",\"label\":\"Read\",\"help\":\"Users.\"}],"

/* Link header, SSWS header auth, top-level array, value map with a default. */
static const char fx_link[] = FIXTURE_HEAD ("fx-link", "identity_provider")
  "\"base_url\":\"https://{domain}/api/v1\","
  "\"fields\":[{\"id\":\"domain\",\"label\":\"Domain\",\"type\":\"text\",\"required\":true,\"help\":\"x\",\"pattern\":\"^[a-z0-9.-]+\\\\.example$\"},"
  "{\"id\":\"api_token\",\"label\":\"Token\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"}],"
  "\"auth\":{\"scheme\":\"header\",\"header\":\"Authorization\",\"value\":\"SSWS {api_token}\"},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/org\"},\"id\":\"id\",\"name\":\"companyName\"},"
  "\"errors\":{\"message\":\"errorSummary\",\"code\":\"errorCode\",\"codes\":{\"E0000011\":\"not_authorized\",\"E0000006\":\"forbidden\",\"E0000047\":\"rate_limited\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/users\",\"query\":{\"limit\":\"7\"}},"
  "  \"pagination\":{\"style\":\"link_header\"},\"items\":\"\","
  "  \"map\":{\"id\":\"id\",\"email\":\"profile.email\",\"name\":{\"join\":[\"profile.firstName\",\"profile.lastName\"],\"sep\":\" \"},"
  "   \"status\":{\"path\":\"status\",\"map\":{\"ACTIVE\":\"active\",\"SUSPENDED\":\"suspended\",\"DEPROVISIONED\":\"deprovisioned\",\"STAGED\":\"invited\"},\"default\":\"active\"},"
  "   \"last_activity\":\"lastLogin\"}},"
  " \"groups\":{\"label\":\"Groups\",\"requirement\":\"Needs the groups add-on.\",\"request\":{\"method\":\"GET\",\"path\":\"/groups\"},"
  "  \"pagination\":{\"style\":\"link_header\"},\"items\":\"\",\"map\":{\"id\":\"id\",\"name\":\"profile.name\",\"members\":{\"count\":\"_embedded.users\"}}},"
  " \"discovered_apps\":{\"label\":\"Apps\",\"request\":{\"method\":\"GET\",\"path\":\"/apps\",\"query\":{\"limit\":\"5\"}},"
  "  \"pagination\":{\"style\":\"link_header\"},\"items\":\"\",\"map\":{\"id\":\"id\",\"name\":\"label\",\"users\":\"userCount\"}}"
  "}}";

/* Cursor in the query, ok flag in 200 bodies, boolean status, custom fields
 * read from the users' items. */
static const char fx_cursor[] = FIXTURE_HEAD ("fx-cursor", "communication")
  "\"base_url\":\"https://chat.example.com/api\","
  "\"fields\":[{\"id\":\"token\",\"label\":\"Token\",\"type\":\"secret\",\"required\":true,\"help\":\"x\",\"pattern\":\"^xox[a-z]-\\\\S+$\"}],"
  "\"auth\":{\"scheme\":\"header\",\"header\":\"Authorization\",\"value\":\"Bearer {token}\"},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/auth.test\"},\"id\":\"team_id\",\"name\":\"team\"},"
  "\"errors\":{\"ok_path\":\"ok\",\"code\":\"error\",\"codes\":{\"invalid_auth\":\"not_authorized\",\"paid_only\":\"plan\",\"ratelimited\":\"rate_limited\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/users.list\",\"query\":{\"limit\":\"8\"}},"
  "  \"pagination\":{\"style\":\"cursor\",\"cursor_path\":\"response_metadata.next_cursor\",\"param\":\"cursor\",\"in\":\"query\"},\"items\":\"members\","
  "  \"map\":{\"id\":\"id\",\"email\":\"profile.email\",\"name\":{\"first\":[\"real_name\",\"name\"]},"
  "   \"status\":{\"first\":[{\"path\":\"deleted\",\"map\":{\"true\":\"deprovisioned\"}},{\"path\":\"is_invited\",\"map\":{\"true\":\"invited\"}},{\"literal\":\"active\"}]},"
  "   \"role\":{\"path\":\"is_admin\",\"map\":{\"true\":\"admin\",\"false\":\"member\"}}}},"
  " \"custom_fields\":{\"label\":\"Custom fields\",\"request_from\":\"users\",\"map\":{\"user_id\":\"id\",\"fields\":{\"Title\":\"profile.title\",\"Department\":[\"profile\",\"fields\",\"dept.name\"]}}},"
  " \"usage\":{\"label\":\"Usage\",\"requirement\":\"Access logs need a paid plan.\",\"request\":{\"method\":\"GET\",\"path\":\"/team.accessLogs\",\"query\":{\"count\":\"10\"}},"
  "  \"pagination\":{\"style\":\"cursor\",\"cursor_path\":\"response_metadata.next_cursor\",\"param\":\"cursor\",\"in\":\"query\"},\"items\":\"logins\","
  "  \"map\":{\"user_id\":\"user_id\",\"last_activity\":\"date_last\"}}"
  "}}";

/* OAuth2 client credentials, absolute next links under a key with dots,
 * a licenses request without pagination. */
static const char fx_oauth[] = FIXTURE_HEAD ("fx-oauth", "identity_provider")
  "\"base_url\":\"https://graph.example.com/v1.0\","
  "\"fields\":[{\"id\":\"tenant\",\"label\":\"Tenant\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"client_id\",\"label\":\"Client\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"client_secret\",\"label\":\"Secret\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"}],"
  "\"auth\":{\"scheme\":\"oauth2_client_credentials\",\"token_url\":\"https://login.example.com/{tenant}/oauth2/v2.0/token\","
  " \"client_id\":\"{client_id}\",\"client_secret\":\"{client_secret}\",\"client_auth\":\"body\",\"scope\":\"https://graph.example.com/.default\"},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/organization\"},\"id\":\"value.0.id\",\"name\":\"value.0.displayName\"},"
  "\"errors\":{\"message\":\"error.message\",\"code\":\"error.code\",\"codes\":{\"InvalidAuthenticationToken\":\"not_authorized\",\"Authorization_RequestDenied\":\"forbidden\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/users\",\"query\":{\"$top\":\"9\"}},"
  "  \"pagination\":{\"style\":\"next_url\",\"next_path\":[\"@odata.nextLink\"]},\"items\":\"value\","
  "  \"map\":{\"id\":\"id\",\"email\":\"mail\",\"name\":{\"join\":[\"givenName\",\"surname\"]},"
  "   \"status\":{\"path\":\"accountEnabled\",\"map\":{\"true\":\"active\",\"false\":\"suspended\"}},"
  "   \"last_activity\":\"signInActivity.lastSignInDateTime\",\"license\":\"assignedLicenses.0.skuId\"}},"
  " \"licenses\":{\"label\":\"Licenses\",\"request\":{\"method\":\"GET\",\"path\":\"/subscribedSkus\"},\"pagination\":{\"style\":\"none\"},\"items\":\"value\","
  "  \"map\":{\"sku\":\"skuPartNumber\",\"total\":\"prepaidUnits.enabled\",\"assigned\":\"consumedUnits\"}}"
  "}}";

/* Basic auth, no pagination. */
static const char fx_basic[] = FIXTURE_HEAD ("fx-basic", "human_resources")
  "\"base_url\":\"https://{company}.hr.example.com/api/v1\","
  "\"fields\":[{\"id\":\"company\",\"label\":\"Company\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"api_key\",\"label\":\"Key\",\"type\":\"secret\",\"required\":true,\"help\":\"x\",\"pattern\":\"^[A-Za-z0-9]+$\"}],"
  "\"auth\":{\"scheme\":\"basic\",\"username\":\"{api_key}\",\"password\":\"x\"},"
  "\"identity\":{\"id\":{\"template\":\"{company}\"},\"name\":{\"template\":\"{company}\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/employees/directory\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"employees\","
  "  \"map\":{\"id\":\"id\",\"email\":\"workEmail\",\"name\":\"displayName\"}}"
  "}}";

/* Offset with a total, and page numbers with a page count. */
static const char fx_offset[] = FIXTURE_HEAD ("fx-offset", "identity_provider")
  "\"base_url\":\"https://console.example.com/api\","
  "\"fields\":[{\"id\":\"api_key\",\"label\":\"Key\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"}],"
  "\"auth\":{\"scheme\":\"header\",\"header\":\"x-api-key\",\"value\":\"{api_key}\"},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/organizations\"},\"id\":\"results.0._id\",\"name\":\"results.0.displayName\"},"
  "\"errors\":{\"message\":\"message\",\"code\":\"code\"},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/systemusers\",\"query\":{\"limit\":\"6\"}},"
  "  \"pagination\":{\"style\":\"offset\",\"param\":\"skip\",\"size_param\":\"limit\",\"size\":6,\"total_path\":\"totalCount\"},\"items\":\"results\","
  "  \"map\":{\"id\":\"_id\",\"email\":\"email\",\"status\":{\"path\":\"suspended\",\"map\":{\"true\":\"suspended\",\"false\":\"active\"}}}},"
  " \"groups\":{\"label\":\"Groups\",\"request\":{\"method\":\"GET\",\"path\":\"/v2/usergroups\"},"
  "  \"pagination\":{\"style\":\"page\",\"param\":\"page\",\"size_param\":\"per_page\",\"size\":2,\"total_pages_path\":\"meta.total_pages\"},\"items\":\"data\","
  "  \"map\":{\"id\":\"id\",\"name\":\"attributes.name.value\",\"members\":\"attributes.member_count\"}}"
  "}}";

/* SCIM. */
static const char fx_scim[] = FIXTURE_HEAD ("fx-scim", "design")
  "\"base_url\":\"{bridge_url}/scim/v2\","
  "\"fields\":[{\"id\":\"bridge_url\",\"label\":\"Bridge\",\"type\":\"url\",\"required\":true,\"help\":\"x\",\"pattern\":\"^https://[a-z0-9.-]+\\\\.design\\\\.(net|com)$\"},"
  "{\"id\":\"scim_token\",\"label\":\"Token\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"}],"
  "\"auth\":{\"scheme\":\"header\",\"header\":\"Authorization\",\"value\":\"Bearer {scim_token}\"},"
  "\"identity\":{\"id\":{\"template\":\"{bridge_url}\"},\"name\":{\"literal\":\"Design\"}},"
  "\"errors\":{\"message\":\"detail\",\"code\":\"status\"},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"GET\",\"path\":\"/Users\"},"
  "  \"pagination\":{\"style\":\"scim\",\"size\":4},\"items\":\"Resources\","
  "  \"map\":{\"id\":\"id\",\"email\":\"emails.0.value\",\"name\":\"displayName\",\"status\":{\"path\":\"active\",\"map\":{\"true\":\"active\",\"false\":\"deprovisioned\"}}}}"
  "}}";

/* Credentials in a form field holding JSON; cursor in the body with a
 * continue endpoint; amounts in cents. */
static const char fx_body[] = FIXTURE_HEAD ("fx-body", "expenses")
  "\"base_url\":\"https://expenses.example.com\","
  "\"fields\":[{\"id\":\"partner_user_id\",\"label\":\"User\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"partner_user_secret\",\"label\":\"Secret\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"}],"
  "\"auth\":{\"scheme\":\"body\",\"fields\":{\"credentials\":{\"partnerUserID\":\"{partner_user_id}\",\"partnerUserSecret\":\"{partner_user_secret}\"}}},"
  "\"identity\":{\"id\":{\"template\":\"{partner_user_id}\"},\"name\":{\"template\":\"{partner_user_id}\"}},"
  "\"errors\":{\"message\":\"responseMessage\",\"code\":\"responseCode\",\"codes\":{\"407\":\"not_authorized\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"get\"},\"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"policyInfo.{partner_user_id}.employees\",\"map\":{\"id\":\"email\",\"email\":\"email\",\"role\":\"role\"}},"
  " \"groups\":{\"label\":\"Groups\",\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"groups\"},\"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"groups\",\"map\":{\"id\":\"id\",\"name\":\"name\"}},"
  " \"transactions\":{\"label\":\"Transactions\",\"request\":{\"method\":\"POST\",\"path\":\"/2/transactions/list\",\"body\":{\"limit\":25}},"
  "  \"pagination\":{\"style\":\"cursor\",\"cursor_path\":\"cursor\",\"param\":\"cursor\",\"in\":\"body\",\"has_more_path\":\"has_more\",\"continue_path\":\"/2/transactions/list/continue\"},"
  "  \"items\":\"entries\",\"map\":{\"id\":\"id\",\"amount\":{\"path\":\"amount.amount\",\"scale\":0.01},\"currency\":\"amount.currency\","
  "   \"vendor\":\"merchant.name\",\"date\":\"posted_at_date\",\"user_email\":\"card_holder.email\"}}"
  "}}";

/* GraphQL: errors in 200 bodies, a cursor at variables.after and page
 * numbers at variables.page/variables.limit of the JSON body. */
static const char fx_graphql[] = FIXTURE_HEAD ("fx-graphql", "engineering")
  "\"base_url\":\"https://api.graph.example\","
  "\"fields\":[{\"id\":\"api_key\",\"label\":\"Key\",\"type\":\"secret\",\"required\":true,\"help\":\"x\",\"pattern\":\"^gql_\\\\S+$\"}],"
  "\"auth\":{\"scheme\":\"header\",\"header\":\"Authorization\",\"value\":\"{api_key}\"},"
  "\"identity\":{\"request\":{\"method\":\"POST\",\"path\":\"/graphql\",\"body\":{\"query\":\"query { organization { id name } }\"}},"
  " \"id\":\"data.organization.id\",\"name\":\"data.organization.name\"},"
  "\"errors\":{\"message\":\"errors.0.message\",\"code\":{\"first\":[\"errors.0.extensions.code\",\"error_code\"]},\"errors_path\":\"errors\","
  " \"codes\":{\"AUTHENTICATION_ERROR\":\"not_authorized\",\"FORBIDDEN\":\"forbidden\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"POST\",\"path\":\"/graphql\","
  "   \"body\":{\"query\":\"query ($after: String, $first: Int) { users (first: $first, after: $after) { nodes { id email } pageInfo { hasNextPage endCursor } } }\","
  "   \"variables\":{\"after\":null,\"first\":6}}},"
  "  \"pagination\":{\"style\":\"cursor\",\"cursor_path\":\"data.users.pageInfo.endCursor\",\"param\":\"variables.after\",\"in\":\"body\","
  "   \"has_more_path\":\"data.users.pageInfo.hasNextPage\"},"
  "  \"items\":\"data.users.nodes\",\"map\":{\"id\":\"id\",\"email\":\"email\"}},"
  " \"groups\":{\"label\":\"Teams\",\"requirement\":\"Needs a team admin.\",\"request\":{\"method\":\"POST\",\"path\":\"/graphql\","
  "   \"body\":{\"query\":\"query ($page: Int!, $limit: Int!) { teams (limit: $limit, page: $page) { id name } }\","
  "   \"variables\":{\"page\":1,\"limit\":3}}},"
  "  \"pagination\":{\"style\":\"page\",\"param\":\"variables.page\",\"in\":\"body\",\"start\":1,\"size_param\":\"variables.limit\",\"size\":3},"
  "  \"items\":\"data.teams\",\"map\":{\"id\":\"id\",\"name\":\"name\"}}"
  "}}";

/* A numeric status in 200 bodies (Expensify's responseCode), items keyed by
 * the field value the request carries, and a file export whose first answer
 * is a file name. */
static const char fx_form[] = FIXTURE_HEAD ("fx-form", "expenses")
  "\"base_url\":\"https://forms.example.com\","
  "\"fields\":[{\"id\":\"partner_user_id\",\"label\":\"User\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"partner_user_secret\",\"label\":\"Secret\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"policy_id\",\"label\":\"Workspace\",\"type\":\"text\",\"required\":true,\"help\":\"x\",\"pattern\":\"^[0-9A-Fa-f]{16}$\"}],"
  "\"auth\":{\"scheme\":\"body\",\"fields\":{\"credentials\":{\"partnerUserID\":\"{partner_user_id}\",\"partnerUserSecret\":\"{partner_user_secret}\"}}},"
  "\"identity\":{\"id\":{\"template\":\"{policy_id}\"},\"name\":{\"template\":\"{policy_id}\"}},"
  "\"errors\":{\"message\":\"responseMessage\",\"code\":\"responseCode\",\"ok_path\":\"responseCode\","
  " \"codes\":{\"407\":\"not_authorized\",\"403\":\"forbidden\",\"500\":\"server\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"get\",\"inputSettings\":{\"type\":\"policy\",\"policyIDList\":[\"{policy_id}\"]}},"
  "   \"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"policyInfo.{policy_id}.employees\",\"map\":{\"id\":\"email\",\"email\":\"email\",\"role\":\"role\"}},"
  " \"transactions\":{\"label\":\"Expenses\",\"requirement\":\"Needs an admin.\",\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"file\",\"onReceive\":{\"immediateResponse\":[\"returnRandomFileName\"]},"
  "    \"inputSettings\":{\"type\":\"combinedReportData\",\"filters\":{\"policyIDList\":\"{policy_id}\"}},\"outputSettings\":{\"fileExtension\":\"json\"}},"
  "   \"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"\",\"map\":{\"id\":\"transactionID\",\"amount\":{\"path\":\"amount\",\"scale\":0.01}}}"
  "}}";

/* A request in two steps (Expensify's export, then the download of the
 * file it names), with the export template as a second form field. */
static const char fx_then[] = FIXTURE_HEAD ("fx-then", "expenses")
  "\"base_url\":\"https://then.example.com\","
  "\"fields\":[{\"id\":\"partner_user_id\",\"label\":\"User\",\"type\":\"text\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"partner_user_secret\",\"label\":\"Secret\",\"type\":\"secret\",\"required\":true,\"help\":\"x\"},"
  "{\"id\":\"policy_id\",\"label\":\"Workspace\",\"type\":\"text\",\"required\":true,\"help\":\"x\",\"pattern\":\"^[0-9A-Fa-f]{16}$\"}],"
  "\"auth\":{\"scheme\":\"body\",\"fields\":{\"credentials\":{\"partnerUserID\":\"{partner_user_id}\",\"partnerUserSecret\":\"{partner_user_secret}\"}}},"
  "\"identity\":{\"id\":{\"template\":\"{policy_id}\"},\"name\":{\"template\":\"{policy_id}\"}},"
  "\"errors\":{\"message\":\"responseMessage\",\"code\":\"responseCode\",\"ok_path\":\"responseCode\","
  " \"codes\":{\"407\":\"not_authorized\",\"403\":\"forbidden\",\"404\":\"not_found\",\"500\":\"server\"}},"
  "\"data_types\":{"
  " \"users\":{\"label\":\"Users\",\"essential\":true,\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"get\",\"inputSettings\":{\"type\":\"policy\",\"policyIDList\":[\"{policy_id}\"]}},"
  "   \"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"policyInfo.{policy_id}.employees\",\"map\":{\"id\":\"email\",\"email\":\"email\"}},"
  " \"transactions\":{\"label\":\"Expenses\",\"requirement\":\"Needs an admin.\",\"request\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "   \"body\":{\"type\":\"file\",\"onReceive\":{\"immediateResponse\":[\"returnRandomFileName\"]},"
  "    \"inputSettings\":{\"type\":\"combinedReportData\",\"filters\":{\"policyIDList\":\"{policy_id}\"}},\"outputSettings\":{\"fileExtension\":\"json\"}},"
  "   \"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\","
  "   \"form_params\":{\"template\":\"[<#list reportList as r>${r.reportID}</#list>]\"},"
  "   \"then\":{\"method\":\"POST\",\"path\":\"/Integration-Server/ExpensifyIntegrations\","
  "    \"body\":{\"type\":\"download\",\"fileName\":\"{response}\",\"fileSystem\":\"integrationServer\"},"
  "    \"body_encoding\":\"form\",\"form_field\":\"requestJobDescription\"}},"
  "  \"pagination\":{\"style\":\"none\"},\"items\":\"\",\"map\":{\"id\":\"transactionID\",\"amount\":{\"path\":\"amount\",\"scale\":0.01},"
  "   \"vendor\":\"merchant\",\"user_email\":\"accountEmail\"}},"
  " \"discovered_apps\":{\"label\":\"Merchants\",\"request_from\":\"transactions\",\"map\":{\"name\":\"merchant\"}}"
  "}}";

/* test_okta_pages: the digest of the pages the sandbox served before, with
 * its dates relative to 2026-12-06 (the day the digest was taken). */
#define OKTA_PAGES_DAY G_GINT64_CONSTANT (1796515200)
#define OKTA_PAGES_SHA256 "b34c89a158e625d5c9412520f5f78873a2b355a33350c70c90451f44b8bfa457"

static const char * const fixtures[] = { fx_link, fx_cursor, fx_oauth, fx_basic, fx_offset, fx_scim, fx_body,
                                         fx_graphql, fx_form, fx_then };

typedef struct
{
  PorticoCatalog *catalog;
  PorticoSandbox *sandbox;
  SoupSession *session;
} Fixture;

typedef struct
{
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  GError *error;
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_error (&r->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static PorticoCatalog *
fixture_catalog (void)
{
  PorticoCatalog *catalog = portico_catalog_new ();

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PorticoConnector) c = portico_connector_new_from_data (fixtures[i], -1, "fixture", FALSE, &error);

      g_assert_no_error (error);
      g_assert_true (portico_catalog_add (catalog, c));
    }
  return catalog;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->catalog = fixture_catalog ();
  fx->sandbox = portico_sandbox_new (fx->catalog, 7, 30);
  g_assert_true (portico_sandbox_start (fx->sandbox, 0, &error));
  g_assert_no_error (error);
  fx->session = soup_session_new ();
  soup_session_set_timeout (fx->session, 10);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->session);
  /* Let the servers see the closed connections before they go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fx->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fx->catalog);
}

static void
sent_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Reply *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &r->error);
  if (r->body == NULL)
    r->body = g_bytes_new (NULL, 0);
}

/* Sends @msg while iterating the main context the sandbox serves on. */
static void
send (Fixture *fx, SoupMessage *msg, Reply *r)
{
  memset (r, 0, sizeof *r);
  soup_session_send_and_read_async (fx->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, r);
  while (r->body == NULL)
    g_main_context_iteration (NULL, TRUE);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
}

static JsonNode *
reply_json (Reply *r)
{
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
lookup_path (JsonNode *root, const char *dotted)
{
  g_auto(GStrv) parts = g_strsplit (dotted, ".", -1);
  JsonNode *cur = root;

  for (guint i = 0; parts[i] != NULL && cur != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      if (JSON_NODE_HOLDS_ARRAY (cur))
        {
          JsonArray *a = json_node_get_array (cur);
          guint idx = (guint) g_ascii_strtoull (parts[i], NULL, 10);

          cur = idx < json_array_get_length (a) ? json_array_get_element (a, idx) : NULL;
        }
      else if (JSON_NODE_HOLDS_OBJECT (cur))
        cur = json_object_get_member (json_node_get_object (cur), parts[i]);
      else
        cur = NULL;
    }
  return cur;
}

static const char *
path_string (JsonNode *root, const char *dotted)
{
  JsonNode *n = lookup_path (root, dotted);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

/* ------------------------------------------------------------------ */
/* A minimal client driven by the same definitions.                    */

typedef struct
{
  Fixture *fx;
  PorticoConnector *connector;
  GHashTable *values;
  char *token; /* OAuth */
} Client;

static char *
origin_path (Client *c, const char *path)
{
  const char *base = json_object_get_string_member (portico_connector_get_definition (c->connector), "base_url");
  const char *p = strstr (base, "://");
  const char *slash = p != NULL ? strchr (p + 3, '/') : base[0] == '{' ? strchr (base, '}') + 1 : NULL;
  g_autofree char *prefix = g_strdup (slash != NULL ? slash : "");
  g_autofree char *joined = g_strconcat (prefix, path, NULL);
  g_autoptr(GError) error = NULL;
  char *expanded = portico_template_expand (joined, c->values, TRUE, &error);

  g_assert_no_error (error);
  return expanded;
}

static void
client_init (Client *c, Fixture *fx, const char *id, const char *secret_kind)
{
  c->fx = fx;
  c->connector = portico_catalog_lookup (fx->catalog, id);
  g_assert_nonnull (c->connector);
  c->values = portico_sandbox_get_field_values (fx->sandbox, id, secret_kind);
  g_assert_nonnull (c->values);
  c->token = NULL;
}

static void
client_clear (Client *c)
{
  g_clear_pointer (&c->values, g_hash_table_unref);
  g_clear_pointer (&c->token, g_free);
}

static char *
expand (Client *c, const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *s = portico_template_expand (tmpl, c->values, FALSE, &error);

  g_assert_no_error (error);
  return s;
}

static void
merge_auth_body (Client *c, JsonObject *tmpl, JsonObject *body)
{
  g_autoptr(GList) names = json_object_get_members (tmpl);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *t = json_object_get_member (tmpl, l->data);

      if (JSON_NODE_HOLDS_OBJECT (t))
        {
          JsonObject *sub = json_object_new ();

          merge_auth_body (c, json_node_get_object (t), sub);
          json_object_set_object_member (body, l->data, sub);
        }
      else
        {
          g_autofree char *v = expand (c, json_node_get_string (t));

          json_object_set_string_member (body, l->data, v);
        }
    }
}

static guint
client_fetch_token (Client *c)
{
  JsonObject *auth = portico_connector_get_auth (c->connector);
  g_autofree char *path = origin_path (c, "");
  const char *token_url = json_object_get_string_member (auth, "token_url");
  const char *p = strchr (strstr (token_url, "://") + 3, '/');
  g_autofree char *tpath = expand (c, p);
  g_autofree char *url = g_strconcat (g_hash_table_lookup (c->values, "api_base_url"), tpath, NULL);
  g_autofree char *id = expand (c, json_object_get_string_member (auth, "client_id"));
  g_autofree char *secret = expand (c, json_object_get_string_member (auth, "client_secret"));
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url,
                                                                   soup_form_encode ("grant_type", "client_credentials",
                                                                                     "client_id", id,
                                                                                     "client_secret", secret, NULL));
  Reply r;

  send (c->fx, msg, &r);
  if (r.status == 200)
    {
      g_autoptr(JsonNode) root = reply_json (&r);

      c->token = g_strdup (path_string (root, "access_token"));
      g_assert_nonnull (c->token);
      g_assert_cmpint (json_node_get_int (lookup_path (root, "expires_in")), >, 0);
    }
  {
    guint status = r.status;

    reply_clear (&r);
    return status;
  }
}

/* A deep copy of a definition's body with its {field} templates expanded. */
static JsonNode *
expand_node (Client *c, JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *in = json_node_get_object (node);
      JsonObject *out = json_object_new ();
      g_autoptr(GList) names = json_object_get_members (in);
      JsonNode *ret = json_node_new (JSON_NODE_OBJECT);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (out, l->data, expand_node (c, json_object_get_member (in, l->data)));
      json_node_take_object (ret, out);
      return ret;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_new ();
      JsonNode *ret = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, expand_node (c, json_array_get_element (in, i)));
      json_node_take_array (ret, out);
      return ret;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
      && strchr (json_node_get_string (node), '{') != NULL && json_node_get_string (node)[0] == '{'
      && strchr (json_node_get_string (node), ' ') == NULL)
    {
      g_autofree char *v = expand (c, json_node_get_string (node));

      return json_node_init_string (json_node_alloc (), v);
    }
  return json_node_copy (node);
}

/* Sets @value at a dotted path of keys in @body ("variables.after"),
 * keeping the other members; the definition's objects are copied, never
 * changed. */
static void
body_set_path (JsonObject *body, const char *dotted, JsonNode *value)
{
  const char *dot = strchr (dotted, '.');
  g_autofree char *head = NULL;
  JsonNode *cur;
  JsonObject *sub;

  if (dot == NULL)
    {
      json_object_set_member (body, dotted, json_node_copy (value));
      return;
    }
  head = g_strndup (dotted, dot - dotted);
  cur = json_object_get_member (body, head);
  if (cur != NULL && JSON_NODE_HOLDS_OBJECT (cur))
    {
      g_autofree char *text = json_to_string (cur, FALSE);
      JsonNode *copy = json_from_string (text, NULL);

      sub = json_object_ref (json_node_get_object (copy));
      json_node_unref (copy);
    }
  else
    sub = json_object_new ();
  body_set_path (sub, dot + 1, value);
  json_object_set_object_member (body, head, sub);
}

/* Builds the request of @req at @url with the connector's auth. */
static SoupMessage *
client_message (Client *c, JsonObject *req, const char *url, JsonObject *extra_body)
{
  JsonObject *auth = portico_connector_get_auth (c->connector);
  const char *scheme = json_object_get_string_member (auth, "scheme");
  const char *method = json_object_get_string_member_with_default (req, "method", "GET");
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  g_autoptr(JsonObject) body = json_object_new ();
  gboolean has_body = g_str_equal (method, "POST");

  g_assert_nonnull (msg);
  if (json_object_has_member (req, "body"))
    {
      JsonObject *b = json_object_get_object_member (req, "body");
      g_autoptr(GList) names = json_object_get_members (b);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (body, l->data, expand_node (c, json_object_get_member (b, l->data)));
    }
  if (extra_body != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (extra_body);

      for (GList *l = names; l != NULL; l = l->next)
        body_set_path (body, l->data, json_object_get_member (extra_body, l->data));
    }

  if (g_str_equal (scheme, "header"))
    {
      g_autofree char *v = expand (c, json_object_get_string_member (auth, "value"));

      soup_message_headers_replace (h, json_object_get_string_member (auth, "header"), v);
    }
  else if (g_str_equal (scheme, "basic"))
    {
      g_autofree char *u = expand (c, json_object_get_string_member (auth, "username"));
      g_autofree char *p = expand (c, json_object_get_string_member (auth, "password"));
      g_autofree char *pair = g_strdup_printf ("%s:%s", u, p);
      g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *v = g_strdup_printf ("Basic %s", b64);

      soup_message_headers_replace (h, "Authorization", v);
    }
  else if (g_str_equal (scheme, "body"))
    merge_auth_body (c, json_object_get_object_member (auth, "fields"), body);
  else if (c->token != NULL)
    {
      g_autofree char *v = g_strdup_printf ("Bearer %s", c->token);

      soup_message_headers_replace (h, "Authorization", v);
    }

  if (has_body)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *text = NULL;

      json_node_set_object (node, body);
      text = json_to_string (node, FALSE);
      if (g_strcmp0 (json_object_get_string_member_with_default (req, "body_encoding", "json"), "form") == 0)
        {
          g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
          JsonObject *params = json_object_has_member (req, "form_params")
                               ? json_object_get_object_member (req, "form_params") : NULL;
          g_autoptr(GList) param_names = params != NULL ? json_object_get_members (params) : NULL;
          char *form;
          g_autoptr(GBytes) bytes = NULL;

          g_hash_table_insert (fields, (gpointer) json_object_get_string_member (req, "form_field"), g_strdup (text));
          for (GList *l = param_names; l != NULL; l = l->next)
            g_hash_table_insert (fields, l->data, expand (c, json_object_get_string_member (params, l->data)));
          form = soup_form_encode_hash (fields);
          bytes = g_bytes_new_take (form, strlen (form));

          soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
        }
      else
        {
          gsize len = strlen (text);
          g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

          soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
        }
    }
  return msg;
}

static char *
request_url (Client *c, JsonObject *req, GHashTable *extra_query)
{
  g_autofree char *path = origin_path (c, json_object_get_string_member (req, "path"));
  g_autoptr(GHashTable) q = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  JsonObject *query = json_object_has_member (req, "query") ? json_object_get_object_member (req, "query") : NULL;
  g_autofree char *encoded = NULL;

  if (query != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (query);

      for (GList *l = names; l != NULL; l = l->next)
        g_hash_table_insert (q, l->data, expand (c, json_object_get_string_member (query, l->data)));
    }
  if (extra_query != NULL)
    {
      GHashTableIter it;
      gpointer k, v;

      g_hash_table_iter_init (&it, extra_query);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (q, k, g_strdup (v));
    }
  encoded = soup_form_encode_hash (q);
  return g_strdup_printf ("%s%s%s%s", (const char *) g_hash_table_lookup (c->values, "api_base_url"),
                          path, *encoded ? "?" : "", encoded);
}

/* The target of the Link entry with rel="next", unless it says
 * results="false" (Sentry's last page). */
static char *
link_next (const char *link)
{
  g_auto(GStrv) entries = NULL;

  if (link == NULL)
    return NULL;
  entries = g_strsplit (link, ",", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *open = strchr (entries[i], '<');
      const char *close = open != NULL ? strchr (open, '>') : NULL;

      if (close == NULL || strstr (close, "rel=\"next\"") == NULL)
        continue;
      if (strstr (close, "results=\"false\"") != NULL)
        return NULL;
      return g_strndup (open + 1, close - open - 1);
    }
  return NULL;
}

/* Whether a 200 body says the request failed: ok false, a numeric ok field
 * outside 2xx, or a non-empty errors array (GraphQL). */
static gboolean
body_reports_error (Client *c, JsonNode *root)
{
  JsonObject *def = portico_connector_get_definition (c->connector);
  JsonObject *errors = json_object_has_member (def, "errors") ? json_object_get_object_member (def, "errors") : NULL;
  const char *ok_path = errors != NULL ? json_object_get_string_member_with_default (errors, "ok_path", NULL) : NULL;
  const char *errors_path = errors != NULL ? json_object_get_string_member_with_default (errors, "errors_path", NULL) : NULL;
  JsonNode *n;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  if (ok_path != NULL && (n = lookup_path (root, ok_path)) != NULL && JSON_NODE_HOLDS_VALUE (n))
    {
      if (json_node_get_value_type (n) == G_TYPE_BOOLEAN && !json_node_get_boolean (n))
        return TRUE;
      if (json_node_get_value_type (n) == G_TYPE_INT64
          && (json_node_get_int (n) < 200 || json_node_get_int (n) >= 300))
        return TRUE;
    }
  if (errors_path != NULL && (n = lookup_path (root, errors_path)) != NULL && JSON_NODE_HOLDS_ARRAY (n)
      && json_array_get_length (json_node_get_array (n)) > 0)
    return TRUE;
  return FALSE;
}

/* Reads every page of @data_type; returns the HTTP status of the last page
 * (or of the failing one) and appends the items to @items. */
static guint
client_read_all (Client *c, const char *data_type, JsonArray *items, guint *n_pages, JsonNode **last_body)
{
  JsonObject *dt = portico_connector_get_data_type_definition (c->connector, data_type);
  JsonObject *req = json_object_get_object_member (dt, "request");
  JsonObject *pag = json_object_get_object_member (dt, "pagination");
  const char *style = json_object_get_string_member (pag, "style");
  JsonNode *items_path = json_object_get_member (dt, "items");
  g_autofree char *next_url = NULL;
  g_autofree char *cursor = NULL;
  guint page = (guint) json_object_get_int_member_with_default (pag, "start", 1);
  guint offset = 0;
  guint status = 0;
  JsonObject *cont_req = NULL;

  *n_pages = 0;
  for (;;)
    {
      g_autoptr(GHashTable) q = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      g_autoptr(JsonObject) extra = json_object_new ();
      g_autofree char *url = NULL;
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonNode *arr_node;
      guint got;
      g_auto(Reply) r = { 0 };

      if (g_str_equal (style, "page")
          && g_strcmp0 (json_object_get_string_member_with_default (pag, "in", "query"), "body") == 0)
        {
          json_object_set_int_member (extra, json_object_get_string_member (pag, "param"), page);
          if (json_object_has_member (pag, "size_param"))
            json_object_set_int_member (extra, json_object_get_string_member (pag, "size_param"),
                                        json_object_get_int_member (pag, "size"));
        }
      else if (g_str_equal (style, "page"))
        g_hash_table_insert (q, (gpointer) json_object_get_string_member (pag, "param"), g_strdup_printf ("%u", page));
      else if (g_str_equal (style, "offset"))
        g_hash_table_insert (q, (gpointer) json_object_get_string_member (pag, "param"), g_strdup_printf ("%u", offset));
      else if (g_str_equal (style, "scim"))
        g_hash_table_insert (q, (gpointer) "startIndex", g_strdup_printf ("%u", offset + 1));
      else if (g_str_equal (style, "cursor") && cursor != NULL)
        {
          if (g_strcmp0 (json_object_get_string_member (pag, "in"), "body") == 0)
            json_object_set_string_member (extra, json_object_get_string_member (pag, "param"), cursor);
          else
            g_hash_table_insert (q, (gpointer) json_object_get_string_member (pag, "param"), g_strdup (cursor));
        }

      if (next_url != NULL)
        url = g_str_has_prefix (next_url, "http")
              ? g_strdup (next_url)
              : g_strconcat (g_hash_table_lookup (c->values, "api_base_url"), next_url, NULL);
      else
        url = request_url (c, cont_req != NULL ? cont_req : req, q);
      msg = client_message (c, cont_req != NULL ? cont_req : req, url, extra);
      send (c->fx, msg, &r);
      (*n_pages)++;
      status = r.status;
      root = r.body != NULL && g_bytes_get_size (r.body) > 0 ? reply_json (&r) : NULL;
      if (status != 200 || body_reports_error (c, root))
        {
          if (last_body != NULL)
            *last_body = g_steal_pointer (&root);
          reply_clear (&r);
          return status;
        }

      {
        g_autofree char *where = expand (c, JSON_NODE_HOLDS_VALUE (items_path) ? json_node_get_string (items_path) : "");

        arr_node = lookup_path (root, where);
      }
      g_assert_nonnull (arr_node);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (arr_node));
      got = json_array_get_length (json_node_get_array (arr_node));
      for (guint i = 0; i < got; i++)
        json_array_add_element (items, json_node_copy (json_array_get_element (json_node_get_array (arr_node), i)));

      g_clear_pointer (&next_url, g_free);
      if (g_str_equal (style, "none"))
        break;
      else if (g_str_equal (style, "link_header"))
        {
          const char *link = soup_message_headers_get_one (r.headers, "Link");

          next_url = link_next (link);
          if (next_url == NULL)
            break;
          g_assert_true (g_str_has_prefix (next_url, "http://127.0.0.1:"));
        }
      else if (g_str_equal (style, "cursor"))
        {
          const char *has_more = json_object_get_string_member_with_default (pag, "has_more_path", NULL);
          const char *next = path_string (root, json_object_get_string_member (pag, "cursor_path"));

          g_free (cursor);
          cursor = next != NULL && *next ? g_strdup (next) : NULL;
          if (has_more != NULL && !json_node_get_boolean (lookup_path (root, has_more)))
            break;
          if (cursor == NULL)
            break;
          if (json_object_has_member (pag, "continue_path") && cont_req == NULL)
            {
              cont_req = json_object_new ();
              json_object_set_string_member (cont_req, "method", json_object_get_string_member (req, "method"));
              json_object_set_string_member (cont_req, "path", json_object_get_string_member (pag, "continue_path"));
            }
        }
      else if (g_str_equal (style, "next_url"))
        {
          JsonArray *np = json_object_get_array_member (pag, "next_path");
          JsonNode *n = json_object_get_member (json_node_get_object (root), json_array_get_string_element (np, 0));

          if (n == NULL || JSON_NODE_HOLDS_NULL (n))
            break;
          next_url = g_strdup (json_node_get_string (n));
        }
      else if (g_str_equal (style, "page"))
        {
          if (json_object_has_member (pag, "total_pages_path"))
            {
              gint64 total_pages = json_node_get_int (lookup_path (root, json_object_get_string_member (pag, "total_pages_path")));

              if (page >= total_pages)
                break;
            }
          else if (got == 0 || got < json_object_get_int_member (pag, "size"))
            break;
          page++;
        }
      else if (g_str_equal (style, "offset"))
        {
          gint64 total = json_node_get_int (lookup_path (root, json_object_get_string_member (pag, "total_path")));

          offset += got;
          if (got == 0 || offset >= total)
            break;
        }
      else if (g_str_equal (style, "scim"))
        {
          gint64 total = json_node_get_int (lookup_path (root, "totalResults"));
          gint64 per = json_node_get_int (lookup_path (root, "itemsPerPage"));
          gint64 start = json_node_get_int (lookup_path (root, "startIndex"));

          g_assert_cmpint (start, ==, offset + 1);
          if (start + per > total)
            break;
          offset += per;
        }
      reply_clear (&r);
      g_assert_cmpuint (*n_pages, <, 1000);
    }
  g_clear_pointer (&cont_req, json_object_unref);
  return status;
}

/* ------------------------------------------------------------------ */

static void
test_paging_all_styles (Fixture *fx, gconstpointer data)
{
  static const struct { const char *id; const char *dt; guint min_pages; } cases[] = {
    { "fx-link", "users", 2 },
    { "fx-link", "discovered_apps", 1 },
    { "fx-cursor", "users", 2 },
    { "fx-cursor", "usage", 2 },
    { "fx-oauth", "users", 2 },
    { "fx-oauth", "licenses", 1 },
    { "fx-basic", "users", 1 },
    { "fx-offset", "users", 2 },
    { "fx-offset", "groups", 2 },
    { "fx-scim", "users", 2 },
    { "fx-body", "users", 1 },
    { "fx-body", "groups", 1 },
    { "fx-body", "transactions", 2 },
    { "fx-graphql", "users", 2 },
    { "fx-graphql", "groups", 2 },
    { "fx-form", "users", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Client c;
      g_autoptr(JsonArray) items = json_array_new ();
      JsonArray *expected = portico_sandbox_get_expected (fx->sandbox, cases[i].id, cases[i].dt);
      guint pages = 0;
      guint status;

      g_test_message ("%s %s", cases[i].id, cases[i].dt);
      client_init (&c, fx, cases[i].id, "ok");
      if (g_str_equal (cases[i].id, "fx-oauth"))
        g_assert_cmpuint (client_fetch_token (&c), ==, 200);
      status = client_read_all (&c, cases[i].dt, items, &pages, NULL);
      g_assert_cmpuint (status, ==, 200);
      g_assert_nonnull (expected);
      g_assert_cmpuint (json_array_get_length (expected), >, 0);
      g_assert_cmpuint (json_array_get_length (items), ==, json_array_get_length (expected));
      g_assert_cmpuint (pages, >=, cases[i].min_pages);
      client_clear (&c);
    }
}

static void
test_shapes (Fixture *fx, gconstpointer data)
{
  Client c;
  g_autoptr(JsonArray) items = json_array_new ();
  JsonArray *expected = portico_sandbox_get_expected (fx->sandbox, "fx-link", "users");
  JsonObject *first = json_array_get_object_element (expected, 0);
  JsonNode *item;
  guint pages;
  gboolean saw_deprovisioned = FALSE;
  g_autoptr(GHashTable) emails = g_hash_table_new (g_str_hash, g_str_equal);

  /* Okta-like: nested profile, status raw key, name split in two. */
  client_init (&c, fx, "fx-link", "ok");
  g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 200);
  item = json_array_get_element (items, 0);
  g_assert_cmpstr (path_string (item, "id"), ==, json_object_get_string_member (first, "id"));
  g_assert_cmpstr (path_string (item, "profile.email"), ==, json_object_get_string_member (first, "email"));
  g_assert_true (g_str_has_suffix (path_string (item, "profile.email"), "@acme.example"));
  {
    g_autofree char *joined = g_strdup_printf ("%s %s", path_string (item, "profile.firstName"),
                                               path_string (item, "profile.lastName"));

    g_assert_cmpstr (joined, ==, json_object_get_string_member (first, "name"));
  }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *it = json_array_get_element (items, i);
      JsonObject *exp = json_array_get_object_element (expected, i);
      const char *raw = path_string (it, "status");
      const char *want = json_object_get_string_member (exp, "status");

      g_assert_cmpstr (path_string (it, "id"), ==, json_object_get_string_member (exp, "id"));
      if (g_strcmp0 (want, "active") == 0)
        g_assert_true (raw == NULL || g_str_equal (raw, "ACTIVE"));
      else if (g_strcmp0 (want, "deprovisioned") == 0)
        {
          g_assert_cmpstr (raw, ==, "DEPROVISIONED");
          saw_deprovisioned = TRUE;
        }
      g_hash_table_add (emails, (gpointer) path_string (it, "profile.email"));
    }
  g_assert_cmpuint (g_hash_table_size (emails), ==, json_array_get_length (items));
  (void) saw_deprovisioned;
  client_clear (&c);

  /* Slack-like: booleans stay booleans, custom fields in the same items. */
  {
    g_autoptr(JsonArray) members = json_array_new ();
    JsonArray *exp_users = portico_sandbox_get_expected (fx->sandbox, "fx-cursor", "users");
    JsonArray *exp_custom = portico_sandbox_get_expected (fx->sandbox, "fx-cursor", "custom_fields");
    guint active = 0, deprovisioned = 0;

    client_init (&c, fx, "fx-cursor", "ok");
    g_assert_cmpuint (client_read_all (&c, "users", members, &pages, NULL), ==, 200);
    g_assert_cmpuint (json_array_get_length (exp_custom), ==, json_array_get_length (members));
    for (guint i = 0; i < json_array_get_length (members); i++)
      {
        JsonNode *m = json_array_get_element (members, i);
        JsonObject *eu = json_array_get_object_element (exp_users, i);
        JsonObject *ec = json_array_get_object_element (exp_custom, i);
        JsonNode *deleted = lookup_path (m, "deleted");
        JsonNode *admin = lookup_path (m, "is_admin");
        const char *status = json_object_get_string_member (eu, "status");

        g_assert_nonnull (admin);
        g_assert_true (json_node_get_value_type (admin) == G_TYPE_BOOLEAN);
        if (g_str_equal (status, "deprovisioned"))
          {
            g_assert_nonnull (deleted);
            g_assert_true (json_node_get_boolean (deleted));
            deprovisioned++;
          }
        else if (g_str_equal (status, "active"))
          {
            g_assert_null (deleted);
            active++;
          }
        g_assert_cmpstr (json_object_get_string_member (ec, "user_id"), ==, path_string (m, "id"));
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ec, "fields"), "Title"),
                         ==, path_string (m, "profile.title"));
        g_assert_nonnull (json_object_get_member (json_node_get_object (lookup_path (m, "profile.fields")),
                                                  "dept.name"));
      }
    /* Mostly active, some not. */
    g_assert_cmpuint (active, >, json_array_get_length (members) / 2);
    client_clear (&c);
  }

  /* Amounts in cents read back in units; vendors include catalog app names. */
  {
    JsonArray *txns = portico_sandbox_get_expected (fx->sandbox, "fx-body", "transactions");
    gboolean catalog_vendor = FALSE;

    for (guint i = 0; i < json_array_get_length (txns); i++)
      {
        JsonObject *t = json_array_get_object_element (txns, i);
        const char *vendor = json_object_get_string_member (t, "vendor");

        g_assert_cmpfloat (json_object_get_double_member (t, "amount"), >, 0);
        g_assert_true (g_str_has_suffix (json_object_get_string_member (t, "user_email"), "@acme.example"));
        if (g_str_has_suffix (vendor, " app"))
          catalog_vendor = TRUE;
      }
    g_assert_true (catalog_vendor);
  }

  /* Licenses: totals cover the assigned seats. */
  {
    JsonArray *lic = portico_sandbox_get_expected (fx->sandbox, "fx-oauth", "licenses");

    for (guint i = 0; i < json_array_get_length (lic); i++)
      {
        JsonObject *l = json_array_get_object_element (lic, i);

        g_assert_cmpint (json_object_get_int_member (l, "total"), >=, json_object_get_int_member (l, "assigned"));
      }
  }
}

static void
test_identity (Fixture *fx, gconstpointer data)
{
  Client c;
  JsonObject *req;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *expected = portico_sandbox_get_expected_identity (fx->sandbox, "fx-oauth");
  Reply r;

  client_init (&c, fx, "fx-oauth", "ok");
  g_assert_cmpuint (client_fetch_token (&c), ==, 200);
  req = json_object_get_object_member (portico_connector_get_identity (c.connector), "request");
  url = request_url (&c, req, NULL);
  msg = client_message (&c, req, url, NULL);
  send (fx, msg, &r);
  g_assert_cmpuint (r.status, ==, 200);
  root = reply_json (&r);
  g_assert_cmpstr (path_string (root, "value.0.id"), ==, json_object_get_string_member (expected, "id"));
  g_assert_cmpstr (path_string (root, "value.0.displayName"), ==, json_object_get_string_member (expected, "name"));
  reply_clear (&r);
  client_clear (&c);

  /* Another tenant is another identity. */
  client_init (&c, fx, "fx-link", "ok");
  g_hash_table_replace (c.values, g_strdup ("api_token"), g_strdup ("sandbox-ok-globex"));
  {
    g_autoptr(SoupMessage) m2 = NULL;
    g_autofree char *u2 = NULL;
    g_autoptr(JsonNode) r2 = NULL;

    req = json_object_get_object_member (portico_connector_get_identity (c.connector), "request");
    u2 = request_url (&c, req, NULL);
    m2 = client_message (&c, req, u2, NULL);
    send (fx, m2, &r);
    g_assert_cmpuint (r.status, ==, 200);
    r2 = reply_json (&r);
    g_assert_nonnull (path_string (r2, "id"));
    g_assert_cmpstr (path_string (r2, "id"), !=,
                     json_object_get_string_member (portico_sandbox_get_expected_identity (fx->sandbox, "fx-link"), "id"));
    g_assert_nonnull (strstr (path_string (r2, "companyName"), "Globex"));
    reply_clear (&r);
  }
  client_clear (&c);

  /* Template identities read the example field values. */
  g_assert_cmpstr (json_object_get_string_member (portico_sandbox_get_expected_identity (fx->sandbox, "fx-scim"), "name"),
                   ==, "Design");
}

static void
test_bad_credentials (Fixture *fx, gconstpointer data)
{
  static const char * const ids[] = { "fx-link", "fx-cursor", "fx-basic", "fx-offset", "fx-scim", "fx-body" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      Client c;
      g_autoptr(JsonArray) items = json_array_new ();
      g_autoptr(JsonNode) body = NULL;
      guint pages;
      guint status;

      g_test_message ("%s", ids[i]);
      client_init (&c, fx, ids[i], "bad");
      status = client_read_all (&c, "users", items, &pages, &body);
      if (g_str_equal (ids[i], "fx-cursor"))
        {
          /* ok:false with HTTP 200 and the code mapped to not_authorized. */
          g_assert_cmpuint (status, ==, 200);
          g_assert_false (json_node_get_boolean (lookup_path (body, "ok")));
          g_assert_cmpstr (path_string (body, "error"), ==, "invalid_auth");
        }
      else
        g_assert_cmpuint (status, ==, 401);
      if (g_str_equal (ids[i], "fx-link"))
        g_assert_cmpstr (path_string (body, "errorCode"), ==, "E0000011");
      if (g_str_equal (ids[i], "fx-body"))
        g_assert_cmpint (json_node_get_int (lookup_path (body, "responseCode")), ==, 407);
      g_assert_cmpuint (json_array_get_length (items), ==, 0);
      client_clear (&c);
    }

  /* OAuth: the token request is refused, and an unissued token too. */
  {
    Client c;
    g_autoptr(JsonArray) items = json_array_new ();
    guint pages;

    client_init (&c, fx, "fx-oauth", "bad");
    g_assert_cmpuint (client_fetch_token (&c), ==, 401);
    c.token = g_strdup ("sbx_made_up");
    g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 401);
    client_clear (&c);
  }
}

static void
test_break_credentials (Fixture *fx, gconstpointer data)
{
  Client c;
  g_autoptr(JsonArray) items = json_array_new ();
  guint pages;

  client_init (&c, fx, "fx-oauth", "ok");
  g_assert_cmpuint (client_fetch_token (&c), ==, 200);
  g_assert_cmpuint (client_read_all (&c, "licenses", items, &pages, NULL), ==, 200);
  portico_sandbox_break_credentials (fx->sandbox, "fx-oauth", TRUE);
  g_assert_cmpuint (client_read_all (&c, "licenses", items, &pages, NULL), ==, 401);
  g_clear_pointer (&c.token, g_free);
  g_assert_cmpuint (client_fetch_token (&c), ==, 401);
  portico_sandbox_break_credentials (fx->sandbox, "fx-oauth", FALSE);
  g_assert_cmpuint (client_fetch_token (&c), ==, 200);
  client_clear (&c);

  /* Through the admin endpoint. */
  {
    g_autofree char *url = g_strdup_printf ("%s/credentials?connector=fx-link&state=bad",
                                            portico_sandbox_get_admin_url (fx->sandbox));
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(JsonArray) more = json_array_new ();
    Reply r;

    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 200);
    reply_clear (&r);
    client_init (&c, fx, "fx-link", "ok");
    g_assert_cmpuint (client_read_all (&c, "users", more, &pages, NULL), ==, 401);
    client_clear (&c);
  }
}

static void
test_plan (Fixture *fx, gconstpointer data)
{
  g_auto(GStrv) link_fail = portico_sandbox_get_plan_failures (fx->sandbox, "fx-link");
  g_auto(GStrv) cursor_fail = portico_sandbox_get_plan_failures (fx->sandbox, "fx-cursor");
  g_auto(GStrv) offset_fail = portico_sandbox_get_plan_failures (fx->sandbox, "fx-offset");
  Client c;
  guint pages;

  /* With requirements: exactly those; without: the last non-essential one. */
  g_assert_cmpuint (g_strv_length (link_fail), ==, 1);
  g_assert_cmpstr (link_fail[0], ==, "groups");
  g_assert_cmpuint (g_strv_length (cursor_fail), ==, 1);
  g_assert_cmpstr (cursor_fail[0], ==, "usage");
  g_assert_cmpuint (g_strv_length (offset_fail), ==, 1);
  g_assert_cmpstr (offset_fail[0], ==, "groups");

  client_init (&c, fx, "fx-link", "plan");
  {
    g_autoptr(JsonArray) items = json_array_new ();
    g_autoptr(JsonNode) body = NULL;

    g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 200);
    g_assert_cmpuint (client_read_all (&c, "discovered_apps", items, &pages, NULL), ==, 200);
    g_assert_cmpuint (client_read_all (&c, "groups", items, &pages, &body), ==, 403);
    g_assert_cmpstr (path_string (body, "errorCode"), ==, "E0000006");
  }
  client_clear (&c);

  client_init (&c, fx, "fx-cursor", "plan");
  {
    g_autoptr(JsonArray) items = json_array_new ();
    g_autoptr(JsonNode) body = NULL;

    g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 200);
    g_assert_cmpuint (client_read_all (&c, "usage", items, &pages, &body), ==, 200);
    g_assert_false (json_node_get_boolean (lookup_path (body, "ok")));
    g_assert_cmpstr (path_string (body, "error"), ==, "paid_only");
  }
  client_clear (&c);
}

/* One request of @data_type's definition with @extra members in its body. */
static guint
client_request (Client *c, const char *data_type, JsonObject *extra, Reply *r)
{
  JsonObject *req;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (data_type != NULL)
    req = json_object_get_object_member (portico_connector_get_data_type_definition (c->connector, data_type),
                                         "request");
  else
    req = json_object_get_object_member (portico_connector_get_identity (c->connector), "request");
  url = request_url (c, req, NULL);
  msg = client_message (c, req, url, extra);
  send (c->fx, msg, r);
  return r->status;
}

static void
test_graphql (Fixture *fx, gconstpointer data)
{
  Client c;
  g_auto(GStrv) plan = portico_sandbox_get_plan_failures (fx->sandbox, "fx-graphql");
  JsonArray *expected = portico_sandbox_get_expected (fx->sandbox, "fx-graphql", "users");

  g_assert_cmpuint (g_strv_length (plan), ==, 1);
  g_assert_cmpstr (plan[0], ==, "groups");

  /* Success bodies carry no errors; the cursor is read at variables.after
   * and the page size at variables.first. */
  client_init (&c, fx, "fx-graphql", "ok");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonObject) extra = json_object_new ();
    g_auto(Reply) r2 = { 0 };
    g_autoptr(JsonNode) root2 = NULL;
    const char *cursor;

    json_object_set_int_member (extra, "variables.first", 2);
    g_assert_cmpuint (client_request (&c, "users", extra, &r), ==, 200);
    root = reply_json (&r);
    g_assert_null (lookup_path (root, "errors"));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (lookup_path (root, "data.users.nodes"))), ==, 2);
    g_assert_true (json_node_get_boolean (lookup_path (root, "data.users.pageInfo.hasNextPage")));
    cursor = path_string (root, "data.users.pageInfo.endCursor");
    g_assert_nonnull (cursor);

    json_object_set_string_member (extra, "variables.after", cursor);
    g_assert_cmpuint (client_request (&c, "users", extra, &r2), ==, 200);
    root2 = reply_json (&r2);
    g_assert_cmpstr (path_string (root2, "data.users.nodes.0.id"), ==,
                     json_object_get_string_member (json_array_get_object_element (expected, 2), "id"));
  }
  /* Page numbers at variables.page; the last page is short. */
  {
    JsonArray *teams = portico_sandbox_get_expected (fx->sandbox, "fx-graphql", "groups");
    guint n = json_array_get_length (teams);
    guint limit = 3;
    guint last;
    g_autoptr(JsonObject) extra = json_object_new ();
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    /* A limit under the definition's size that leaves a short last page. */
    while (limit > 2 && n % limit == 0)
      limit--;
    g_assert_cmpuint (n % limit, !=, 0);
    last = (n + limit - 1) / limit;
    json_object_set_int_member (extra, "variables.page", last);
    json_object_set_int_member (extra, "variables.limit", limit);
    g_assert_cmpuint (client_request (&c, "groups", extra, &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (lookup_path (root, "data.teams"))), ==, n % limit);
    g_assert_cmpstr (path_string (root, "data.teams.0.id"), ==,
                     json_object_get_string_member (json_array_get_object_element (teams, (last - 1) * limit), "id"));
  }
  client_clear (&c);

  /* Refusals: HTTP 200 with an errors array whose code maps as wanted. */
  client_init (&c, fx, "fx-graphql", "bad");
  {
    g_auto(Reply) r = { 0 };
    g_auto(Reply) r2 = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) root2 = NULL;

    g_assert_cmpuint (client_request (&c, "users", NULL, &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpstr (path_string (root, "errors.0.extensions.code"), ==, "AUTHENTICATION_ERROR");
    g_assert_nonnull (path_string (root, "errors.0.message"));
    g_assert_cmpuint (client_request (&c, NULL, NULL, &r2), ==, 200);
    root2 = reply_json (&r2);
    g_assert_cmpstr (path_string (root2, "errors.0.extensions.code"), ==, "AUTHENTICATION_ERROR");
    g_assert_null (lookup_path (root2, "data"));
  }
  client_clear (&c);

  client_init (&c, fx, "fx-graphql", "plan");
  {
    g_autoptr(JsonArray) items = json_array_new ();
    g_autoptr(JsonNode) body = NULL;
    guint pages;

    g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 200);
    g_assert_cmpuint (json_array_get_length (items), ==, json_array_get_length (expected));
    g_assert_cmpuint (client_read_all (&c, "groups", items, &pages, &body), ==, 200);
    g_assert_cmpstr (path_string (body, "errors.0.extensions.code"), ==, "FORBIDDEN");
  }
  client_clear (&c);
}

static void
test_numeric_status (Fixture *fx, gconstpointer data)
{
  Client c;
  JsonArray *expected = portico_sandbox_get_expected (fx->sandbox, "fx-form", "users");

  /* Success: 200 at the status path; items keyed by the policy sent. */
  client_init (&c, fx, "fx-form", "ok");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *where = NULL;
    JsonNode *n;

    g_hash_table_replace (c.values, g_strdup ("policy_id"), g_strdup ("ABCDEF0123456789"));
    g_assert_cmpuint (client_request (&c, "users", NULL, &r), ==, 200);
    root = reply_json (&r);
    n = lookup_path (root, "responseCode");
    g_assert_nonnull (n);
    g_assert_true (json_node_get_value_type (n) == G_TYPE_INT64);
    g_assert_cmpint (json_node_get_int (n), ==, 200);
    n = lookup_path (root, "policyInfo.ABCDEF0123456789.employees");
    g_assert_nonnull (n);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (n)), ==, json_array_get_length (expected));
  }
  /* The export job answers with a file name, as the provider's first step. */
  {
    g_auto(Reply) r = { 0 };
    gsize len;
    const char *text;

    g_assert_cmpuint (client_request (&c, "transactions", NULL, &r), ==, 200);
    text = g_bytes_get_data (r.body, &len);
    g_assert_cmpuint (len, >, 5);
    g_assert_true (g_str_has_prefix (text, "export"));
    g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "text/plain");
  }
  client_clear (&c);

  /* Refused: HTTP 200 with the provider's number, never false. */
  client_init (&c, fx, "fx-form", "bad");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonNode *n;

    g_assert_cmpuint (client_request (&c, "users", NULL, &r), ==, 200);
    root = reply_json (&r);
    n = lookup_path (root, "responseCode");
    g_assert_true (json_node_get_value_type (n) == G_TYPE_INT64);
    g_assert_cmpint (json_node_get_int (n), ==, 407);
    g_assert_nonnull (path_string (root, "responseMessage"));
  }
  client_clear (&c);

  client_init (&c, fx, "fx-form", "plan");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    g_assert_cmpuint (client_request (&c, "transactions", NULL, &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 403);
  }
  client_clear (&c);

  /* A server fault keeps its HTTP status, and the body says it too. */
  portico_sandbox_set_fault (fx->sandbox, "fx-form", PORTICO_SANDBOX_FAULT_SERVER, 1);
  client_init (&c, fx, "fx-form", "ok");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    g_assert_cmpuint (client_request (&c, "users", NULL, &r), ==, 500);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 500);
  }
  client_clear (&c);
}

/* Sends the second step of @data_type's "then" pair naming @file_name. */
static guint
client_then (Client *c, const char *data_type, const char *file_name, Reply *r)
{
  JsonObject *req = json_object_get_object_member (portico_connector_get_data_type_definition (c->connector, data_type),
                                                   "request");
  JsonObject *then = json_object_get_object_member (req, "then");
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_hash_table_replace (c->values, g_strdup ("response"), g_strdup (file_name));
  url = request_url (c, then, NULL);
  msg = client_message (c, then, url, NULL);
  send (c->fx, msg, r);
  return r->status;
}

static char *
reply_text (Reply *r)
{
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);

  return g_strndup (data, len);
}

static void
test_then (Fixture *fx, gconstpointer data)
{
  Client c;
  JsonArray *expected = portico_sandbox_get_expected (fx->sandbox, "fx-then", "transactions");
  JsonArray *expected_apps = portico_sandbox_get_expected (fx->sandbox, "fx-then", "discovered_apps");
  g_auto(GStrv) plan = portico_sandbox_get_plan_failures (fx->sandbox, "fx-then");
  g_autofree char *name = NULL;
  g_autofree char *name2 = NULL;

  g_assert_nonnull (expected);
  g_assert_cmpuint (json_array_get_length (expected), >, 0);
  g_assert_nonnull (expected_apps);
  g_assert_cmpuint (json_array_get_length (expected_apps), ==, json_array_get_length (expected));
  g_assert_true (g_strv_contains ((const char * const *) plan, "transactions"));

  client_init (&c, fx, "fx-then", "ok");
  /* Step one: a file name, as plain text. */
  {
    g_auto(Reply) r = { 0 };
    g_auto(Reply) r2 = { 0 };

    g_assert_cmpuint (client_request (&c, "transactions", NULL, &r), ==, 200);
    g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "text/plain");
    name = reply_text (&r);
    g_assert_true (g_str_has_prefix (name, "export"));
    g_assert_true (g_str_has_suffix (name, ".json"));
    /* Every export gets its own file. */
    g_assert_cmpuint (client_request (&c, "transactions", NULL, &r2), ==, 200);
    name2 = reply_text (&r2);
    g_assert_cmpstr (name, !=, name2);
  }
  /* Step two with an issued name: the file, the items the map reads. */
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *items;

    g_assert_cmpuint (client_then (&c, "transactions", name, &r), ==, 200);
    root = reply_json (&r);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
    items = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (items), ==, json_array_get_length (expected));
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonObject *item = json_array_get_object_element (items, i);
        JsonObject *want = json_array_get_object_element (expected, i);
        JsonObject *app = json_array_get_object_element (expected_apps, i);

        g_assert_cmpstr (json_object_get_string_member (item, "transactionID"), ==,
                         json_object_get_string_member (want, "id"));
        g_assert_cmpstr (json_object_get_string_member (item, "merchant"), ==,
                         json_object_get_string_member (app, "name"));
      }
  }
  /* Step two with a name the sandbox never gave: refused. */
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    g_assert_cmpuint (client_then (&c, "transactions", "export-made-up.json", &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 404);
  }
  /* Step one without the template form field: refused, no file name. */
  {
    JsonObject *dt = portico_connector_get_data_type_definition (c.connector, "transactions");
    g_autofree char *text = json_to_string (json_object_get_member (dt, "request"), FALSE);
    g_autoptr(JsonNode) copy = json_from_string (text, NULL); /* deep: the definition stays as is */
    JsonObject *bare = json_node_get_object (copy);
    g_autofree char *url = NULL;
    g_autoptr(SoupMessage) msg = NULL;
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    json_object_remove_member (bare, "form_params");
    url = request_url (&c, bare, NULL);
    msg = client_message (&c, bare, url, NULL);
    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 200);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 400);
  }
  client_clear (&c);

  /* Step two with an issued name but bad credentials: refused. */
  client_init (&c, fx, "fx-then", "bad");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    g_assert_cmpuint (client_then (&c, "transactions", name, &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 407);
  }
  client_clear (&c);

  /* The plan secret: the export itself is refused. */
  client_init (&c, fx, "fx-then", "plan");
  {
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) root = NULL;

    g_assert_cmpuint (client_request (&c, "transactions", NULL, &r), ==, 200);
    root = reply_json (&r);
    g_assert_cmpint (json_node_get_int (lookup_path (root, "responseCode")), ==, 403);
  }
  client_clear (&c);
}

/* Link headers in Sentry's form: the last page still links to a next page,
 * marked results="false". */
static void
test_link_results (Fixture *fx, gconstpointer data)
{
  Client c;
  guint n = json_array_get_length (portico_sandbox_get_expected (fx->sandbox, "fx-link", "users"));
  gboolean saw_last = FALSE;
  g_autofree char *url = NULL;

  client_init (&c, fx, "fx-link", "ok");
  url = request_url (&c, json_object_get_object_member (portico_connector_get_data_type_definition (c.connector, "users"),
                                                        "request"), NULL);
  for (guint page = 0; page < n + 2 && !saw_last; page++)
    {
      g_autoptr(SoupMessage) msg = client_message (&c, json_object_get_object_member (
                                                     portico_connector_get_data_type_definition (c.connector, "users"),
                                                     "request"), url, NULL);
      g_auto(Reply) r = { 0 };
      const char *link;
      g_autofree char *next = NULL;

      send (fx, msg, &r);
      g_assert_cmpuint (r.status, ==, 200);
      link = soup_message_headers_get_one (r.headers, "Link");
      g_assert_nonnull (link);
      g_assert_nonnull (strstr (link, "rel=\"next\""));
      g_assert_nonnull (strstr (link, "rel=\"previous\""));
      next = link_next (link);
      if (next == NULL)
        {
          g_assert_nonnull (strstr (link, "rel=\"next\"; results=\"false\""));
          saw_last = TRUE;
        }
      else
        {
          g_free (url);
          url = g_steal_pointer (&next);
        }
    }
  g_assert_true (saw_last);
  client_clear (&c);
}

static void
test_faults (Fixture *fx, gconstpointer data)
{
  Client c;
  g_autoptr(JsonArray) items = json_array_new ();
  guint pages;
  Reply r;
  JsonObject *req;

  client_init (&c, fx, "fx-link", "ok");
  req = json_object_get_object_member (portico_connector_get_data_type_definition (c.connector, "users"), "request");

  /* 429 with Retry-After, then back to normal. */
  portico_sandbox_set_fault (fx->sandbox, "fx-link", PORTICO_SANDBOX_FAULT_RATE_LIMIT, 1);
  {
    g_autofree char *url = request_url (&c, req, NULL);
    g_autoptr(SoupMessage) msg = client_message (&c, req, url, NULL);
    g_autoptr(JsonNode) body = NULL;

    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 429);
    g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Retry-After"), ==, "1");
    body = reply_json (&r);
    g_assert_cmpstr (path_string (body, "errorCode"), ==, "E0000047");
    reply_clear (&r);
  }
  g_assert_cmpuint (client_read_all (&c, "users", items, &pages, NULL), ==, 200);

  /* 500 twice, set through the admin endpoint. */
  {
    g_autofree char *admin = g_strdup_printf ("%s/faults?connector=fx-link&kind=500&count=2",
                                              portico_sandbox_get_admin_url (fx->sandbox));
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", admin);

    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 200);
    reply_clear (&r);
    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *url = request_url (&c, req, NULL);
        g_autoptr(SoupMessage) m = client_message (&c, req, url, NULL);

        send (fx, m, &r);
        g_assert_cmpuint (r.status, ==, i < 2 ? 500 : 200);
        reply_clear (&r);
      }
  }

  /* Malformed: 200 that is not JSON. */
  portico_sandbox_set_fault (fx->sandbox, "fx-link", PORTICO_SANDBOX_FAULT_MALFORMED, 1);
  {
    g_autofree char *url = request_url (&c, req, NULL);
    g_autoptr(SoupMessage) msg = client_message (&c, req, url, NULL);
    gsize len;
    const char *d;
    g_autofree char *text = NULL;

    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 200);
    d = g_bytes_get_data (r.body, &len);
    text = g_strndup (d, len);
    g_assert_null (json_from_string (text, NULL));
    reply_clear (&r);
  }

  /* Truncated: the connection closes before the announced length. */
  portico_sandbox_set_fault (fx->sandbox, "fx-link", PORTICO_SANDBOX_FAULT_TRUNCATED, 1);
  {
    g_autofree char *url = request_url (&c, req, NULL);
    g_autoptr(SoupMessage) msg = client_message (&c, req, url, NULL);

    send (fx, msg, &r);
    /* libsoup reports the early close as an error or hands over the cut body. */
    if (r.error == NULL)
      {
        gsize len;
        const char *d = g_bytes_get_data (r.body, &len);
        g_autofree char *text = g_strndup (d, len);

        g_assert_cmpint (soup_message_headers_get_content_length (r.headers), >, (goffset) len);
        g_assert_cmpuint (len, >, 0);
        g_assert_null (json_from_string (text, NULL));
      }
    reply_clear (&r);
  }

  /* Slow: the answer comes after the delay. */
  portico_sandbox_set_slow_delay (fx->sandbox, 300);
  portico_sandbox_set_fault (fx->sandbox, "fx-link", PORTICO_SANDBOX_FAULT_SLOW, 1);
  {
    g_autofree char *url = request_url (&c, req, NULL);
    g_autoptr(SoupMessage) msg = client_message (&c, req, url, NULL);
    gint64 start = g_get_monotonic_time ();

    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
    reply_clear (&r);
  }

  /* Redirect to another loopback port, which records the credentials. */
  portico_sandbox_set_fault (fx->sandbox, "fx-link", PORTICO_SANDBOX_FAULT_REDIRECT, 1);
  {
    g_autofree char *url = request_url (&c, req, NULL);
    g_autoptr(SoupMessage) msg = client_message (&c, req, url, NULL);
    const char *location;
    guint with_creds = 0;

    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
    send (fx, msg, &r);
    g_assert_cmpuint (r.status, ==, 302);
    location = soup_message_headers_get_one (r.headers, "Location");
    g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:"));
    g_assert_false (g_str_has_prefix (location, portico_sandbox_get_base_url (fx->sandbox, "fx-link")));

    /* A careless client that forwards the key is caught. */
    {
      g_autoptr(SoupMessage) follow = client_message (&c, req, location, NULL);
      Reply r2;

      send (fx, follow, &r2);
      reply_clear (&r2);
    }
    g_assert_cmpuint (portico_sandbox_get_redirect_hits (fx->sandbox, &with_creds), ==, 1);
    g_assert_cmpuint (with_creds, ==, 1);
    /* A careful one is not. */
    {
      g_autoptr(SoupMessage) follow = soup_message_new ("GET", location);
      Reply r2;

      send (fx, follow, &r2);
      reply_clear (&r2);
    }
    g_assert_cmpuint (portico_sandbox_get_redirect_hits (fx->sandbox, &with_creds), ==, 2);
    g_assert_cmpuint (with_creds, ==, 1);
    reply_clear (&r);
  }

  /* The request log names what happened, without secrets. */
  {
    g_autoptr(JsonNode) log = portico_sandbox_get_requests (fx->sandbox);
    g_autofree char *text = json_to_string (log, FALSE);

    g_assert_nonnull (strstr (text, "\"fault\":\"429\""));
    g_assert_nonnull (strstr (text, "\"fault\":\"redirect\""));
    g_assert_null (strstr (text, "sandbox-ok"));
  }
  client_clear (&c);
}

static void
test_determinism (void)
{
  g_autoptr(PorticoCatalog) catalog = fixture_catalog ();
  g_autoptr(PorticoSandbox) a = portico_sandbox_new (catalog, 42, 40);
  g_autoptr(PorticoSandbox) b = portico_sandbox_new (catalog, 42, 40);
  g_autoptr(PorticoSandbox) other = portico_sandbox_new (catalog, 43, 40);
  static const char * const ids[] = { "fx-link", "fx-cursor", "fx-oauth", "fx-body" };
  guint idp_users, app_users;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      JsonArray *ea = portico_sandbox_get_expected (a, ids[i], "users");
      JsonArray *eb = portico_sandbox_get_expected (b, ids[i], "users");
      JsonArray *eo = portico_sandbox_get_expected (other, ids[i], "users");
      g_autoptr(JsonNode) na = json_node_init_array (json_node_alloc (), ea);
      g_autoptr(JsonNode) nb = json_node_init_array (json_node_alloc (), eb);
      g_autoptr(JsonNode) no = json_node_init_array (json_node_alloc (), eo);

      g_assert_true (json_node_equal (na, nb));
      g_assert_false (json_node_equal (na, no));
    }

  /* Identity providers see nearly everyone; apps a part; people overlap. */
  idp_users = json_array_get_length (portico_sandbox_get_expected (a, "fx-link", "users"));
  app_users = json_array_get_length (portico_sandbox_get_expected (a, "fx-cursor", "users"));
  g_assert_cmpuint (idp_users, >=, 35);
  g_assert_cmpuint (app_users, <, idp_users);
  g_assert_cmpuint (app_users, >, 5);
  {
    JsonArray *in_app = portico_sandbox_get_expected (a, "fx-cursor", "users");
    JsonArray *in_idp = portico_sandbox_get_expected (a, "fx-link", "users");
    g_autoptr(GHashTable) idp = g_hash_table_new (g_str_hash, g_str_equal);
    guint shared = 0;

    for (guint i = 0; i < json_array_get_length (in_idp); i++)
      g_hash_table_add (idp, (gpointer) json_object_get_string_member (json_array_get_object_element (in_idp, i), "email"));
    for (guint i = 0; i < json_array_get_length (in_app); i++)
      if (g_hash_table_contains (idp, json_object_get_string_member (json_array_get_object_element (in_app, i), "email")))
        shared++;
    g_assert_cmpuint (shared, >, app_users / 2);
  }

  /* Discovered apps mix catalog apps and others. */
  {
    JsonArray *apps = portico_sandbox_get_expected (a, "fx-link", "discovered_apps");
    gboolean catalog_app = FALSE, other_app = FALSE;

    for (guint i = 0; i < json_array_get_length (apps); i++)
      {
        const char *name = json_object_get_string_member (json_array_get_object_element (apps, i), "name");

        if (g_str_has_suffix (name, " app"))
          catalog_app = TRUE;
        else
          other_app = TRUE;
      }
    g_assert_true (catalog_app);
    g_assert_true (other_app);
  }
}

static void
test_describe (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) doc = portico_sandbox_describe (fx->sandbox);
  JsonObject *root = json_node_get_object (doc);
  JsonArray *connectors = json_object_get_array_member (root, "connectors");
  gboolean saw_cursor = FALSE;

  g_assert_true (g_str_has_prefix (json_object_get_string_member (root, "admin_url"), "http://127.0.0.1:"));
  g_assert_cmpuint (json_array_get_length (connectors), ==, G_N_ELEMENTS (fixtures));
  for (guint i = 0; i < json_array_get_length (connectors); i++)
    {
      JsonObject *c = json_array_get_object_element (connectors, i);
      PorticoConnector *connector = portico_catalog_lookup (fx->catalog, json_object_get_string_member (c, "id"));
      JsonObject *fields = json_object_get_object_member (c, "fields");
      JsonObject *secrets = json_object_get_object_member (c, "secrets");
      g_autoptr(GList) names = json_object_get_members (fields);
      JsonArray *secret_fields = json_object_get_array_member (c, "secret_fields");

      g_assert_cmpstr (json_object_get_string_member (c, "api_base_url"), ==,
                       portico_sandbox_get_base_url (fx->sandbox, json_object_get_string_member (c, "id")));
      /* Every example passes the connector's own validation. */
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autoptr(GError) error = NULL;

          g_assert_true (portico_connector_validate_value (connector, l->data,
                                                           json_object_get_string_member (fields, l->data), &error));
          g_assert_no_error (error);
        }
      for (guint k = 0; k < json_array_get_length (secret_fields); k++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_true (portico_connector_validate_value (connector, json_array_get_string_element (secret_fields, k),
                                                           json_object_get_string_member (secrets, "ok"), &error));
        }
      if (g_str_equal (json_object_get_string_member (c, "id"), "fx-cursor"))
        {
          g_assert_cmpstr (json_object_get_string_member (secrets, "ok"), ==, "xoxa-sandbox-ok");
          saw_cursor = TRUE;
        }
    }
  g_assert_true (saw_cursor);
}

/* BEGIN item-text */
/* An item kept as its JSON text reads as the object it was made from:
 * each top-level string member, past nested objects, arrays and strings
 * that hold the same name or JSON's own punctuation, escapes too. */
static void
test_item_text (void)
{
  static const char * const texts[] = {
    "{\"id\":\"u1\",\"profile\":{\"status\":\"NESTED\",\"list\":[{\"status\":\"x\"},\"]}\\\"\"]},\"status\":\"ACTIVE\"}",
    "{\"status\":\"A \\\"quoted\\\" \\u00e9 value\",\"n\":1}",
    "{\"n\":-1.5e3,\"t\":true,\"z\":null,\"a\":[1,[2,{}]],\"status\":\"\"}",
    "{\"st\\u0061tus\":\"escaped key\",\"id\":\"k\"}",
    "{ \"id\" : \"spaced\" ,\n \"status\" : \"S\" }",
    "{\"status\":7,\"statuses\":\"plural\"}",
    "{\"id\":\"no status\"}",
    "{\"emoji\":\"\xF0\x9F\x99\x82\",\"status\":\"after, } ] comma\"}",
    "{}",
  };
  static const char * const members[] = { "status", "id", "n", "a", "st", "statu", "statuses", "emoji" };
  static const char * const statuses[] = {
    "ACTIVE", "A \"quoted\" \xC3\xA9 value", "", "escaped key", "S", NULL, NULL, "after, } ] comma", NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) object = json_from_string (texts[i], &error);
      g_autoptr(JsonNode) kept = json_node_init_string (json_node_alloc (), texts[i]);
      g_autoptr(JsonNode) parsed = portico_sandbox_item_parse (kept);
      g_autoptr(JsonNode) copied = portico_sandbox_item_parse (object);

      g_assert_no_error (error);
      g_assert_true (json_node_equal (parsed, object));
      g_assert_true (json_node_equal (copied, object));
      for (guint m = 0; m < G_N_ELEMENTS (members); m++)
        {
          g_autofree char *from_text = portico_sandbox_item_dup_string (kept, members[m]);
          g_autofree char *from_object = portico_sandbox_item_dup_string (object, members[m]);

          g_assert_cmpstr (from_text, ==, from_object);
        }
      {
        g_autofree char *status = portico_sandbox_item_dup_string (kept, "status");

        g_assert_cmpstr (status, ==, statuses[i]);
      }
    }
}
/* END item-text */

typedef struct
{
  SoupSession *session;
  GChecksum *checksum;
  const char *base_url;
} PageWalk;

/* Adds every page of the listing at @url (following Okta's rel="next"
 * links while pages have items) to the checksum: status, Link header and
 * body, with the sandbox's base URL written BASE. The last page read,
 * transfer full. */
static JsonNode *
walk_pages (PageWalk *w, const char *url)
{
  g_autofree char *next = g_strdup (url);
  g_autoptr(GRegex) link_re = g_regex_new ("<([^>]*)>\\s*;\\s*rel=\"next\"", 0, 0, NULL);
  JsonNode *last = NULL;

  while (next != NULL)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", next);
      Reply r = { 0 };
      g_autofree char *record = NULL;
      g_autofree char *links = NULL;
      g_autoptr(GMatchInfo) match = NULL;
      gsize len;
      const char *body;
      g_auto(GStrv) parts = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "SSWS sandbox-ok");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
      soup_session_send_and_read_async (w->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &r);
      while (r.body == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (r.error);
      body = g_bytes_get_data (r.body, &len);
      links = g_strdup (soup_message_headers_get_list (soup_message_get_response_headers (msg), "Link"));
      record = g_strdup_printf ("%u\n%s\n%.*s\n", soup_message_get_status (msg), links != NULL ? links : "",
                                (int) len, body != NULL ? body : "");
      parts = g_strsplit (record, w->base_url, -1);
      g_free (record);
      record = g_strjoinv ("BASE", parts);
      g_checksum_update (w->checksum, (const guchar *) record, -1);

      g_clear_pointer (&last, json_node_unref);
      {
        g_autofree char *text = g_strndup (body != NULL ? body : "", len);

        last = json_from_string (text, NULL);
      }
      g_clear_pointer (&next, g_free);
      if (links != NULL && g_regex_match (link_re, links, 0, &match) && last != NULL
          && JSON_NODE_HOLDS_ARRAY (last) && json_array_get_length (json_node_get_array (last)) > 0)
        next = g_match_info_fetch (match, 1);
      reply_clear (&r);
    }
  return last;
}

/* The pages of Okta's users, groups, apps and each app's users, and the
 * sandbox's expected records, at seed 1 and 1,500 people with okta.json
 * alone: the same bytes as the sandbox wrote when it kept every item as a
 * JsonObject (before its items were kept as their text, its users built
 * one at a time and its emails numbered by count). A change to okta.json
 * or to the generated data changes them too: the new digest is then in
 * the failure message. */
static void
test_okta_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("PORTICO_CONNECTORS_DIR"), "okta.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(PorticoConnector) okta = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoSandbox) sandbox = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(JsonNode) apps = NULL;
  PageWalk w = { session, checksum, NULL };
  static const char * const expected[] = { "users", "custom_fields", "groups", "discovered_apps", "app_assignments" };
  g_autofree char *url = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  okta = portico_connector_new_from_data (text, -1, path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (portico_catalog_add (catalog, okta));
  sandbox = portico_sandbox_new_for_day (catalog, 1, 1500, OKTA_PAGES_DAY);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  w.base_url = portico_sandbox_get_base_url (sandbox, "okta");

  url = g_strconcat (w.base_url, "/api/v1/users?limit=200&search=status%20eq%20%22STAGED%22%20or%20status%20eq%20"
                     "%22ACTIVE%22%20or%20status%20eq%20%22SUSPENDED%22%20or%20status%20eq%20%22DEPROVISIONED%22", NULL);
  json_node_unref (walk_pages (&w, url));
  g_free (url);
  url = g_strconcat (w.base_url, "/api/v1/users?limit=200", NULL);
  json_node_unref (walk_pages (&w, url));
  g_free (url);
  url = g_strconcat (w.base_url, "/api/v1/groups?limit=200&expand=stats", NULL);
  json_node_unref (walk_pages (&w, url));
  g_free (url);
  url = g_strconcat (w.base_url, "/api/v1/apps?limit=200&filter=status%20eq%20%22ACTIVE%22", NULL);
  apps = walk_pages (&w, url);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (apps));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (apps)), >, 0);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (apps)); i++)
    {
      JsonObject *app = json_array_get_object_element (json_node_get_array (apps), i);

      g_free (url);
      url = g_strdup_printf ("%s/api/v1/apps/%s/users?limit=500", w.base_url,
                             json_object_get_string_member (app, "id"));
      json_node_unref (walk_pages (&w, url));
    }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonArray *records = portico_sandbox_get_expected (sandbox, "okta", expected[i]);
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), records);
      g_autofree char *records_text = json_to_string (node, FALSE);

      g_assert_nonnull (records);
      g_checksum_update (checksum, (const guchar *) records_text, -1);
    }
  g_assert_cmpstr (g_checksum_get_string (checksum), ==, OKTA_PAGES_SHA256);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/sandbox/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("paging-all-styles", test_paging_all_styles);
  ADD ("shapes", test_shapes);
  ADD ("identity", test_identity);
  ADD ("bad-credentials", test_bad_credentials);
  ADD ("break-credentials", test_break_credentials);
  ADD ("plan", test_plan);
  ADD ("faults", test_faults);
  ADD ("describe", test_describe);
  ADD ("graphql", test_graphql);
  ADD ("numeric-status", test_numeric_status);
  ADD ("then", test_then);
  ADD ("link-results", test_link_results);
#undef ADD
  g_test_add_func ("/sandbox/determinism", test_determinism);
  g_test_add_func ("/sandbox/item-text", test_item_text); /* item-text */
  g_test_add_func ("/sandbox/okta-pages", test_okta_pages);

  return g_test_run ();
}
