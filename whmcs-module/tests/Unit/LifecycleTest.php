<?php
/**
 * What each module function asks the API, against a scripted API: the
 * right routes and bodies, no call when the instance already is where WHMCS
 * wants it, escaped output, usage import, server sync, and the hooks
 * (daily sync and drift, the email webhook, the sidebar link).
 */

use OpenClawHostTest\FixtureServer;
use OpenClawHostTest\MenuItem;
use OpenClawHostTest\Whmcs;
use PHPUnit\Framework\TestCase;
use WHMCS\Database\Capsule;
use WHMCS\Module\Server\OpenClawHost\ApiClient;

final class LifecycleTest extends TestCase
{
    const SECRET = 'lifecycle-secret-abcdef';
    const LIST7 = 'GET /api/v1/instances?whmcs_service_id=7';

    /** @var FixtureServer */
    private static $server;
    private static $defaults;

    public static function setUpBeforeClass(): void
    {
        self::$server = new FixtureServer();
        self::$defaults = ApiClient::getDefaults();
        ApiClient::setDefaults(array('timeout' => 2, 'connect_timeout' => 1));
    }

    public static function tearDownAfterClass(): void
    {
        ApiClient::setDefaults(self::$defaults);
        self::$server->stop();
    }

    protected function setUp(): void
    {
        Whmcs::reset();
        self::$server->setRoutes(array());
    }

    private function params(array $extra = array())
    {
        return array_merge(self::$server->serverParams('ak_00000000000000aa', self::SECRET), array(
            'serviceid' => 7,
            'userid' => 3,
            'domain' => '',
            'status' => 'Active',
            'clientsdetails' => array('email' => 'alice@example.com'),
            'configoption1' => 'starter',
            'configoption2' => 'eu-falkenstein',
            'configoption3' => '',
        ), $extra);
    }

    private static function inst(array $extra = array())
    {
        return array_merge(array(
            'id' => 'inst-7', 'slug' => 'happy-otter', 'hostname' => 'happy-otter.och.test',
            'whmcs_service_id' => 7, 'state' => 'active', 'desired_state' => 'active',
            'plan' => 'starter', 'region' => 'eu-falkenstein', 'ipv4' => '127.0.0.7', 'ipv6' => '2001:db8::7',
            'last_error' => null, 'created_at' => '2026-01-02T03:04:05Z', 'email' => 'alice@example.com',
        ), $extra);
    }

    private function listed(array $inst = null)
    {
        return array('json' => array('instances' => $inst === null ? array() : array($inst)));
    }

    /** "METHOD target body" of every request the fake API received. */
    private function calls()
    {
        $out = array();
        foreach (self::$server->requests() as $r) {
            $out[] = trim($r['method'] . ' ' . $r['target'] . ' ' . $r['body']);
        }
        return $out;
    }

    public function testCreateAccountSendsTheOrderAndIsIdempotent()
    {
        self::$server->setRoutes(array('POST /api/v1/instances' => array('status' => 200,
            'json' => self::inst(array('state' => 'pending')))));
        $params = $this->params(array('configoption3' => '2026.1.5',
            'configoptions' => array('plan' => 'professional')));
        $this->assertSame('success', openclawhost_CreateAccount($params));
        $this->assertSame('success', openclawhost_CreateAccount($params), 'retry from the module queue');
        $body = '{"whmcs_service_id":7,"whmcs_client_id":3,"email":"alice@example.com","plan":"professional",'
            . '"region":"eu-falkenstein","openclaw_version":"2026.1.5"}';
        $this->assertSame(array('POST /api/v1/instances ' . $body, 'POST /api/v1/instances ' . $body), $this->calls());
        $this->assertSame('UpdateClientProduct', Whmcs::$localApi[0]['command']);
        $this->assertSame(array('serviceid' => 7, 'domain' => 'happy-otter.och.test', 'dedicatedip' => '127.0.0.7',
            'assignedips' => '2001:db8::7'), Whmcs::$localApi[0]['values']);
    }

