<?php
/**
 * The WHMCS contract of the module: every function WHMCS may call, given
 * empty or malformed $params, returns the type WHMCS expects without a
 * warning (the bootstrap turns warnings into exceptions) or an exception;
 * metadata, settings, buttons and hooks are wired to functions that exist.
 */

use OpenClawHostTest\Whmcs;
use PHPUnit\Framework\TestCase;

final class ModuleContractTest extends TestCase
{
    protected function setUp(): void
    {
        Whmcs::reset();
    }

    public function testRequiredConfigOptionsFunctionExists()
    {
        $this->assertTrue(function_exists('openclawhost_ConfigOptions'));
    }

    public function functionReturnTypes(): array
    {
        return array(
            'MetaData' => array('MetaData', 'array'),
            'ConfigOptions' => array('ConfigOptions', 'array'),
            'CreateAccount' => array('CreateAccount', 'string'),
            'SuspendAccount' => array('SuspendAccount', 'string'),
            'UnsuspendAccount' => array('UnsuspendAccount', 'string'),
            'TerminateAccount' => array('TerminateAccount', 'string'),
            'ChangePackage' => array('ChangePackage', 'string'),
            'Renew' => array('Renew', 'string'),
            'TestConnection' => array('TestConnection', 'array'),
            'AdminCustomButtonArray' => array('AdminCustomButtonArray', 'array'),
            'ClientAreaCustomButtonArray' => array('ClientAreaCustomButtonArray', 'array'),
            'AdminServicesTabFields' => array('AdminServicesTabFields', 'array'),
            'ServiceSingleSignOn' => array('ServiceSingleSignOn', 'array'),
            'AdminSingleSignOn' => array('AdminSingleSignOn', 'array'),
            'ClientArea' => array('ClientArea', 'array'),
            'UsageUpdate' => array('UsageUpdate', 'null'),
            'ListAccounts' => array('ListAccounts', 'array'),
            'AdminLink' => array('AdminLink', 'string'),
            'reboot' => array('reboot', 'string'),
            'rebuild' => array('rebuild', 'string'),
            'ChangePassword' => array('ChangePassword', 'string'),
            'syncstatus' => array('syncstatus', 'string'),
        );
    }

    /**
     * @dataProvider functionReturnTypes
     */
    public function testEmptyParamsReturnTheExpectedType($function, $type)
    {
        $this->assertTrue(function_exists('openclawhost_' . $function), 'openclawhost_' . $function . ' exists');
        $result = call_user_func('openclawhost_' . $function, array());
        $this->assertSame($type, $type === 'null' ? (is_null($result) ? 'null' : gettype($result)) : gettype($result));
    }

    /**
     * Params of the wrong types everywhere (what a broken product or
     * server entry could produce): still the right type, still no warning.
     *
     * @dataProvider functionReturnTypes
     */
    public function testMalformedParamsReturnTheExpectedType($function, $type)
    {
        $params = array(
            'serviceid' => 'abc',
            'userid' => array(1),
            'serverhostname' => array('x'),
            'serverip' => null,
            'serversecure' => array(),
            'serverport' => 'not-a-port',
            'serverusername' => "ak_1\r\nX-Evil: 1",
            'serverpassword' => array('s'),
            'serveraccesshash' => new \stdClass(),
            'clientsdetails' => 'x',
            'configoptions' => 'y',
            'configoption1' => array('starter'),
            'configoption2' => null,
            'customfields' => 5,
            'model' => 'not an object',
        );
        $result = call_user_func('openclawhost_' . $function, $params);
        $this->assertSame($type, $type === 'null' ? (is_null($result) ? 'null' : gettype($result)) : gettype($result));
    }

    public function lifecycleFunctions(): array
    {
        return array(
            array('CreateAccount'), array('SuspendAccount'), array('UnsuspendAccount'),
            array('TerminateAccount'), array('ChangePackage'), array('Renew'),
            array('reboot'), array('rebuild'), array('syncstatus'),
        );
    }

    /**
     * @dataProvider lifecycleFunctions
     */
    public function testEmptyParamsGiveAReadableErrorAndALogEntry($function)
    {
        $result = call_user_func('openclawhost_' . $function, array());
        $this->assertNotSame('success', $result);
        $this->assertMatchesRegularExpression('/^[A-Z][^<>]{10,400}$/', $result);
        $this->assertNotEmpty(Whmcs::$moduleLog, 'a module log entry was written');
        $last = end(Whmcs::$moduleLog);
        $this->assertSame('openclawhost', $last['module']);
        $this->assertSame($result, $last['response']);
    }

    public function testSsoFailureShapes()
    {
        foreach (array('ServiceSingleSignOn', 'AdminSingleSignOn') as $fn) {
            $r = call_user_func('openclawhost_' . $fn, array());
            $this->assertFalse($r['success']);
            $this->assertIsString($r['errorMsg']);
            $this->assertNotSame('', $r['errorMsg']);
            $this->assertArrayNotHasKey('redirectTo', $r);
        }
    }

