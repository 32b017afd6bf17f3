<?php
/**
 * OpenClaw Host: WHMCS hooks (loaded by WHMCS on every page with the module).
 *
 * - DailyCronJob: sync states, hostnames and IPs; flag drift between
 *   WHMCS and the control plane in the Activity Log (lib/Sync.php).
 * - ClientEdit: tell the API when a client's email changes (signed webhook).
 * - ClientAreaPrimarySidebar: an "Open OpenClaw dashboard" link on the
 *   product details page of an active OpenClaw service.
 *
 * A hook never throws and never outputs anything: a failing hook must not
 * break the WHMCS page or cron run that triggered it.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

if (!class_exists('WHMCS\\Module\\Server\\OpenClawHost\\Sync')) {
    require_once __DIR__ . '/lib/Sync.php';
}

use WHMCS\Module\Server\OpenClawHost\Sync;

/**
 * @param array $vars
 * @return void
 */
function openclawhost_hook_DailyCronJob($vars)
{
    try {
        Sync::run();
    } catch (\Throwable $e) {
        /* Sync::run() logs its own errors */
    }
}

/**
 * @param array $vars userid, email, olddata (the client before the edit)
 * @return void
 */
function openclawhost_hook_ClientEdit($vars)
{
    try {
        if (!is_array($vars) || !isset($vars['userid'], $vars['email'])) {
            return;
        }
        $old = '';
        if (isset($vars['olddata']) && is_array($vars['olddata']) && isset($vars['olddata']['email'])) {
            $old = (string)$vars['olddata']['email'];
        }
        $new = (string)$vars['email'];
        if ($old === '' || strcasecmp($old, $new) === 0) {
            return;
        }
        Sync::clientEmailChanged((int)$vars['userid'], $old, $new);
    } catch (\Throwable $e) {
        /* never break the client save */
    }
}

/**
 * @param \WHMCS\View\Menu\Item $primarySidebar
 * @return void
 */
function openclawhost_hook_ClientAreaPrimarySidebar($primarySidebar)
{
    try {
        if (!is_object($primarySidebar) || !class_exists('Menu')) {
            return;
        }
        $service = Menu::context('service');
        if (!is_object($service) || !isset($service->product) || !is_object($service->product)) {
            return;
        }
        $product = $service->product;
        $module = isset($product->module) ? (string)$product->module
            : (isset($product->servertype) ? (string)$product->servertype : '');
        if ($module !== 'openclawhost') {
            return;
        }
        $status = isset($service->domainstatus) ? (string)$service->domainstatus
            : (isset($service->status) ? (string)$service->status : '');
        if ($status !== 'Active') {
            return;
        }
        $panel = $primarySidebar->getChild('Service Details Actions');
        if (!is_object($panel)) {
            return;
        }
        $panel->addChild('openclawhostDashboard', array(
            'label' => 'Open OpenClaw dashboard',
            'uri' => 'clientarea.php?action=productdetails&id=' . (int)$service->id . '&dosinglesignon=1',
            'icon' => 'fa-external-link-alt',
            'order' => 1,
        ));
    } catch (\Throwable $e) {
        /* a missing link is better than a broken page */
    }
}

add_hook('DailyCronJob', 1, 'openclawhost_hook_DailyCronJob');
add_hook('ClientEdit', 1, 'openclawhost_hook_ClientEdit');
add_hook('ClientAreaPrimarySidebar', 1, 'openclawhost_hook_ClientAreaPrimarySidebar');
