<?php
/**
 * The module against the real control plane (started by t/601-whmcs-live.t:
 * PostgreSQL, och-cloudsim, nginx with the FastCGI binaries, och-poller):
 * CreateAccount -> the instance becomes active -> ClientArea shows it ->
 * single sign-on gives a working one-time link -> ChangePackage -> Suspend
 * -> Unsuspend -> Terminate, each checked in the API and in the simulated
 * Hetzner; a CreateAccount whose answer is lost and retried makes one
 * instance and one server; a wrong secret gives a clear TestConnection
 * error; usage import and the daily sync read the real answers.
 *
 * Environment: OCH_TEST_API_URL, OCH_TEST_KEY, OCH_TEST_SECRET,
 * OCH_TEST_SIM_URL, OCH_TEST_SIM_TOKEN (the simulator's Hetzner token),
 * OCH_TEST_PROVISIONER (1 when the simulator and the poller run),
 * OCH_TEST_PROVISION_TIMEOUT (seconds, default 90). Without them the tests
 * fail; they never skip.
 */

use OpenClawHostTest\FixtureServer;
use OpenClawHostTest\Whmcs;
use PHPUnit\Framework\TestCase;
use WHMCS\Database\Capsule;
use WHMCS\Module\Server\OpenClawHost\ApiClient;
use WHMCS\Module\Server\OpenClawHost\Instances;
use WHMCS\Module\Server\OpenClawHost\Sync;

final class LiveFlowTest extends TestCase
{
    /** @var int service id of the main flow, new per run */
    private static $sid;
    private static $defaults;

    public static function setUpBeforeClass(): void
    {
        self::$sid = random_int(100000, 1999999999);
        self::$defaults = ApiClient::getDefaults();
        ApiClient::setDefaults(array('timeout' => 20, 'connect_timeout' => 5));
    }

    public static function tearDownAfterClass(): void
    {
        ApiClient::setDefaults(self::$defaults);
    }

    protected function setUp(): void
    {
        Whmcs::reset();
        foreach (array('OCH_TEST_API_URL', 'OCH_TEST_KEY', 'OCH_TEST_SECRET') as $v) {
            $this->assertNotSame('', (string)getenv($v), $v . ' is not set: run this suite through t/601-whmcs-live.t');
        }
    }

    private static function env($name, $default = '')
    {
        $v = getenv($name);
        return is_string($v) && $v !== '' ? $v : $default;
    }

    /** Server parameters of the API under test. */
    private static function server(array $extra = array())
    {
        $u = parse_url(self::env('OCH_TEST_API_URL'));
        return array_merge(array(
            'serverid' => 1,
            'serverhostname' => isset($u['host']) ? $u['host'] : '',
            'serverip' => '',
            'serverport' => isset($u['port']) ? (string)$u['port'] : '',
            'serversecure' => isset($u['scheme']) && $u['scheme'] === 'https' ? 'on' : '',
            'serverusername' => self::env('OCH_TEST_KEY'),
            'serverpassword' => self::env('OCH_TEST_SECRET'),
            'serveraccesshash' => '',
        ), $extra);
    }

    /** Module parameters of a service. */
    private static function params($sid, array $extra = array())
    {
        return array_merge(self::server(), array(
            'serviceid' => $sid,
            'userid' => 500000 + ($sid % 100000),
            'pid' => 1,
            'domain' => '',
            'status' => 'Active',
            'clientsdetails' => array('email' => 'live-' . $sid . '@och.test'),
            'configoption1' => 'starter',
            'configoption2' => 'eu-falkenstein',
            'configoption3' => '',
        ), $extra);
    }

    private static function api()
    {
        return ApiClient::fromParams(self::server(), 'LiveTest');
    }

    /** The instance of a service, straight from the API (with events). */
    private static function instance($sid)
    {
        $api = self::api();
        $inst = Instances::find($api, $sid);
        if ($inst === null) {
            return null;
        }
        return Instances::fromResponse($api->get('/api/v1/instances/' . Instances::id($inst)));
    }

