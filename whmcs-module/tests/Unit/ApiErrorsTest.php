<?php
/**
 * Bad answers and no answers: API down, silent (timeout), HTML pages,
 * garbage, redirects, oversized answers and JSON errors all become a short
 * staff-readable string from the module function, one module-log entry with
 * the secret masked, and never an exception or a warning.
 */

use OpenClawHostTest\FixtureServer;
use OpenClawHostTest\Whmcs;
use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\OpenClawHost\ApiClient;

final class ApiErrorsTest extends TestCase
{
    const SECRET = 'fixture-secret-0123456789';

    /** @var FixtureServer */
    private static $server;
    /** @var array */
    private static $defaults;

    public static function setUpBeforeClass(): void
    {
        self::$server = new FixtureServer();
        self::$defaults = ApiClient::getDefaults();
        ApiClient::setDefaults(array('timeout' => 1, 'connect_timeout' => 1));
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
        return array_merge(self::$server->serverParams('ak_0123456789abcdef', self::SECRET), array(
            'serviceid' => 7,
            'userid' => 3,
            'clientsdetails' => array('email' => 'alice@example.com'),
            'configoption1' => 'starter',
            'configoption2' => 'eu-falkenstein',
        ), $extra);
    }

    /** The log has entries, each masks the secret, none holds it in clear. */
    private function assertLoggedSafely()
    {
        $this->assertNotEmpty(Whmcs::$moduleLog, 'module log entry written');
        foreach (Whmcs::$moduleLog as $entry) {
            $this->assertSame('openclawhost', $entry['module']);
        }
        $api = array_filter(Whmcs::$moduleLog, function ($e) {
            return is_string($e['request']) && preg_match('#^(GET|POST) http#', $e['request']);
        });
        foreach ($api as $entry) {
            $this->assertContains(self::SECRET, $entry['mask'], 'secret in the mask list');
        }
        $this->assertFalse(strpos(Whmcs::rawLog(), self::SECRET), 'secret never handed to the log');
    }

    public function testApiDown()
    {
        $params = $this->params(array('serverport' => (string)FixtureServer::freePort()));
        $r = openclawhost_TestConnection($params);
        $this->assertFalse($r['success']);
        $this->assertStringStartsWith('Cannot connect to the OpenClaw Host API at http://127.0.0.1:', $r['error']);
        $create = openclawhost_CreateAccount($params);
        $this->assertStringStartsWith('Cannot connect', $create);
        $this->assertStringContainsString('Check the server\'s hostname, port and Secure setting', $create);
        $this->assertLoggedSafely();
    }

    public function testApiSilentTimesOut()
    {
        list($sock, $port) = FixtureServer::blackhole();
        try {
            $params = $this->params(array('serverport' => (string)$port));
            $r = openclawhost_SuspendAccount($params);
            $this->assertSame('The OpenClaw Host API at http://127.0.0.1:' . $port . ' did not answer within 1 s; '
                . 'it may be down or overloaded. Try again in a few minutes.', $r);
            $sso = openclawhost_ServiceSingleSignOn($params);
            $this->assertFalse($sso['success']);
            $this->assertStringContainsString('did not answer within 1 s', $sso['errorMsg']);
            $this->assertLoggedSafely();
        } finally {
            fclose($sock);
        }
    }