    public function testCreateAccountRefusesAReusedTerminatedInstance()
    {
        self::$server->setRoutes(array('POST /api/v1/instances' => array('status' => 200,
            'json' => self::inst(array('state' => 'terminated', 'desired_state' => 'terminated')))));
        $r = openclawhost_CreateAccount($this->params());
        $this->assertStringStartsWith('Service #7 already had an instance (inst-7) that was terminated', $r);
    }

    public function testCreateAccountValidatesSettings()
    {
        $this->assertStringStartsWith('No plan is set', openclawhost_CreateAccount($this->params(array('configoption1' => ''))));
        $this->assertStringStartsWith('No region is set', openclawhost_CreateAccount($this->params(array('configoption2' => ' '))));
        $this->assertSame('The plan "a b" is not a valid plan name.', openclawhost_CreateAccount($this->params(array('configoption1' => 'a b'))));
        $this->assertSame('Service #7 has no client id.', openclawhost_CreateAccount($this->params(array('userid' => 0))));
        $this->assertStringStartsWith('The client of service #7 has no email address',
            openclawhost_CreateAccount($this->params(array('clientsdetails' => array()))));
        $this->assertSame(array(), $this->calls(), 'nothing sent');
    }

    public function transitions(): array
    {
        return array(
            'suspend' => array('SuspendAccount', 'active', 'suspend'),
            'unsuspend' => array('UnsuspendAccount', 'suspended', 'unsuspend'),
            'terminate' => array('TerminateAccount', 'active', 'terminate'),
        );
    }