    /**
     * Poll until $check($instance) is true; fail with the last state seen.
     */
    private function waitForInstance($sid, callable $check, $what)
    {
        if (self::env('OCH_TEST_PROVISIONER', '0') !== '1') {
            $inst = self::instance($sid);
            $this->fail('cannot wait for ' . $what . ': no simulator/poller is running in this test stack '
                . '(instance is ' . ($inst ? Instances::field($inst, 'state') : 'missing') . ')');
        }
        $deadline = microtime(true) + (float)self::env('OCH_TEST_PROVISION_TIMEOUT', '90');
        $inst = null;
        do {
            $inst = self::instance($sid);
            if ($inst !== null && $check($inst)) {
                return $inst;
            }
            if ($inst !== null && Instances::field($inst, 'state') === 'failed') {
                break;
            }
            usleep(250000);
        } while (microtime(true) < $deadline);
        $this->fail('instance of service #' . $sid . ' never got ' . $what . '; last seen: '
            . json_encode($inst === null ? null : array_intersect_key($inst, array_flip(array('state', 'desired_state',
                'plan', 'pending_plan', 'pending_action', 'last_error', 'attempts')))));
    }

    /** The simulated Hetzner servers labelled with an instance id. */
    private function simServers($instanceId)
    {
        $sim = self::env('OCH_TEST_SIM_URL');
        $this->assertNotSame('', $sim, 'OCH_TEST_SIM_URL is set');
        $ch = curl_init($sim . '/hetzner/v1/servers?label_selector=' . rawurlencode('och-instance=' . $instanceId));
        curl_setopt_array($ch, array(
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 10,
            CURLOPT_HTTPHEADER => array('Authorization: Bearer ' . self::env('OCH_TEST_SIM_TOKEN', 'sim-hetzner-token')),
        ));
        $body = curl_exec($ch);
        $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        $this->assertSame(200, $status, 'simulator answers GET /servers: ' . (is_string($body) ? substr($body, 0, 300) : ''));
        $data = json_decode((string)$body, true);
        $this->assertIsArray($data);
        $this->assertArrayHasKey('servers', $data);
        return $data['servers'];
    }

    /** Poll the simulator until $check($servers) holds. */
    private function waitForSim($instanceId, callable $check, $what)
    {
        $deadline = microtime(true) + (float)self::env('OCH_TEST_PROVISION_TIMEOUT', '90');
        do {
            $servers = $this->simServers($instanceId);
            if ($check($servers)) {
                return $servers;
            }
            usleep(250000);
        } while (microtime(true) < $deadline);
        $this->fail('simulator never showed ' . $what . ' for instance ' . $instanceId . '; last: '
            . json_encode(array_map(function ($s) {
                return array('id' => $s['id'] ?? null, 'status' => $s['status'] ?? null,
                    'server_type' => $s['server_type']['name'] ?? null);
            }, $servers)));
    }

    private static function typeOf(array $server)
    {
        return isset($server['server_type']['name']) ? $server['server_type']['name'] : '';
    }

    /* ---------------------------------------------------------- connection */

    public function testTestConnection()
    {
        $r = openclawhost_TestConnection(self::server());
        $this->assertSame(array('success' => true, 'error' => ''), $r);
        $log = end(Whmcs::$moduleLog);
        $this->assertSame('TestConnection', $log['action']);
        $this->assertContains(self::env('OCH_TEST_SECRET'), $log['mask']);
        $this->assertFalse(strpos(Whmcs::rawLog(), self::env('OCH_TEST_SECRET')), 'secret not logged');
    }

    public function testWrongSecretGivesAClearError()
    {
        $r = openclawhost_TestConnection(self::server(array('serverpassword' => str_repeat('f', 64))));
        $this->assertFalse($r['success']);
        $this->assertStringStartsWith('Authentication failed (HTTP 401', $r['error']);
        $this->assertStringContainsString('check the API client id (server Username), the secret', $r['error']);
        $r = openclawhost_TestConnection(self::server(array('serverusername' => 'ak_ffffffffffffffff')));
        $this->assertFalse($r['success']);
        $this->assertStringStartsWith('Authentication failed (HTTP 401', $r['error']);
    }

    public function testPlanLoaderListsThePlans()
    {
        $plans = openclawhost_PlanLoader(self::server());
        foreach (array('starter', 'professional', 'enterprise') as $p) {
            $this->assertArrayHasKey($p, $plans);
        }
        $this->assertStringContainsString('Starter', $plans['starter']);
    }

    /* ---------------------------------------------------------- main flow */