    public function badAnswers(): array
    {
        return array(
            'HTML 200' => array(array('status' => 200, 'type' => 'text/html', 'body' => '<html><body><h1>Welcome to nginx!</h1></body></html>'),
                'answered HTTP 200 with an HTML page instead of JSON'),
            'garbage 200' => array(array('status' => 200, 'type' => 'application/json', 'body' => '{"status": "ok"'),
                'answered HTTP 200 with data that is not valid JSON instead of JSON'),
            'binary 200' => array(array('status' => 200, 'type' => 'application/octet-stream', 'body_b64' => base64_encode("\x00\x01\xff\xfe garbage")),
                'data that is not valid JSON'),
            'empty 200' => array(array('status' => 200, 'body' => ''), 'answered HTTP 200 with an empty answer'),
            'JSON list' => array(array('status' => 200, 'body' => '[1,2,3]'), 'data that is not valid JSON'),
            'HTML 502' => array(array('status' => 502, 'type' => 'text/html', 'body' => '<html><title>502 Bad Gateway</title></html>'),
                'failed (HTTP 502): the answer was an HTML page, not a JSON error (is the API service behind the web server running?). Try again later'),
            'JSON 409' => array(array('status' => 409, 'json' => array('error' => array('code' => 'conflict', 'message' => 'instance is terminating'))),
                'Refused by the API (HTTP 409 conflict): instance is terminating'),
            'JSON 401' => array(array('status' => 401, 'json' => array('error' => array('code' => 'unauthorized', 'message' => 'authentication required'))),
                'Authentication failed (HTTP 401 unauthorized): check the API client id (server Username), the secret'),
            'JSON 403' => array(array('status' => 403, 'json' => array('error' => array('code' => 'forbidden', 'message' => 'not allowed'))),
                'Permission denied by the API (HTTP 403 forbidden): not allowed'),
            'JSON 400' => array(array('status' => 400, 'json' => array('error' => array('code' => 'invalid_input', 'message' => 'unknown plan "x"'))),
                'The API rejected the request (HTTP 400 invalid_input): unknown plan "x"'),
            'JSON 429' => array(array('status' => 429, 'json' => array('error' => array('code' => 'rate_limited', 'message' => 'slow down'))),
                'The API is rate limiting requests (HTTP 429 rate_limited); try again in a minute'),
            'JSON 503' => array(array('status' => 503, 'json' => array('error' => array('code' => 'unavailable', 'message' => 'database unavailable'))),
                'failed (HTTP 503 unavailable): database unavailable. Try again later'),
            'error without shape' => array(array('status' => 500, 'json' => array('error' => 'boom')),
                'failed (HTTP 500): boom'),
            'error without error' => array(array('status' => 418, 'json' => array('oops' => true)),
                'The API rejected the request (HTTP 418): no details given'),
            'hostile error text' => array(array('status' => 400, 'json' => array('error' => array('code' => "bad\ncode",
                'message' => "<script>alert(1)</script>line1\r\nline2" . str_repeat('A', 500)))),
                'The API rejected the request (HTTP 400 bad code): alert(1)line1 line2AAAA'),
            'redirect' => array(array('status' => 301, 'headers' => array('Location' => 'https://elsewhere.example/api/v1/ping'), 'body' => ''),
                'answered with a redirect (HTTP 301 to https://elsewhere.example/api/v1/ping). Check the server\'s hostname and Secure setting'),
            'oversized' => array(array('status' => 200, 'bytes' => 1100000),
                'sent an answer larger than 1 MiB'),
        );
    }

    /**
     * @dataProvider badAnswers
     */
    public function testBadAnswers(array $answer, $expect)
    {
        self::$server->setRoutes(array('*' => $answer));
        $params = $this->params();

        $conn = openclawhost_TestConnection($params);
        $this->assertFalse($conn['success']);
        $this->assertStringContainsString($expect, $conn['error']);
        $this->assertLessThan(600, strlen($conn['error']), 'short enough for staff');
        $this->assertStringNotContainsString('<', $conn['error']);
        $this->assertDoesNotMatchRegularExpression('/[\x00-\x1f]/', $conn['error']);

        foreach (array('CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'TerminateAccount', 'ChangePackage',
            'Renew', 'reboot', 'rebuild', 'ChangePassword', 'syncstatus') as $fn) {
            $r = call_user_func('openclawhost_' . $fn, $params);
            $this->assertIsString($r, $fn);
            $this->assertStringContainsString($expect, $r, $fn);
        }
        $sso = openclawhost_ServiceSingleSignOn($params);
        $this->assertFalse($sso['success']);
        $this->assertStringContainsString($expect, $sso['errorMsg']);
        $ca = openclawhost_ClientArea($params);
        $this->assertSame('templates/error.tpl', $ca['tabOverviewModuleOutputTemplate']);
        $this->assertStringNotContainsString('127.0.0.1', $ca['templateVariables']['ochError'], 'no internals shown to customers');
        $fields = openclawhost_AdminServicesTabFields($params);
        $this->assertStringStartsWith('Could not load: ', $fields['OpenClaw instance']);
        $list = openclawhost_ListAccounts($params);
        $this->assertFalse($list['success']);
        $this->assertNull(openclawhost_UsageUpdate($params));
        try {
            openclawhost_PlanLoader($params);
            $this->fail('loader returned on a bad answer');
        } catch (\Exception $e) {
            $this->assertStringContainsString($expect, $e->getMessage());
        }
        $this->assertLoggedSafely();
        if (isset($answer['headers']['Location'])) {
            $this->assertCount(1, array_filter(self::$server->requests(), function ($r) {
                return $r['target'] === '/api/v1/ping';
            }), 'redirect not followed');
        }
    }

    public function testWrongSecretGivesAClearTestConnectionError()
    {
        self::$server->setRoutes(array('GET /api/v1/ping' => array('status' => 401,
            'headers' => array('Date' => gmdate('D, d M Y H:i:s', time() - 3600) . ' GMT'),
            'json' => array('error' => array('code' => 'unauthorized', 'message' => 'authentication required')))));
        $r = openclawhost_TestConnection($this->params());
        $this->assertFalse($r['success']);
        $this->assertStringStartsWith('Authentication failed (HTTP 401 unauthorized): check the API client id (server Username), '
            . 'the secret (server Password or Access Hash) and that this server\'s clock is correct', $r['error']);
        $this->assertMatchesRegularExpression('/differs from the API\'s by 3[56][0-9][0-9] s/', $r['error']);
    }

