<?php
/**
 * OpenClaw Host: WHMCS provisioning (server) module.
 *
 * WHMCS calls these functions on every order, suspension, upgrade and
 * cancellation, and when staff or customers press the module's buttons. Each
 * one turns into a signed call to the OpenClaw Host control-plane API
 * (lib/ApiClient.php), which records the intent and lets its provisioner do
 * the slow work; so every call here is quick and safe to repeat (the API is
 * idempotent on the WHMCS service id, and the module keeps no state of its
 * own: it finds a service's instance by asking the API).
 *
 * Conventions (WHMCS): lifecycle functions return exactly 'success' or a
 * short staff-readable error; TestConnection/SSO/ListAccounts return arrays;
 * nothing throws to WHMCS (the plan Loader excepted, whose documented error
 * channel is an exception); every API call is written to the module log with
 * the server secret masked.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

if (!class_exists('WHMCS\\Module\\Server\\OpenClawHost\\ApiClient')) {
    require_once __DIR__ . '/lib/ApiClient.php';
}
if (!class_exists('WHMCS\\Module\\Server\\OpenClawHost\\Instances')) {
    require_once __DIR__ . '/lib/Instances.php';
}
if (!class_exists('WHMCS\\Module\\Server\\OpenClawHost\\Database')) {
    require_once __DIR__ . '/lib/Database.php';
}

use WHMCS\Module\Server\OpenClawHost\ApiClient;
use WHMCS\Module\Server\OpenClawHost\ApiError;
use WHMCS\Module\Server\OpenClawHost\Database;
use WHMCS\Module\Server\OpenClawHost\Instances;

/**
 * Module metadata.
 *
 * @return array
 */
function openclawhost_MetaData()
{
    return array(
        'DisplayName' => 'OpenClaw Host',
        'APIVersion' => '1.1',
        'RequiresServer' => true,
        'DefaultNonSSLPort' => '80',
        'DefaultSSLPort' => '443',
        'ServiceSingleSignOnLabel' => 'Open OpenClaw Dashboard',
        'AdminSingleSignOnLabel' => 'Open OpenClaw Host Admin Panel',
        'ListAccountsUniqueIdentifierDisplayName' => 'Hostname',
        'ListAccountsUniqueIdentifierField' => 'domain',
        'ListAccountsProductField' => 'configoption1',
    );
}

/**
 * Product settings: configoption1 plan, configoption2 region,
 * configoption3 OpenClaw version. A configurable option named "Plan",
 * "Region" or "OpenClaw Version" overrides the product setting.
 *
 * @param array $params unused (WHMCS passes server params when loading)
 * @return array
 */
function openclawhost_ConfigOptions(array $params = array())
{
    return array(
        'Plan' => array(
            'Type' => 'text',
            'Size' => '25',
            'Default' => 'starter',
            'Loader' => 'openclawhost_PlanLoader',
            'SimpleMode' => true,
            'Description' => 'Control-plane plan name (starter, professional, enterprise)',
        ),
        'Region' => array(
            'Type' => 'dropdown',
            'Options' => openclawhost_Regions(),
            'Default' => 'eu-falkenstein',
            'SimpleMode' => true,
            'Description' => 'Where the VPS runs',
        ),
        'OpenClaw Version' => array(
            'Type' => 'text',
            'Size' => '20',
            'Default' => '',
            'SimpleMode' => true,
            'Description' => 'Pinned openclaw npm version; empty for the control plane\'s default',
        ),
    );
}

/**
 * The regions the control plane sells (name => label).
 *
 * @return array
 */
function openclawhost_Regions()
{
    return array(
        'eu-falkenstein' => 'Falkenstein, Germany',
        'eu-nuremberg' => 'Nuremberg, Germany',
        'eu-helsinki' => 'Helsinki, Finland',
        'us-ashburn' => 'Ashburn, VA, USA',
        'us-hillsboro' => 'Hillsboro, OR, USA',
        'ap-singapore' => 'Singapore',
    );
}

/**
 * Loader of the Plan field: the plans of GET /api/v1/plans.
 *
 * @param array $params server parameters
 * @return array plan name => label
 * @throws \Exception with a staff-readable message (WHMCS shows it and falls
 *                    back to a text field)
 */