    public function testTestConnectionFailureShape()
    {
        $r = openclawhost_TestConnection(array());
        $this->assertSame(array('success', 'error'), array_keys($r));
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('hostname', $r['error']);
    }

    public function testListAccountsFailureShape()
    {
        $r = openclawhost_ListAccounts(array());
        $this->assertFalse($r['success']);
        $this->assertSame(array(), $r['accounts']);
        $this->assertNotSame('', $r['error']);
    }

    public function testClientAreaErrorUsesTheErrorTemplate()
    {
        $r = openclawhost_ClientArea(array());
        $this->assertSame('templates/error.tpl', $r['tabOverviewModuleOutputTemplate']);
        $this->assertFileExists(OPENCLAWHOST_MODULE_DIR . '/' . $r['tabOverviewModuleOutputTemplate']);
        $this->assertNotSame('', $r['templateVariables']['ochError']);
    }

    public function testPlanLoaderThrowsAReadableExceptionWithoutAServer()
    {
        try {
            openclawhost_PlanLoader(array());
            $this->fail('the loader returned without a server');
        } catch (\Exception $e) {
            $this->assertSame('Exception', get_class($e));
            $this->assertStringStartsWith('Could not load the plans: The server entry has no hostname', $e->getMessage());
        }
    }

    public function testMetaData()
    {
        $m = openclawhost_MetaData();
        $this->assertSame('OpenClaw Host', $m['DisplayName']);
        $this->assertSame('1.1', $m['APIVersion']);
        $this->assertTrue($m['RequiresServer']);
        foreach (array('ServiceSingleSignOnLabel', 'AdminSingleSignOnLabel', 'ListAccountsUniqueIdentifierDisplayName',
            'ListAccountsUniqueIdentifierField', 'ListAccountsProductField') as $k) {
            $this->assertIsString($m[$k]);
            $this->assertNotSame('', $m[$k]);
        }
        $this->assertSame('configoption1', $m['ListAccountsProductField']);
    }

    public function testConfigOptions()
    {
        $o = openclawhost_ConfigOptions();
        $this->assertSame(array('Plan', 'Region', 'OpenClaw Version'), array_keys($o));
        $this->assertLessThanOrEqual(24, count($o));
        foreach ($o as $label => $opt) {
            $this->assertContains($opt['Type'], array('text', 'password', 'yesno', 'dropdown', 'radio', 'textarea'), $label);
        }
        $this->assertTrue(is_callable($o['Plan']['Loader']));
        $this->assertStringStartsWith('openclawhost_', $o['Plan']['Loader']);
        $this->assertArrayHasKey($o['Region']['Default'], $o['Region']['Options']);
        $this->assertSame(
            array('eu-falkenstein', 'eu-nuremberg', 'eu-helsinki', 'us-ashburn', 'us-hillsboro', 'ap-singapore'),
            array_keys($o['Region']['Options'])
        );
    }

    public function testButtonsCallExistingFunctions()
    {
        $admin = openclawhost_AdminCustomButtonArray();
        $client = openclawhost_ClientAreaCustomButtonArray();
        $this->assertSame(array('Reboot', 'Rebuild', 'Sync status'), array_keys($admin));
        $this->assertSame(array('Reboot'), array_keys($client));
        foreach (array_merge(array_values($admin), array_values($client)) as $fn) {
            $this->assertTrue(function_exists('openclawhost_' . $fn), $fn);
        }
    }

    public function testHooksAreRegistered()
    {
        $points = array();
        foreach (Whmcs::$hooks as $h) {
            $this->assertTrue(is_callable($h['callable']));
            $this->assertIsInt($h['priority']);
            $this->assertStringStartsWith('openclawhost_', $h['callable']);
            $points[] = $h['point'];
        }
        sort($points);
        $this->assertSame(array('ClientAreaPrimarySidebar', 'ClientEdit', 'DailyCronJob'), $points);
    }

    public function testHooksIgnoreEmptyInput()
    {
        openclawhost_hook_DailyCronJob(array());
        openclawhost_hook_ClientEdit(array());
        openclawhost_hook_ClientEdit(array('userid' => 1, 'email' => 'a@example.com'));
        openclawhost_hook_ClientAreaPrimarySidebar(null);
        openclawhost_hook_ClientAreaPrimarySidebar(new \OpenClawHostTest\MenuItem('root'));
        $this->assertSame(array(), Whmcs::$localApi);
    }

    public function testEveryFunctionIsPrefixed()
    {
        $ours = 0;
        foreach (get_defined_functions()['user'] as $fn) {
            $file = (new \ReflectionFunction($fn))->getFileName();
            if (strpos($file, OPENCLAWHOST_MODULE_DIR) === 0) {
                $ours++;
                $this->assertStringStartsWith('openclawhost_', $fn);
            }
        }
        $this->assertGreaterThan(20, $ours);
    }
}
