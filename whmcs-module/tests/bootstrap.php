<?php
/**
 * PHPUnit bootstrap: WHMCS stand-ins, every PHP warning/notice/deprecation
 * turned into an exception (so "no warning" is asserted by every test), and
 * the module and its hooks loaded as WHMCS loads them.
 */

error_reporting(E_ALL);
ini_set('display_errors', '1');
set_error_handler(function ($severity, $message, $file, $line) {
    if (!(error_reporting() & $severity)) {
        return false; /* silenced with @ in the test support code */
    }
    throw new \ErrorException($message, 0, $severity, $file, $line);
});

require_once __DIR__ . '/Support/WhmcsStubs.php';
require_once __DIR__ . '/Support/FixtureServer.php';

define('OPENCLAWHOST_MODULE_DIR', dirname(__DIR__) . '/modules/servers/openclawhost');

require_once OPENCLAWHOST_MODULE_DIR . '/openclawhost.php';
require_once OPENCLAWHOST_MODULE_DIR . '/hooks.php';