function openclawhost_PlanLoader(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'PlanLoader');
        $data = $api->get('/api/v1/plans');
        if (!isset($data['plans']) || !is_array($data['plans'])) {
            throw new ApiError(ApiError::INVALID, 'The API answered without a "plans" list.');
        }
        $out = array();
        foreach ($data['plans'] as $plan) {
            if (!is_array($plan)) {
                continue;
            }
            $name = Instances::field($plan, 'name', 64);
            if (!preg_match('/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/', $name)) {
                continue;
            }
            if (isset($plan['active']) && $plan['active'] === false) {
                continue;
            }
            $label = Instances::field($plan, 'display_name', 80);
            $out[$name] = $label !== '' && $label !== $name ? $label . ' (' . $name . ')' : $name;
        }
        if (!$out) {
            throw new ApiError(ApiError::INVALID, 'The API lists no plans.');
        }
        return $out;
    } catch (\Throwable $e) {
        throw new \Exception('Could not load the plans: ' . openclawhost_Fail($params, 'PlanLoader', $e));
    }
}

/**
 * Provision: ask the API for the service's instance. Quick (the API queues
 * the work) and idempotent (a retry from the Module Queue finds the same
 * instance, never a second server).
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_CreateAccount(array $params)
{
    try {
        $sid = openclawhost_ServiceId($params);
        $cid = (int)ApiClient::param($params, 'userid');
        if ($cid <= 0) {
            throw new ApiError(ApiError::CONFIG, 'Service #' . $sid . ' has no client id.');
        }
        $email = '';
        if (isset($params['clientsdetails']) && is_array($params['clientsdetails'])) {
            $email = trim(ApiClient::param($params['clientsdetails'], 'email'));
        }
        if ($email === '') {
            throw new ApiError(ApiError::CONFIG, 'The client of service #' . $sid . ' has no email address.');
        }
        $body = array(
            'whmcs_service_id' => $sid,
            'whmcs_client_id' => $cid,
            'email' => $email,
            'plan' => openclawhost_Plan($params),
            'region' => openclawhost_Region($params),
        );
        $version = openclawhost_Version($params);
        if ($version !== '') {
            $body['openclaw_version'] = $version;
        }
        $api = ApiClient::fromParams($params, 'CreateAccount');
        $inst = Instances::fromResponse($api->post('/api/v1/instances', $body));
        if (Instances::field($inst, 'desired_state') === 'terminated') {
            throw new ApiError(ApiError::HTTP, 'Service #' . $sid . ' already had an instance ('
                . Instances::id($inst) . ') that was terminated; a terminated instance is never reused. '
                . 'Order a new service to provision again.', 409);
        }
        openclawhost_StoreDetails($params, $inst);
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, 'CreateAccount', $e);
    }
}

/**
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_SuspendAccount(array $params)
{
    return openclawhost_Transition($params, 'SuspendAccount', 'suspend', 'suspended');
}

/**
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_UnsuspendAccount(array $params)
{
    return openclawhost_Transition($params, 'UnsuspendAccount', 'unsuspend', 'active');
}

/**
 * Terminate: delete the VPS and its DNS. A service that never got an
 * instance, or whose instance is already terminated, terminates at once.
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_TerminateAccount(array $params)
{
    return openclawhost_Transition($params, 'TerminateAccount', 'terminate', 'terminated');
}

/**
 * Upgrade/downgrade: move the instance to the product's (or configurable
 * option's) plan. The region cannot change and is ignored here.
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_ChangePackage(array $params)
{
    try {
        $plan = openclawhost_Plan($params);
        $api = ApiClient::fromParams($params, 'ChangePackage');
        $inst = openclawhost_RequireInstance($api, $params);
        if (Instances::field($inst, 'desired_state') === 'terminated') {
            throw new ApiError(ApiError::HTTP, 'The instance is terminated; its plan cannot change.', 409);
        }
        if (Instances::field($inst, 'plan') === $plan && Instances::field($inst, 'pending_plan') === '') {
            return 'success';
        }
        $api->post('/api/v1/instances/' . Instances::id($inst) . '/change-plan', array('plan' => $plan));
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, 'ChangePackage', $e);
    }
}

/**
 * Renewal paid: check the instance still exists and is not terminated
 * (unsuspension after payment is WHMCS's own UnsuspendAccount call).
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_Renew(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'Renew');
        $inst = openclawhost_RequireInstance($api, $params);
        if (Instances::field($inst, 'desired_state') === 'terminated') {
            throw new ApiError(ApiError::HTTP, 'The instance of this service is terminated; '
                . 'the renewal pays for nothing. Check the service.', 409);
        }
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, 'Renew', $e);
    }
}

/**
 * Test Connection button of the server entry: GET /api/v1/ping.
 *
 * @param array $params server parameters
 * @return array array('success' => bool, 'error' => string)
 */