    public function testCreateAccount()
    {
        $params = self::params(self::$sid);
        $this->assertSame('success', openclawhost_CreateAccount($params));
        $inst = self::instance(self::$sid);
        $this->assertNotNull($inst, 'the API has an instance for the service');
        $this->assertSame(self::$sid, (int)$inst['whmcs_service_id']);
        $this->assertSame('active', $inst['desired_state']);
        $this->assertSame('starter', $inst['plan']);
        $this->assertSame('eu-falkenstein', $inst['region']);
        $this->assertSame('live-' . self::$sid . '@och.test', $inst['email']);
        $update = Whmcs::$localApi[0];
        $this->assertSame('UpdateClientProduct', $update['command']);
        $this->assertSame($inst['hostname'], $update['values']['domain'], 'the hostname is stored in the service');

        /* staff press Retry in the Module Queue */
        $this->assertSame('success', openclawhost_CreateAccount($params));
        $list = self::api()->get('/api/v1/instances', array('whmcs_service_id' => self::$sid));
        $this->assertCount(1, $list['instances'], 'still one instance');
        $this->assertSame($inst['id'], $list['instances'][0]['id']);
        return $inst['id'];
    }

    /**
     * @depends testCreateAccount
     */
    public function testInstanceBecomesActive($id)
    {
        $inst = $this->waitForInstance(self::$sid, function ($i) {
            return $i['state'] === 'active';
        }, 'active');
        $this->assertNotSame('', Instances::field($inst, 'ipv4'));
        $servers = $this->simServers($id);
        $this->assertCount(1, $servers, 'one server in the simulator');
        $this->assertSame('running', $servers[0]['status']);
        $this->assertSame('cx23', self::typeOf($servers[0]), 'starter runs on cx23');
        return $id;
    }

    /**
     * @depends testInstanceBecomesActive
     */
    public function testClientAreaShowsTheInstance($id)
    {
        $inst = self::instance(self::$sid);
        $r = openclawhost_ClientArea(self::params(self::$sid));
        $this->assertSame('templates/overview.tpl', $r['tabOverviewModuleOutputTemplate']);
        $v = $r['templateVariables'];
        $this->assertTrue($v['och']['exists']);
        $this->assertSame($id, $v['och']['id']);
        $this->assertSame('active', $v['och']['state']);
        $this->assertSame('Active', $v['och']['stateLabel']);
        $this->assertTrue($v['och']['canOpen']);
        $this->assertSame($inst['hostname'], $v['och']['hostname']);
        $this->assertSame($inst['ipv4'], $v['och']['ipv4']);
        $this->assertSame('starter', $v['och']['plan']);
        $this->assertNotEmpty($v['ochEvents'], 'recent events shown');
        $this->assertSame('clientarea.php?action=productdetails&id=' . self::$sid . '&dosinglesignon=1', $v['ochSsoUrl']);

        $fields = openclawhost_AdminServicesTabFields(self::params(self::$sid));
        $this->assertSame($id, $fields['Instance ID']);
        $this->assertSame('active', $fields['State']);

        $this->assertSame('success', openclawhost_syncstatus(self::params(self::$sid, array('domain' => $inst['hostname']))));
        $this->assertSame($inst['ipv4'], Whmcs::$localApi[0]['values']['dedicatedip']);
    }

    /**
     * Runs after the instance is active, but a link works for any instance
     * that is not terminated, so it only needs the create.
     *
     * @depends testCreateAccount
     */
    public function testSingleSignOnGivesAWorkingOneTimeLink($id)
    {
        $r = openclawhost_ServiceSingleSignOn(self::params(self::$sid));
        $this->assertTrue($r['success'], isset($r['errorMsg']) ? $r['errorMsg'] : '');
        $this->assertStringStartsWith(self::env('OCH_TEST_API_URL'), $r['redirectTo'], 'link on the dashboard');
        $this->assertMatchesRegularExpression('#/signin\#sso=[0-9a-f]{64}$#', $r['redirectTo'], 'the sign-in page, token in the fragment');
        parse_str((string)parse_url($r['redirectTo'], PHP_URL_FRAGMENT), $q);
        $q['token'] = $q['sso'];
        $this->assertFalse(strpos(Whmcs::rawLog(), $q['token']), 'the token is not in the module log');

        /* what the dashboard's /signin page does with it once confirmed: trade it for a session, once */
        $first = self::post(self::env('OCH_TEST_API_URL') . '/api/v1/auth/sso', array('token' => $q['token']));
        $this->assertSame(200, $first['status'], 'POST /api/v1/auth/sso accepts the token (auth.fcgi running?): '
            . substr($first['body'], 0, 200));
        $this->assertMatchesRegularExpression('/(^|\n)set-cookie:\s*__Host-och_session=[^;\s]+/i', $first['headers'], 'a session cookie');
        $second = self::post(self::env('OCH_TEST_API_URL') . '/api/v1/auth/sso', array('token' => $q['token']));
        $this->assertGreaterThanOrEqual(400, $second['status'], 'the token works once');
        $this->assertLessThan(500, $second['status']);
        $this->assertDoesNotMatchRegularExpression('/set-cookie:\s*__Host-och_session=[^;\s]+/i', $second['headers']);
    }