    public function testRequestsAreSignedAsDesignSays()
    {
        self::$server->setRoutes(array(
            'GET /api/v1/ping' => array('json' => array('status' => 'ok', 'client' => 'ak_0123456789abcdef')),
            'POST /api/v1/instances' => array('status' => 201, 'json' => array('id' => 'inst-1', 'state' => 'pending',
                'desired_state' => 'active', 'hostname' => 'happy-otter.och.test')),
        ));
        $params = $this->params(array('configoptions' => array('Region|Where' => 'eu-helsinki|Helsinki'),
            'clientsdetails' => array('email' => 'zoë@example.com')));
        $this->assertSame(array('success' => true, 'error' => ''), openclawhost_TestConnection($params));
        $this->assertSame('success', openclawhost_CreateAccount($params));

        $reqs = self::$server->requests();
        $this->assertCount(2, $reqs);
        foreach ($reqs as $req) {
            $h = array_change_key_case($req['headers'], CASE_LOWER);
            $this->assertSame('ak_0123456789abcdef', $h['x-och-key']);
            $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $h['x-och-nonce']);
            $this->assertLessThan(60, abs(time() - (int)$h['x-och-timestamp']));
            $canonical = $req['method'] . "\n" . $req['target'] . "\n" . $h['x-och-timestamp'] . "\n"
                . $h['x-och-nonce'] . "\n" . hash('sha256', $req['body']);
            $this->assertSame(hash_hmac('sha256', $canonical, self::SECRET), $h['x-och-signature'], 'signature verifies');
            $this->assertSame('application/json', $h['accept']);
            foreach ($h as $v) {
                $this->assertStringNotContainsString(self::SECRET, $v, 'secret never sent');
            }
        }
        $this->assertSame('GET', $reqs[0]['method']);
        $this->assertSame('', $reqs[0]['body']);
        $post = $reqs[1];
        $this->assertSame('/api/v1/instances', $post['target']);
        $this->assertSame('application/json', array_change_key_case($post['headers'], CASE_LOWER)['content-type']);
        $this->assertSame(array('whmcs_service_id' => 7, 'whmcs_client_id' => 3, 'email' => 'zoë@example.com',
            'plan' => 'starter', 'region' => 'eu-helsinki'), json_decode($post['body'], true));

        /* hostname copied into the service */
        $this->assertSame(array(array('command' => 'UpdateClientProduct', 'values' => array(
            'serviceid' => 7, 'domain' => 'happy-otter.och.test'))), Whmcs::$localApi);
        $this->assertLoggedSafely();
    }

    public function testSsoTokenNeverReachesTheLog()
    {
        $token = 'tok_' . str_repeat('9', 40);
        self::$server->setRoutes(array(
            'GET /api/v1/instances?whmcs_service_id=7' => array('json' => array('instances' => array(
                array('id' => 'inst-1', 'whmcs_service_id' => 7, 'state' => 'active', 'desired_state' => 'active')))),
            'POST /api/v1/instances/inst-1/sso' => array('json' => array('url' => 'https://dash.example/sso?token=' . $token,
                'expires_in' => 60)),
        ));
        $r = openclawhost_ServiceSingleSignOn($this->params());
        $this->assertSame(array('success' => true, 'redirectTo' => 'https://dash.example/sso?token=' . $token), $r);
        $this->assertFalse(strpos(Whmcs::rawLog(), $token), 'one-time token not in the log');
        $reqs = self::$server->requests();
        $this->assertSame('{"whmcs_client_id":3}', $reqs[1]['body'], 'the SSO POST says whose service asks');
    }

    public function testSsoRefusesAnUnsafeUrl()
    {
        self::$server->setRoutes(array(
            'GET /api/v1/instances?whmcs_service_id=7' => array('json' => array('instances' => array(
                array('id' => 'inst-1', 'whmcs_service_id' => 7, 'state' => 'active', 'desired_state' => 'active')))),
            'POST /api/v1/instances/inst-1/sso' => array('json' => array('url' => 'javascript:alert(1)')),
        ));
        $r = openclawhost_ServiceSingleSignOn($this->params());
        $this->assertFalse($r['success']);
        $this->assertSame('The API answered the sign-on request without a valid URL.', $r['errorMsg']);
    }

    public function testMalformedInstanceIdIsNotPutInAPath()
    {
        self::$server->setRoutes(array(
            'GET /api/v1/instances?whmcs_service_id=7' => array('json' => array('instances' => array(
                array('id' => '../../admin', 'whmcs_service_id' => 7)))),
        ));
        $this->assertSame('The API returned an instance without a valid id.', openclawhost_SuspendAccount($this->params()));
        $this->assertCount(1, self::$server->requests());
    }
}