function openclawhost_TestConnection(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'TestConnection');
        $data = $api->get('/api/v1/ping');
        if (!isset($data['status']) || $data['status'] !== 'ok') {
            throw new ApiError(ApiError::INVALID, 'The API at ' . $api->getBaseUrl()
                . ' answered the ping without "status": "ok".');
        }
        return array('success' => true, 'error' => '');
    } catch (\Throwable $e) {
        return array('success' => false, 'error' => openclawhost_Fail($params, 'TestConnection', $e));
    }
}

/**
 * Single sign-on into the customer's dashboard: a single-use link from the
 * API (valid 60 s).
 *
 * @param array $params
 * @return array array('success' => true, 'redirectTo' => url) or
 *               array('success' => false, 'errorMsg' => text)
 */
function openclawhost_ServiceSingleSignOn(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'ServiceSingleSignOn');
        $inst = openclawhost_RequireInstance($api, $params);
        if (Instances::field($inst, 'desired_state') === 'terminated') {
            throw new ApiError(ApiError::HTTP, 'The instance of this service is terminated.', 409);
        }
        /* whose service this is now: a service WHMCS moved to another
         * client must not open the first client's account (409) */
        $cid = (int)ApiClient::param($params, 'userid');
        $data = $api->post('/api/v1/instances/' . Instances::id($inst) . '/sso',
            $cid > 0 ? array('whmcs_client_id' => $cid) : array());
        $url = isset($data['url']) && is_string($data['url']) ? $data['url'] : '';
        if (!preg_match('#^https?://[^\s<>"\']+$#i', $url)) {
            throw new ApiError(ApiError::INVALID, 'The API answered the sign-on request without a valid URL.');
        }
        return array('success' => true, 'redirectTo' => $url);
    } catch (\Throwable $e) {
        return array('success' => false, 'errorMsg' => openclawhost_Fail($params, 'ServiceSingleSignOn', $e));
    }
}

/**
 * The server entry's "log in to panel" button: the control plane's admin
 * panel (staff sign in there with their own admin account; the API has no
 * admin token for WHMCS to hand out).
 *
 * @param array $params server parameters
 * @return array as ServiceSingleSignOn
 */
function openclawhost_AdminSingleSignOn(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'AdminSingleSignOn');
        $api->get('/api/v1/ping');
        return array('success' => true, 'redirectTo' => $api->getBaseUrl() . '/admin/');
    } catch (\Throwable $e) {
        return array('success' => false, 'errorMsg' => openclawhost_Fail($params, 'AdminSingleSignOn', $e));
    }
}

/**
 * A link to the admin panel on the server list.
 *
 * @param array $params server parameters
 * @return string HTML
 */
function openclawhost_AdminLink(array $params)
{
    try {
        $url = ApiClient::baseUrlFromParams($params) . '/admin/';
    } catch (\Throwable $e) {
        return '';
    }
    return '<a href="' . openclawhost_Html($url) . '" target="_blank" rel="noopener noreferrer">Admin panel</a>';
}

/**
 * Extra buttons on the admin service page.
 *
 * @return array label => function suffix
 */
function openclawhost_AdminCustomButtonArray()
{
    return array(
        'Reboot' => 'reboot',
        'Rebuild' => 'rebuild',
        'Sync status' => 'syncstatus',
    );
}