    /**
     * A service WHMCS staff moved to another client ("Move Product/Service")
     * keeps its instance, whose account is the first client's: single
     * sign-on from the new client must not open that account (every
     * instance of it, its secrets, its backups). The module says whose
     * service it is; the API refuses another client's with 409 and mints
     * no link.
     *
     * @depends testCreateAccount
     */
    public function testSingleSignOnOfAMovedServiceOpensNoOtherAccount($id)
    {
        $owner = self::params(self::$sid);
        $moved = self::params(self::$sid, array('userid' => $owner['userid'] + 1));
        $r = openclawhost_ServiceSingleSignOn($moved);
        $this->assertFalse($r['success'], 'no sign-in link for another client: '
            . (isset($r['redirectTo']) ? $r['redirectTo'] : ''));
        $this->assertStringContainsString('another WHMCS client', isset($r['errorMsg']) ? $r['errorMsg'] : '',
            'saying why');
        $r = openclawhost_ServiceSingleSignOn($owner);
        $this->assertTrue($r['success'], 'the owner still signs in: ' . (isset($r['errorMsg']) ? $r['errorMsg'] : ''));
    }

    /** A plain JSON POST (no signature): status, headers, body. */
    private static function post($url, array $body)
    {
        $headers = '';
        $ch = curl_init($url);
        curl_setopt_array($ch, array(
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => json_encode($body),
            CURLOPT_HTTPHEADER => array('Content-Type: application/json', 'Accept: application/json', 'Expect:'),
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 10,
            CURLOPT_HEADERFUNCTION => function ($h, $line) use (&$headers) {
                $headers .= $line;
                return strlen($line);
            },
        ));
        $out = curl_exec($ch);
        $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return array('status' => (int)$status, 'headers' => $headers, 'body' => is_string($out) ? $out : '');
    }

    /**
     * @depends testInstanceBecomesActive
     */
    public function testChangePackage($id)
    {
        $params = self::params(self::$sid, array('configoption1' => 'professional'));
        $this->assertSame('success', openclawhost_ChangePackage($params));
        $this->waitForInstance(self::$sid, function ($i) {
            return $i['plan'] === 'professional' && $i['state'] === 'active' && $i['pending_plan'] === null;
        }, 'the professional plan');
        $this->waitForSim($id, function ($s) {
            return count($s) === 1 && self::typeOf($s[0]) === 'cx33' && $s[0]['status'] === 'running';
        }, 'a running cx33');
        $this->assertSame('success', openclawhost_ChangePackage($params), 'repeating is harmless');
    }

    /**
     * @depends testInstanceBecomesActive
     */
    public function testSuspend($id)
    {
        $this->assertSame('success', openclawhost_SuspendAccount(self::params(self::$sid)));
        $this->waitForInstance(self::$sid, function ($i) {
            return $i['state'] === 'suspended' && $i['desired_state'] === 'suspended';
        }, 'suspended');
        $this->waitForSim($id, function ($s) {
            return count($s) === 1 && $s[0]['status'] === 'off';
        }, 'the server off');
        $this->assertSame('success', openclawhost_SuspendAccount(self::params(self::$sid)), 'repeating is harmless');
        return $id;
    }

    /**
     * @depends testSuspend
     */
    public function testUnsuspend($id)
    {
        $this->assertSame('success', openclawhost_UnsuspendAccount(self::params(self::$sid)));
        $this->waitForInstance(self::$sid, function ($i) {
            return $i['state'] === 'active' && $i['desired_state'] === 'active';
        }, 'active again');
        $this->waitForSim($id, function ($s) {
            return count($s) === 1 && $s[0]['status'] === 'running';
        }, 'the server running');
        return $id;
    }