    /**
     * @dataProvider transitions
     */
    public function testTransitions($fn, $from, $route)
    {
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst(array('state' => $from, 'desired_state' => $from))),
            'POST /api/v1/instances/inst-7/' . $route => array('status' => 202, 'json' => self::inst()),
        ));
        $this->assertSame('success', call_user_func('openclawhost_' . $fn, $this->params()));
        $this->assertSame(array(self::LIST7, 'POST /api/v1/instances/inst-7/' . $route . ' {}'), $this->calls());
    }

    /**
     * @dataProvider transitions
     */
    public function testTransitionsAlreadyDoneSendNothing($fn, $from, $route)
    {
        $to = array('suspend' => 'suspended', 'unsuspend' => 'active', 'terminate' => 'terminated');
        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst(array('desired_state' => $to[$route])))));
        $this->assertSame('success', call_user_func('openclawhost_' . $fn, $this->params()));
        $this->assertSame(array(self::LIST7), $this->calls());
    }

    public function testTransitionsWithoutAnInstance()
    {
        self::$server->setRoutes(array(self::LIST7 => $this->listed(null)));
        $this->assertSame('success', openclawhost_TerminateAccount($this->params()), 'nothing to terminate');
        $this->assertSame('No OpenClaw instance exists for service #7 (was it created? Press Create to provision it).',
            openclawhost_SuspendAccount($this->params()));
        $this->assertStringStartsWith('No OpenClaw instance exists', openclawhost_reboot($this->params()));
        $sso = openclawhost_ServiceSingleSignOn($this->params());
        $this->assertFalse($sso['success']);
    }

    public function testConflictIsPassedOnToStaff()
    {
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst(array('state' => 'creating'))),
            'POST /api/v1/instances/inst-7/suspend' => array('status' => 409,
                'json' => array('error' => array('code' => 'conflict', 'message' => 'instance is being created'))),
        ));
        $this->assertSame('Refused by the API (HTTP 409 conflict): instance is being created',
            openclawhost_SuspendAccount($this->params()));
    }

    public function testChangePackage()
    {
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst()),
            'POST /api/v1/instances/inst-7/change-plan' => array('status' => 202, 'json' => self::inst(array('state' => 'resizing'))),
        ));
        $this->assertSame('success', openclawhost_ChangePackage($this->params()), 'same plan');
        $this->assertSame(array(self::LIST7), $this->calls());
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst()),
            'POST /api/v1/instances/inst-7/change-plan' => array('status' => 202, 'json' => self::inst(array('state' => 'resizing'))),
        ));
        $this->assertSame('success', openclawhost_ChangePackage($this->params(array('configoption1' => 'enterprise'))));
        $this->assertSame(array(self::LIST7, 'POST /api/v1/instances/inst-7/change-plan {"plan":"enterprise"}'), $this->calls());
    }

    public function testRenewAndCustomActions()
    {
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst()),
            'POST /api/v1/instances/inst-7/reboot' => array('status' => 202, 'json' => self::inst(array('state' => 'rebooting'))),
            'POST /api/v1/instances/inst-7/rebuild' => array('status' => 202, 'json' => self::inst(array('state' => 'rebuilding'))),
            'POST /api/v1/instances/inst-7/gateway-token/rotate' => array('status' => 200, 'json' => array('rotated' => true)),
        ));
        $this->assertSame('success', openclawhost_Renew($this->params()));
        $this->assertSame('success', openclawhost_reboot($this->params()));
        $this->assertSame('success', openclawhost_rebuild($this->params()));
        $this->assertSame('success', openclawhost_ChangePassword($this->params(array('password' => 'typed-in-whmcs'))));
        $this->assertSame(array(self::LIST7, self::LIST7, 'POST /api/v1/instances/inst-7/reboot {}',
            self::LIST7, 'POST /api/v1/instances/inst-7/rebuild {}',
            self::LIST7, 'POST /api/v1/instances/inst-7/gateway-token/rotate {}'), $this->calls());
    }

    public function testSyncStatusCopiesDetailsAndReportsDrift()
    {
        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst())));
        $this->assertSame('success', openclawhost_syncstatus($this->params(array('domain' => 'happy-otter.och.test'))));
        $this->assertSame(array('serviceid' => 7, 'dedicatedip' => '127.0.0.7', 'assignedips' => '2001:db8::7'),
            Whmcs::$localApi[0]['values']);

        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst(array('state' => 'suspended', 'desired_state' => 'suspended')))));
        $this->assertSame('Out of sync: service #7 is Active in WHMCS but instance inst-7 is suspended '
            . '(use Unsuspend, or Create for a terminated instance).', openclawhost_syncstatus($this->params()));

        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst())));
        $this->assertStringStartsWith('Out of sync: service #7 is Terminated in WHMCS but instance inst-7 is active',
            openclawhost_syncstatus($this->params(array('status' => 'Terminated'))));
    }

    public function testClientArea()
    {
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst()),
            'GET /api/v1/instances/inst-7' => array('json' => self::inst(array('events' => array(
                array('at' => '2026-01-02T03:05:00.000Z', 'kind' => 'state.active', 'from' => 'booting', 'to' => 'active',
                    'message' => 'the server reported ready'),
                array('at' => '2026-01-02T03:04:30.000Z', 'kind' => 'step', 'from' => 'creating', 'to' => 'booting'),
                array('at' => '2026-01-02T03:04:05.000Z', 'kind' => 'order.created', 'to' => 'pending', 'message' => null),
                'junk',
                array('at' => 'x'),
            )))),
        ));
        $r = openclawhost_ClientArea($this->params());
        $this->assertSame('templates/overview.tpl', $r['tabOverviewModuleOutputTemplate']);
        $this->assertFileExists(OPENCLAWHOST_MODULE_DIR . '/templates/overview.tpl');
        $v = $r['templateVariables'];
        $this->assertSame('clientarea.php?action=productdetails&id=7&dosinglesignon=1', $v['ochSsoUrl']);
        $this->assertTrue($v['och']['exists']);
        $this->assertTrue($v['och']['canOpen']);
        $this->assertSame('Active', $v['och']['stateLabel']);
        $this->assertSame('https://happy-otter.och.test/', $v['och']['url']);
        $this->assertSame('127.0.0.7', $v['och']['ipv4']);
        $this->assertSame(array(
            array('at' => '2026-01-02T03:05:00.000Z', 'text' => 'the server reported ready'),
            array('at' => '2026-01-02T03:04:30.000Z', 'text' => 'step (creating -> booting)'),
            array('at' => '2026-01-02T03:04:05.000Z', 'text' => 'order.created (pending)'),
        ), $v['ochEvents']);
    }

    public function testClientAreaToleratesAnApiWithoutEvents()
    {
        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst(array('state' => 'booting',
            'hostname' => 'bad host<script>')))));
        $r = openclawhost_ClientArea($this->params());
        $this->assertSame('templates/overview.tpl', $r['tabOverviewModuleOutputTemplate']);
        $this->assertFalse($r['templateVariables']['och']['canOpen']);
        $this->assertSame('', $r['templateVariables']['och']['hostname'], 'a hostname that is not one is dropped');
        $this->assertSame(array(), $r['templateVariables']['ochEvents']);
        self::$server->setRoutes(array(self::LIST7 => $this->listed(null)));
        $r = openclawhost_ClientArea($this->params());
        $this->assertFalse($r['templateVariables']['och']['exists']);
    }

    public function testAdminServicesTabFieldsEscape()
    {
        self::$server->setRoutes(array(self::LIST7 => $this->listed(self::inst(array('state' => 'failed',
            'last_error' => 'hetzner said <b onmouseover="x">no</b> & "quotes"')))));
        $f = openclawhost_AdminServicesTabFields($this->params());
        $this->assertSame('inst-7', $f['Instance ID']);
        $this->assertSame('failed', $f['State']);
        $this->assertSame('hetzner said no &amp; &quot;quotes&quot;', $f['Last error']);
        $this->assertStringContainsString('href="' . self::$server->url() . '/admin/instances/inst-7"', $f['Admin panel']);
        $this->assertSame('127.0.0.7, 2001:db8::7', $f['IP addresses']);
        foreach ($f as $html) {
            $this->assertStringNotContainsString('<b', $html);
        }
    }

    public function testPlanLoader()
    {
        self::$server->setRoutes(array('GET /api/v1/plans' => array('json' => array('plans' => array(
            array('name' => 'starter', 'display_name' => 'Starter'),
            array('name' => 'professional', 'display_name' => 'Professional'),
            array('name' => 'old', 'active' => false),
            array('name' => '../x'),
            'junk',
        )))));
        $this->assertSame(array('starter' => 'Starter (starter)', 'professional' => 'Professional (professional)'),
            openclawhost_PlanLoader($this->params()));
    }

    public function testListAccounts()
    {
        self::$server->setRoutes(array('GET /api/v1/instances?limit=500&offset=0' => array('json' => array('instances' => array(
            self::inst(),
            self::inst(array('id' => 'inst-8', 'whmcs_service_id' => 8, 'hostname' => 'b.och.test', 'state' => 'suspended',
                'desired_state' => 'suspended', 'created_at' => null)),
        )))));
        $r = openclawhost_ListAccounts($this->params());
        $this->assertTrue($r['success']);
        $this->assertSame(array(
            'email' => 'alice@example.com', 'username' => 'happy-otter', 'domain' => 'happy-otter.och.test',
            'uniqueIdentifier' => 'happy-otter.och.test', 'product' => 'starter', 'primaryip' => '127.0.0.7',
            'created' => date('Y-m-d H:i:s', strtotime('2026-01-02T03:04:05Z')), 'status' => 'Active',
        ), $r['accounts'][0]);
        $this->assertSame('Suspended', $r['accounts'][1]['status']);
        $this->assertSame('', $r['accounts'][1]['created']);
    }

    public function testListAccountsReadsEveryPage()
    {
        $page = array();
        for ($i = 1; $i <= 500; $i++) {
            $page[] = self::inst(array('id' => 'inst-p' . $i, 'whmcs_service_id' => 1000 + $i));
        }
        self::$server->setRoutes(array(
            'GET /api/v1/instances?limit=500&offset=0' => array('json' => array('instances' => $page)),
            'GET /api/v1/instances?limit=500&offset=500' => array('json' => array('instances' => array(self::inst()))),
        ));
        $r = openclawhost_ListAccounts($this->params());
        $this->assertTrue($r['success']);
        $this->assertCount(501, $r['accounts']);
        $this->assertCount(2, $this->calls());
    }

    private function seedDatabase()
    {
        Capsule::$tables = array(
            'tblproducts' => array(
                array('id' => 1, 'servertype' => 'openclawhost'),
                array('id' => 2, 'servertype' => 'cpanel'),
            ),
            'tblservers' => array(array('id' => 1, 'hostname' => '127.0.0.1', 'ipaddress' => '', 'secure' => '',
                'port' => (string)self::$server->port(), 'username' => 'ak_00000000000000aa',
                'password' => 'enc:' . self::SECRET, 'accesshash' => '')),
            'tblhosting' => array(
                array('id' => 7, 'userid' => 3, 'packageid' => 1, 'server' => 1, 'domainstatus' => 'Active',
                    'domain' => '', 'dedicatedip' => '', 'assignedips' => '',
                    'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => ''),
                array('id' => 8, 'userid' => 3, 'packageid' => 1, 'server' => 1, 'domainstatus' => 'Active',
                    'domain' => 'b.och.test', 'dedicatedip' => '', 'assignedips' => '',
                    'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => ''),
                array('id' => 9, 'userid' => 4, 'packageid' => 1, 'server' => 1, 'domainstatus' => 'Terminated',
                    'domain' => 'c.och.test', 'dedicatedip' => '', 'assignedips' => '',
                    'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => ''),
                array('id' => 10, 'userid' => 3, 'packageid' => 2, 'server' => 2, 'domainstatus' => 'Active',
                    'domain' => 'other.example', 'dedicatedip' => '', 'assignedips' => '',
                    'diskusage' => 0, 'disklimit' => 0, 'bwusage' => 0, 'bwlimit' => 0, 'lastupdate' => ''),
            ),
        );
    }

    private function row($id)
    {
        foreach (Capsule::$tables['tblhosting'] as $row) {
            if ($row['id'] === $id) {
                return $row;
            }
        }
        return null;
    }

    public function testUsageUpdate()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array(
            self::LIST7 => $this->listed(self::inst()),
            'GET /api/v1/instances?whmcs_service_id=8' => $this->listed(null),
            'GET /api/v1/instances/inst-7/usage' => array('json' => array('disk_used_mb' => 1234.6, 'disk_limit_mb' => 40960,
                'bandwidth_used_mb' => 99, 'bandwidth_limit_mb' => 'lots')),
        ));
        $this->assertNull(openclawhost_UsageUpdate(self::$server->serverParams('ak_00000000000000aa', self::SECRET)));
        $row = $this->row(7);
        $this->assertSame(1235, $row['diskusage']);
        $this->assertSame(40960, $row['disklimit']);
        $this->assertSame(99, $row['bwusage']);
        $this->assertSame(0, $row['bwlimit'], 'a non-number is not imported');
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $row['lastupdate']);
        $this->assertSame('', $this->row(8)['lastupdate'], 'no instance, no update');
        $this->assertNotContains('GET /api/v1/instances?whmcs_service_id=9', $this->calls(), 'terminated services skipped');
        $this->assertNotContains('GET /api/v1/instances?whmcs_service_id=10', $this->calls(), 'other modules skipped');
    }

    public function testUsageUpdateWithoutAUsageRouteStopsQuietly()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array(
            'GET /api/v1/instances' => $this->listed(self::inst()),
        ));
        $this->assertNull(openclawhost_UsageUpdate(self::$server->serverParams('ak_00000000000000aa', self::SECRET)));
        $this->assertSame(array(self::LIST7, 'GET /api/v1/instances/inst-7/usage'), $this->calls(), 'one 404, then stop');
        $this->assertSame(0, $this->row(7)['diskusage']);
    }

    public function testDailyCronSyncsAndFlagsDrift()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array('GET /api/v1/instances?limit=500&offset=0' => array('json' => array('instances' => array(
            self::inst(),
            self::inst(array('id' => 'inst-8', 'whmcs_service_id' => 8, 'hostname' => 'b.och.test', 'ipv4' => '127.0.0.8',
                'ipv6' => '', 'state' => 'suspended', 'desired_state' => 'suspended')),
            self::inst(array('id' => 'inst-9', 'whmcs_service_id' => 9, 'hostname' => 'c.och.test')),
            self::inst(array('id' => 'inst-11', 'whmcs_service_id' => 11, 'hostname' => 'd.och.test')),
            self::inst(array('id' => 'inst-12', 'whmcs_service_id' => 12, 'desired_state' => 'terminated', 'state' => 'terminated')),
        )))));
        openclawhost_hook_DailyCronJob(array());
        $this->assertSame(array('GET /api/v1/instances?limit=500&offset=0'), $this->calls(), 'one list request for the server');
        $this->assertSame('happy-otter.och.test', $this->row(7)['domain']);
        $this->assertSame('127.0.0.7', $this->row(7)['dedicatedip']);
        $this->assertSame('2001:db8::7', $this->row(7)['assignedips']);
        $this->assertSame('127.0.0.8', $this->row(8)['dedicatedip']);
        $this->assertSame('Active', $this->row(7)['domainstatus'], 'billing status is never changed');
        $log = implode("\n", Whmcs::$activity);
        $this->assertStringContainsString('OpenClaw Host: Out of sync: service #8 is Active in WHMCS but instance inst-8 is suspended', $log);
        $this->assertStringContainsString('OpenClaw Host: Out of sync: service #9 is Terminated in WHMCS but instance inst-9 is active', $log);
        $this->assertStringContainsString('OpenClaw Host: Out of sync: instance inst-11 is active for service #11, which does not exist in WHMCS', $log);
        $this->assertStringNotContainsString('inst-12', $log);
        $this->assertStringNotContainsString('service #7 ', $log);
        $this->assertStringContainsString('OpenClaw Host: Daily sync: 2 services checked, 2 updated, 3 out of sync, 0 errors.', $log);
        $this->assertFalse(strpos(Whmcs::rawLog(), self::SECRET));
    }

    public function testDailyCronFallsBackToPerServiceLookups()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array(
            'GET /api/v1/instances?limit=500&offset=0' => array('status' => 400, 'json' => array('error' => array(
                'code' => 'invalid_input', 'message' => 'whmcs_service_id required'))),
            self::LIST7 => $this->listed(self::inst()),
            'GET /api/v1/instances?whmcs_service_id=8' => $this->listed(null),
        ));
        openclawhost_hook_DailyCronJob(array());
        $this->assertSame(array('GET /api/v1/instances?limit=500&offset=0', self::LIST7,
            'GET /api/v1/instances?whmcs_service_id=8'), $this->calls());
        $log = implode("\n", Whmcs::$activity);
        $this->assertStringContainsString('service #8 is Active in WHMCS but has no OpenClaw instance', $log);
        $this->assertStringContainsString('Daily sync: 2 services checked, 1 updated, 1 out of sync, 0 errors.', $log);
    }

    public function testDailyCronReportsAnUnreachableApi()
    {
        $this->seedDatabase();
        Capsule::$tables['tblservers'][0]['port'] = (string)FixtureServer::freePort();
        openclawhost_hook_DailyCronJob(array());
        $log = implode("\n", Whmcs::$activity);
        $this->assertStringContainsString('OpenClaw Host: Daily sync error: service #7: Cannot connect', $log);
        $this->assertStringContainsString('0 services checked', $log);
    }

    public function testClientEmailChangeIsSentAsASignedWebhook()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array('POST /api/v1/webhooks/whmcs' => array('status' => 202, 'json' => array('ok' => true))));
        openclawhost_hook_ClientEdit(array('userid' => 3, 'email' => 'new@example.com',
            'olddata' => array('email' => 'old@example.com')));
        $reqs = self::$server->requests();
        $this->assertCount(1, $reqs, 'one webhook per server');
        $this->assertSame('/api/v1/webhooks/whmcs', $reqs[0]['target']);
        $this->assertSame(array('event' => 'client.email_changed', 'whmcs_client_id' => 3, 'email' => 'new@example.com',
            'old_email' => 'old@example.com'), json_decode($reqs[0]['body'], true));
        $h = array_change_key_case($reqs[0]['headers'], CASE_LOWER);
        $canonical = "POST\n/api/v1/webhooks/whmcs\n" . $h['x-och-timestamp'] . "\n" . $h['x-och-nonce'] . "\n"
            . hash('sha256', $reqs[0]['body']);
        $this->assertSame(hash_hmac('sha256', $canonical, self::SECRET), $h['x-och-signature']);

        self::$server->setRoutes(array());
        openclawhost_hook_ClientEdit(array('userid' => 3, 'email' => 'NEW@example.com',
            'olddata' => array('email' => 'new@example.com')));
        openclawhost_hook_ClientEdit(array('userid' => 4242, 'email' => 'x@example.com',
            'olddata' => array('email' => 'y@example.com')));
        $this->assertSame(array(), self::$server->requests(), 'no change, or no OpenClaw services: nothing sent');
    }

    public function testClientEmailWebhookFailureIsLoggedNotThrown()
    {
        $this->seedDatabase();
        self::$server->setRoutes(array('POST /api/v1/webhooks/whmcs' => array('status' => 404,
            'json' => array('error' => array('code' => 'not_found', 'message' => 'no such route')))));
        openclawhost_hook_ClientEdit(array('userid' => 3, 'email' => 'new@example.com',
            'olddata' => array('email' => 'old@example.com')));
        $this->assertStringContainsString('Could not tell the API about client #3\'s new email: server #1: Not found',
            implode("\n", Whmcs::$activity));
    }

    public function testSidebarLinkOnActiveOpenClawServices()
    {
        $sidebar = new MenuItem('root');
        $sidebar->addChild('Service Details Actions');
        \Menu::$context['service'] = (object)array('id' => 7, 'domainstatus' => 'Active',
            'product' => (object)array('module' => 'openclawhost'));
        openclawhost_hook_ClientAreaPrimarySidebar($sidebar);
        $link = $sidebar->getChild('Service Details Actions')->getChild('openclawhostDashboard');
        $this->assertNotNull($link);
        $this->assertSame('clientarea.php?action=productdetails&id=7&dosinglesignon=1', $link->attributes['uri']);

        foreach (array(
            (object)array('id' => 7, 'domainstatus' => 'Suspended', 'product' => (object)array('module' => 'openclawhost')),
            (object)array('id' => 7, 'domainstatus' => 'Active', 'product' => (object)array('module' => 'cpanel')),
        ) as $service) {
            $sidebar = new MenuItem('root');
            $sidebar->addChild('Service Details Actions');
            \Menu::$context['service'] = $service;
            openclawhost_hook_ClientAreaPrimarySidebar($sidebar);
            $this->assertSame(array(), $sidebar->getChild('Service Details Actions')->children);
        }
    }
}