/**
 * Extra buttons in the client area.
 *
 * @return array label => function suffix
 */
function openclawhost_ClientAreaCustomButtonArray()
{
    return array(
        'Reboot' => 'reboot',
    );
}

/**
 * Reboot the VPS (gateway restarts with it).
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_reboot(array $params)
{
    return openclawhost_Action($params, 'reboot', 'reboot');
}

/**
 * WHMCS's "Change Password": the OpenClaw gateway has no password, so this
 * replaces the gateway token (the API makes a new random one and the VPS
 * applies it; the customer sees it in the dashboard). The password typed
 * into WHMCS is not used and never sent.
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_ChangePassword(array $params)
{
    return openclawhost_Action($params, 'ChangePassword', 'gateway-token/rotate');
}

/**
 * Rebuild the VPS from the image and restore the instance's configuration.
 *
 * @param array $params
 * @return string 'success' or an error
 */
function openclawhost_rebuild(array $params)
{
    return openclawhost_Action($params, 'rebuild', 'rebuild');
}

/**
 * Sync status: copy hostname and IPs from the API into the service, and
 * report drift between the WHMCS status and the instance's state.
 *
 * @param array $params
 * @return string 'success', or the drift / error for staff
 */
function openclawhost_syncstatus(array $params)
{
    try {
        $sid = openclawhost_ServiceId($params);
        $api = ApiClient::fromParams($params, 'syncstatus');
        $inst = Instances::find($api, $sid);
        if ($inst !== null) {
            openclawhost_StoreDetails($params, $inst);
        }
        $drift = Instances::drift(openclawhost_WhmcsStatus($params), $inst, $sid);
        if ($drift !== null) {
            openclawhost_Log('syncstatus', array('serviceid' => $sid), $drift);
            return $drift;
        }
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, 'syncstatus', $e);
    }
}

/**
 * Rows on the admin service page.
 *
 * @param array $params
 * @return array label => HTML ([] when the service has no id)
 */
function openclawhost_AdminServicesTabFields(array $params)
{
    if ((int)ApiClient::param($params, 'serviceid') <= 0) {
        return array();
    }
    try {
        $api = ApiClient::fromParams($params, 'AdminServicesTabFields');
        $inst = Instances::find($api, openclawhost_ServiceId($params));
        if ($inst === null) {
            return array('OpenClaw instance' => 'None yet (press Create to provision)');
        }
        $id = Instances::id($inst);
        $state = Instances::field($inst, 'state');
        $desired = Instances::field($inst, 'desired_state');
        $hostname = Instances::field($inst, 'hostname');
        $ips = array_filter(array(Instances::field($inst, 'ipv4'), Instances::field($inst, 'ipv6')));
        $lastError = Instances::field($inst, 'last_error', 500);
        $admin = Instances::field($inst, 'admin_url', 300);
        if (!preg_match('#^https?://#i', $admin)) {
            $admin = $api->getBaseUrl() . '/admin/instances/' . rawurlencode($id);
        }
        return array(
            'Instance ID' => openclawhost_Html($id),
            'State' => openclawhost_Html($state !== '' ? $state : 'unknown'),
            'Desired state' => openclawhost_Html($desired !== '' ? $desired : 'unknown'),
            'Hostname' => $hostname !== ''
                ? '<a href="https://' . openclawhost_Html($hostname) . '/" target="_blank" rel="noopener noreferrer">'
                    . openclawhost_Html($hostname) . '</a>'
                : '-',
            'IP addresses' => $ips ? openclawhost_Html(implode(', ', $ips)) : '-',
            'Plan / region' => openclawhost_Html(Instances::field($inst, 'plan') . ' / ' . Instances::field($inst, 'region')),
            'Last error' => $lastError !== '' ? openclawhost_Html($lastError) : '-',
            'Admin panel' => '<a href="' . openclawhost_Html($admin) . '" target="_blank" rel="noopener noreferrer">'
                . 'Open this instance in the admin panel</a>',
        );
    } catch (\Throwable $e) {
        return array('OpenClaw instance' => 'Could not load: ' . openclawhost_Html(openclawhost_Fail($params, 'AdminServicesTabFields', $e)));
    }
}