    /**
     * @depends testCreateAccount
     */
    public function testUsageImport($id)
    {
        Capsule::$tables = array(
            'tblproducts' => array(array('id' => 1, 'servertype' => 'openclawhost')),
            'tblhosting' => array(array('id' => self::$sid, 'userid' => 1, 'packageid' => 1, 'server' => 1,
                'domainstatus' => 'Active', 'domain' => '', 'dedicatedip' => '', 'assignedips' => '',
                'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => '')),
        );
        $this->assertNull(openclawhost_UsageUpdate(self::server()));
        $row = Capsule::$tables['tblhosting'][0];
        $plan = self::instance(self::$sid)['plan'];
        $this->assertSame($plan === 'professional' ? 80 * 1024 : 40 * 1024, $row['disklimit'], 'disk limit of the plan in MB');
        $this->assertNotSame('', $row['lastupdate']);
    }

    /**
     * @depends testCreateAccount
     */
    public function testDailySyncReadsTheLiveApi($id)
    {
        $server = self::server();
        Capsule::$tables = array(
            'tblproducts' => array(array('id' => 1, 'servertype' => 'openclawhost')),
            'tblservers' => array(array('id' => 1, 'hostname' => $server['serverhostname'], 'ipaddress' => '',
                'secure' => $server['serversecure'], 'port' => $server['serverport'], 'username' => $server['serverusername'],
                'password' => 'enc:' . $server['serverpassword'], 'accesshash' => '')),
            'tblhosting' => array(array('id' => self::$sid, 'userid' => 1, 'packageid' => 1, 'server' => 1,
                'domainstatus' => 'Active', 'domain' => '', 'dedicatedip' => '', 'assignedips' => '',
                'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => '')),
        );
        $summary = Sync::run(60);
        $this->assertSame(array(), $summary['errors']);
        $this->assertSame(1, $summary['checked']);
        $inst = self::instance(self::$sid);
        $this->assertSame($inst['hostname'], Capsule::$tables['tblhosting'][0]['domain']);
    }

    /**
     * @depends testCreateAccount
     */
    public function testTerminate($id)
    {
        $this->assertSame('success', openclawhost_TerminateAccount(self::params(self::$sid)));
        $this->waitForInstance(self::$sid, function ($i) {
            return $i['state'] === 'terminated';
        }, 'terminated');
        $this->waitForSim($id, function ($s) {
            return count($s) === 0;
        }, 'no server');
        $this->assertSame('success', openclawhost_TerminateAccount(self::params(self::$sid)), 'repeating is harmless');
        $this->assertStringContainsString('terminated', openclawhost_SuspendAccount(self::params(self::$sid)));
        $sso = openclawhost_ServiceSingleSignOn(self::params(self::$sid));
        $this->assertFalse($sso['success']);
    }

    /* ---------------------------------------------------------- lost answer */

    public function testCreateRetriedAfterALostAnswerMakesOneInstance()
    {
        $sid = self::$sid + 1;
        $proxy = new FixtureServer();
        try {
            $proxy->setRoutes(array('*' => array('forward' => self::env('OCH_TEST_API_URL'), 'status' => 502,
                'type' => 'text/html', 'body' => '<html><title>502 Bad Gateway</title></html>')));
            $params = self::params($sid);
            $lost = openclawhost_CreateAccount(array_merge($params, array('serverport' => (string)$proxy->port())));
            $this->assertStringContainsString('HTTP 502', $lost, 'the module saw a failure');
            $fwd = $proxy->forwarded();
            $this->assertCount(1, $fwd);
            $this->assertSame(201, $fwd[0]['status'], 'but the API created the instance');
            $created = json_decode($fwd[0]['body'], true);
        } finally {
            $proxy->stop();
        }
        /* staff press Retry: straight to the API this time */
        $this->assertSame('success', openclawhost_CreateAccount($params));
        $list = self::api()->get('/api/v1/instances', array('whmcs_service_id' => $sid));
        $this->assertCount(1, $list['instances'], 'one instance');
        $this->assertSame($created['id'], $list['instances'][0]['id']);
        return $created['id'];
    }

    /**
     * @depends testCreateRetriedAfterALostAnswerMakesOneInstance
     */
    public function testLostAnswerMakesOneServer($id)
    {
        $sid = self::$sid + 1;
        $this->waitForInstance($sid, function ($i) {
            return $i['state'] === 'active';
        }, 'active');
        $this->assertCount(1, $this->simServers($id), 'one server');
        $this->assertSame('success', openclawhost_TerminateAccount(self::params($sid)));
        $this->waitForSim($id, function ($s) {
            return count($s) === 0;
        }, 'no server');
    }
}