/**
 * The client area overview: state, hostname, addresses, plan, region, an
 * "Open dashboard" button and recent events.
 *
 * @param array $params
 * @return array template and variables
 */
function openclawhost_ClientArea(array $params)
{
    try {
        $sid = openclawhost_ServiceId($params);
        $api = ApiClient::fromParams($params, 'ClientArea');
        $inst = Instances::find($api, $sid);
        $events = array();
        if ($inst !== null) {
            try {
                $full = Instances::fromResponse($api->get('/api/v1/instances/' . Instances::id($inst)));
                $inst = $full;
            } catch (ApiError $e) {
                /* the list entry is enough; the error is in the module log */
            }
            $events = openclawhost_ViewEvents($inst);
        }
        return array(
            'tabOverviewModuleOutputTemplate' => 'templates/overview.tpl',
            'templateVariables' => array(
                'och' => openclawhost_ViewInstance($inst),
                'ochEvents' => $events,
                'ochServiceId' => $sid,
                'ochSsoUrl' => 'clientarea.php?action=productdetails&id=' . $sid . '&dosinglesignon=1',
            ),
        );
    } catch (\Throwable $e) {
        openclawhost_Fail($params, 'ClientArea', $e);
        return array(
            'tabOverviewModuleOutputTemplate' => 'templates/error.tpl',
            'templateVariables' => array(
                'ochError' => 'The details of this service are not available right now. '
                    . 'Please try again in a few minutes.',
            ),
        );
    }
}

/**
 * Daily usage import for every service on a server: disk and bandwidth from
 * GET /api/v1/instances/{id}/usage into tblhosting. An API without the usage
 * route is logged once and skipped.
 *
 * @param array $params server parameters
 * @return void
 */
function openclawhost_UsageUpdate(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'UsageUpdate');
        $serverId = (int)ApiClient::param($params, 'serverid');
        if ($serverId <= 0) {
            throw new ApiError(ApiError::CONFIG, 'UsageUpdate was called without a server id.');
        }
        if (!Database::available()) {
            throw new ApiError(ApiError::CONFIG, 'The WHMCS database layer is not available.');
        }
        foreach (Database::services(array('Active', 'Suspended'), $serverId) as $row) {
            $sid = (int)Database::prop($row, 'id');
            try {
                $inst = Instances::find($api, $sid);
                if ($inst === null) {
                    continue;
                }
                $usage = $api->get('/api/v1/instances/' . Instances::id($inst) . '/usage');
            } catch (ApiError $e) {
                if ($e->isNotFound()) {
                    openclawhost_Log('UsageUpdate', array('serverid' => $serverId),
                        'The API has no usage route (HTTP 404); usage import skipped.');
                    return;
                }
                continue;
            }
            $fields = array();
            foreach (array('diskusage' => 'disk_used_mb', 'disklimit' => 'disk_limit_mb',
                'bwusage' => 'bandwidth_used_mb', 'bwlimit' => 'bandwidth_limit_mb') as $col => $key) {
                if (isset($usage[$key]) && is_numeric($usage[$key]) && $usage[$key] >= 0) {
                    $fields[$col] = (int)round((float)$usage[$key]);
                }
            }
            if ($fields) {
                $fields['lastupdate'] = date('Y-m-d H:i:s');
                Database::updateService($sid, $fields);
            }
        }
    } catch (\Throwable $e) {
        openclawhost_Fail($params, 'UsageUpdate', $e);
    }
}

/**
 * Server Sync Tool: the instances the API client owns.
 *
 * @param array $params server parameters
 * @return array array('success' => bool, 'accounts' => [...], 'error'?)
 */
function openclawhost_ListAccounts(array $params)
{
    try {
        $api = ApiClient::fromParams($params, 'ListAccounts');
        $accounts = array();
        foreach (Instances::all($api) as $inst) {
            $hostname = Instances::field($inst, 'hostname');
            $created = Instances::field($inst, 'created_at');
            $t = $created !== '' ? strtotime($created) : false;
            $accounts[] = array(
                'email' => Instances::field($inst, 'email'),
                'username' => Instances::field($inst, 'slug'),
                'domain' => $hostname,
                'uniqueIdentifier' => $hostname,
                'product' => Instances::field($inst, 'plan'),
                'primaryip' => Instances::field($inst, 'ipv4'),
                'created' => $t !== false ? date('Y-m-d H:i:s', $t) : '',
                'status' => Instances::whmcsStatus($inst),
            );
        }
        return array('success' => true, 'accounts' => $accounts);
    } catch (\Throwable $e) {
        return array('success' => false, 'accounts' => array(), 'error' => openclawhost_Fail($params, 'ListAccounts', $e));
    }
}

/* ---- helpers (not called by WHMCS) ---- */

/**
 * Suspend, unsuspend or terminate, skipping the call when the instance
 * already wants that state.
 *
 * @return string 'success' or an error
 */
function openclawhost_Transition(array $params, $fn, $route, $desired)
{
    try {
        $api = ApiClient::fromParams($params, $fn);
        $sid = openclawhost_ServiceId($params);
        $inst = Instances::find($api, $sid);
        if ($inst === null) {
            if ($route === 'terminate') {
                openclawhost_Log($fn, array('serviceid' => $sid), 'No instance exists; nothing to terminate.');
                return 'success';
            }
            throw new ApiError(ApiError::HTTP, 'No OpenClaw instance exists for service #' . $sid
                . ' (was it created? Press Create to provision it).', 404);
        }
        $now = Instances::field($inst, 'desired_state');
        if ($now === $desired) {
            return 'success';
        }
        if ($now === 'terminated') {
            throw new ApiError(ApiError::HTTP, 'The instance of service #' . $sid . ' is terminated.', 409);
        }
        $api->post('/api/v1/instances/' . Instances::id($inst) . '/' . $route, array());
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, $fn, $e);
    }
}

/**
 * An action (reboot, rebuild, gateway-token/rotate) on the service's instance.
 *
 * @return string 'success' or an error
 */
function openclawhost_Action(array $params, $fn, $route)
{
    try {
        $api = ApiClient::fromParams($params, $fn);
        $inst = openclawhost_RequireInstance($api, $params);
        $api->post('/api/v1/instances/' . Instances::id($inst) . '/' . $route, array());
        return 'success';
    } catch (\Throwable $e) {
        return openclawhost_Fail($params, $fn, $e);
    }
}

/**
 * The service's instance.
 *
 * @return array
 * @throws ApiError when the API fails or there is no instance (404)
 */
function openclawhost_RequireInstance(ApiClient $api, array $params)
{
    $sid = openclawhost_ServiceId($params);
    $inst = Instances::find($api, $sid);
    if ($inst === null) {
        throw new ApiError(ApiError::HTTP, 'No OpenClaw instance exists for service #' . $sid
            . ' (was it created? Press Create to provision it).', 404);
    }
    return $inst;
}

/**
 * @return int the WHMCS service id
 * @throws ApiError CONFIG when missing
 */
function openclawhost_ServiceId(array $params)
{
    $sid = ApiClient::param($params, 'serviceid');
    if (!ctype_digit($sid) || (int)$sid <= 0) {
        throw new ApiError(ApiError::CONFIG, 'The module was called without a service id.');
    }
    return (int)$sid;
}

/**
 * A configurable option by name (case-insensitive, "name|Label" accepted),
 * else the product's module setting configoptionN.
 *
 * @return string
 */
function openclawhost_Option(array $params, $name, $index)
{
    if (isset($params['configoptions']) && is_array($params['configoptions'])) {
        foreach ($params['configoptions'] as $key => $value) {
            $parts = explode('|', (string)$key);
            if (strtolower(trim($parts[0])) === strtolower($name) && is_scalar($value)) {
                $value = trim((string)$value);
                if ($value !== '') {
                    $parts = explode('|', $value);
                    return trim($parts[0]);
                }
            }
        }
    }
    return trim(ApiClient::param($params, 'configoption' . (int)$index));
}

/**
 * @return string the plan name
 * @throws ApiError CONFIG when not set or malformed
 */
function openclawhost_Plan(array $params)
{
    $plan = openclawhost_Option($params, 'Plan', 1);
    if ($plan === '') {
        throw new ApiError(ApiError::CONFIG, 'No plan is set: choose one in the product\'s Module Settings '
            . '(Plan) or add a configurable option named "Plan".');
    }
    if (!preg_match('/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/', $plan)) {
        throw new ApiError(ApiError::CONFIG, 'The plan "' . ApiClient::clean($plan, 64) . '" is not a valid plan name.');
    }
    return $plan;
}

/**
 * @return string the region name
 * @throws ApiError CONFIG when not set or malformed
 */
function openclawhost_Region(array $params)
{
    $region = openclawhost_Option($params, 'Region', 2);
    if ($region === '') {
        throw new ApiError(ApiError::CONFIG, 'No region is set: choose one in the product\'s Module Settings '
            . '(Region) or add a configurable option named "Region".');
    }
    if (!preg_match('/^[a-z0-9][a-z0-9-]{0,63}$/', $region)) {
        throw new ApiError(ApiError::CONFIG, 'The region "' . ApiClient::clean($region, 64) . '" is not a valid region name.');
    }
    return $region;
}

/**
 * @return string the pinned OpenClaw version, '' for the default
 * @throws ApiError CONFIG when malformed
 */
function openclawhost_Version(array $params)
{
    $version = openclawhost_Option($params, 'OpenClaw Version', 3);
    if ($version !== '' && !preg_match('/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/', $version)) {
        throw new ApiError(ApiError::CONFIG, 'The OpenClaw version "' . ApiClient::clean($version, 40) . '" is not a valid version.');
    }
    return $version;
}

/**
 * The service's status in WHMCS ('' when unknown).
 *
 * @return string
 */
function openclawhost_WhmcsStatus(array $params)
{
    $status = ApiClient::param($params, 'status');
    if ($status === '' && isset($params['model']) && is_object($params['model'])) {
        $model = $params['model'];
        if (isset($model->domainstatus) && is_scalar($model->domainstatus)) {
            $status = (string)$model->domainstatus;
        }
    }
    return $status;
}

/**
 * Copy the instance's hostname and addresses into the WHMCS service
 * (domain, dedicated IP, assigned IPs), so staff and the Server Sync Tool
 * see them. Best effort: a failure is logged, not returned.
 *
 * @return void
 */
function openclawhost_StoreDetails(array $params, array $inst)
{
    $sid = (int)ApiClient::param($params, 'serviceid');
    if ($sid <= 0 || !function_exists('localAPI')) {
        return;
    }
    $want = array(
        'domain' => Instances::field($inst, 'hostname'),
        'dedicatedip' => Instances::field($inst, 'ipv4'),
        'assignedips' => Instances::field($inst, 'ipv6'),
    );
    $update = array();
    foreach ($want as $key => $value) {
        if ($value !== '' && $value !== ApiClient::param($params, $key)) {
            $update[$key] = $value;
        }
    }
    if (!$update) {
        return;
    }
    try {
        $result = localAPI('UpdateClientProduct', array('serviceid' => $sid) + $update);
        if (!is_array($result) || !isset($result['result']) || $result['result'] !== 'success') {
            openclawhost_Log('UpdateClientProduct', $update, $result);
        }
    } catch (\Throwable $e) {
        openclawhost_Log('UpdateClientProduct', $update, $e->getMessage());
    }
}

/**
 * Template variables of an instance (null: not created yet).
 *
 * @param array|null $inst
 * @return array
 */
function openclawhost_ViewInstance($inst)
{
    if ($inst === null) {
        return array(
            'exists' => false, 'id' => '', 'state' => 'pending', 'stateLabel' => 'Not set up yet',
            'stateClass' => 'info', 'hostname' => '', 'url' => '', 'ipv4' => '', 'ipv6' => '',
            'plan' => '', 'region' => '', 'version' => '', 'createdAt' => '', 'canOpen' => false,
            'failed' => false,
        );
    }
    $state = Instances::field($inst, 'state');
    list($label, $class) = Instances::stateLabel($state);
    $hostname = Instances::field($inst, 'hostname');
    if (!preg_match('/^[A-Za-z0-9.-]{1,253}$/', $hostname)) {
        $hostname = '';
    }
    return array(
        'exists' => true,
        'id' => Instances::field($inst, 'id'),
        'state' => $state,
        'stateLabel' => $label,
        'stateClass' => $class,
        'hostname' => $hostname,
        'url' => $hostname !== '' ? 'https://' . $hostname . '/' : '',
        'ipv4' => Instances::field($inst, 'ipv4'),
        'ipv6' => Instances::field($inst, 'ipv6'),
        'plan' => Instances::field($inst, 'plan'),
        'region' => Instances::field($inst, 'region'),
        'version' => Instances::field($inst, 'openclaw_version'),
        'createdAt' => Instances::field($inst, 'created_at'),
        'canOpen' => $state === 'active',
        'failed' => $state === 'failed',
    );
}

/**
 * Up to 10 recent events of an instance for the template.
 *
 * @param array $inst
 * @return array[] each array('at' => string, 'text' => string)
 */
function openclawhost_ViewEvents(array $inst)
{
    $out = array();
    if (!isset($inst['events']) || !is_array($inst['events'])) {
        return $out;
    }
    foreach ($inst['events'] as $ev) {
        if (!is_array($ev)) {
            continue;
        }
        $at = '';
        foreach (array('created_at', 'at', 'time') as $k) {
            if (($at = Instances::field($ev, $k, 40)) !== '') {
                break;
            }
        }
        $text = Instances::field($ev, 'message', 200);
        if ($text === '') {
            $text = Instances::field($ev, 'kind', 60);
            $from = Instances::field($ev, 'from', 30);
            $to = Instances::field($ev, 'to', 30);
            if ($text !== '' && $to !== '') {
                $text .= ' (' . ($from !== '' ? $from . ' -> ' : '') . $to . ')';
            }
        }
        if ($text === '') {
            continue;
        }
        $out[] = array('at' => $at, 'text' => $text);
        if (count($out) >= 10) {
            break;
        }
    }
    return $out;
}

/**
 * Log a failure and turn it into the staff-readable string WHMCS shows.
 *
 * @param array      $params
 * @param string     $fn module function
 * @param \Throwable $e
 * @return string
 */
function openclawhost_Fail(array $params, $fn, $e)
{
    if ($e instanceof ApiError) {
        $message = $e->getMessage();
    } else {
        $message = 'Unexpected error in the OpenClaw Host module (' . get_class($e) . '): '
            . ApiClient::clean($e->getMessage(), 200);
    }
    openclawhost_Log($fn, openclawhost_LogParams($params), $message, $params);
    return $message;
}

/**
 * One module-log entry with the server secret masked.
 *
 * @param string $fn
 * @param mixed  $request
 * @param mixed  $response
 * @param array  $params for the mask list
 * @return void
 */
function openclawhost_Log($fn, $request, $response, array $params = array())
{
    if (!function_exists('logModuleCall')) {
        return;
    }
    $mask = array();
    foreach (array('serverpassword', 'serveraccesshash', 'password') as $k) {
        $v = trim(ApiClient::param($params, $k));
        if (strlen($v) >= 4) {
            $mask[] = $v;
        }
    }
    try {
        logModuleCall('openclawhost', $fn, $request, $response, '', $mask);
    } catch (\Throwable $e) {
        /* the log is best effort */
    }
}

/**
 * The parameters worth logging: ids and settings, no secrets, no objects.
 *
 * @return array
 */
function openclawhost_LogParams(array $params)
{
    $out = array();
    foreach (array('serviceid', 'userid', 'pid', 'serverid', 'serverhostname', 'serverport', 'serversecure',
        'serverusername', 'domain', 'configoption1', 'configoption2', 'configoption3') as $k) {
        if (isset($params[$k]) && is_scalar($params[$k])) {
            $out[$k] = $params[$k];
        }
    }
    if (isset($params['configoptions']) && is_array($params['configoptions'])) {
        $out['configoptions'] = array_filter($params['configoptions'], 'is_scalar');
    }
    return $out;
}

/**
 * @param string $s
 * @return string HTML-escaped
 */
function openclawhost_Html($s)
{
    return htmlspecialchars((string)$s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}
